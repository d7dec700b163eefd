"""Stimulus control on the face, as pure functions over arrays.

Face experiments must show that an effect is not a low-level artefact. These functions equate
luminance, contrast, histograms and spectra over a set of faces inside their masks (after SHINE,
Willenbockel et al., 2010), filter faces by spatial frequency in cycles per face width and make
hybrid faces (Schyns & Oliva, 1994), and make reverse-correlation noise and classification
images compatible with rcicr (Dotsch & Todorov, 2012; Brinkman et al., 2017). They take uint8
RGB (or grey) arrays, the face's box, and float32 masks; they never read or write media files
(the file-level functions, CLI commands and experiment operations are built on them).

One file per job:

- :mod:`~pyfame.stimulus_control.luminance`: what "luminance" is (CIELAB L* or Rec. 601 luma),
  reading and writing it through a soft mask with chroma kept;
- :mod:`~pyfame.stimulus_control.amplitude_spectrum`: the masked spectrum's windowing and bins;
- :mod:`~pyfame.stimulus_control.statistics_matching`: lum/hist/sf/spec matching over a set;
- :mod:`~pyfame.stimulus_control.clip_matching`: the same at the level of whole videos;
- :mod:`~pyfame.stimulus_control.statistics_table`: before/after statistics, SSIM, a plot;
- :mod:`~pyfame.stimulus_control.spatial_frequency`: filters in cycles per face width, hybrids;
- :mod:`~pyfame.stimulus_control.reverse_correlation`: rcicr noise, 2IFC pairs, CIs.

Examples
--------
>>> import numpy as np
>>> import pyfame.stimulus_control as sc
>>> rng = np.random.default_rng(0)
>>> faces = [rng.integers(k, k + 100, (32, 32, 3), dtype=np.uint8) for k in (20, 120)]
>>> matched = sc.match_statistics(faces, method="histogram").images
>>> blurred = sc.filter_spatial_frequency(matched[0], face_width_px=32.0, high_cpf=4.0)
>>> stimuli = sc.generate_rc_stimuli(np.full((32, 32), 128, np.uint8), n_trials=10, n_scales=3)
>>> sc.classification_image(stimuli, [1, -1] * 5).ci.shape
(32, 32)
"""

from pyfame.stimulus_control.clip_matching import (
    ClipTransform,
    FrameStatistics,
    apply_clip_transform,
    frame_statistics,
    match_clip_statistics,
    pooled_statistics,
    refine_clip_transforms,
)
from pyfame.stimulus_control.luminance import (
    join_luminance,
    luminance_levels,
    quantise_luminance,
    set_luminance,
    split_luminance,
    weighted_mean_sd,
)
from pyfame.stimulus_control.reverse_correlation import (
    ClassificationImage,
    NoiseBasis,
    RCStimuli,
    check_responses,
    classification_image,
    generate_rc_stimuli,
    load_rc_stimuli,
    noise_basis,
    noise_image,
    template_correlation,
)
from pyfame.stimulus_control.spatial_frequency import (
    band_energy,
    filter_spatial_frequency,
    frequency_gain,
    hybrid_image,
)
from pyfame.stimulus_control.statistics_matching import (
    METHODS,
    MatchResult,
    match_statistics,
    spectral_error,
)
from pyfame.stimulus_control.statistics_table import (
    before_after_table,
    histogram_distance,
    image_statistics,
    plot_statistics,
    ssim,
)

__all__ = [
    "ClassificationImage",
    "ClipTransform",
    "FrameStatistics",
    "METHODS",
    "MatchResult",
    "NoiseBasis",
    "RCStimuli",
    "apply_clip_transform",
    "band_energy",
    "before_after_table",
    "check_responses",
    "classification_image",
    "filter_spatial_frequency",
    "frame_statistics",
    "frequency_gain",
    "generate_rc_stimuli",
    "histogram_distance",
    "hybrid_image",
    "image_statistics",
    "join_luminance",
    "load_rc_stimuli",
    "luminance_levels",
    "match_clip_statistics",
    "match_statistics",
    "noise_basis",
    "noise_image",
    "plot_statistics",
    "pooled_statistics",
    "quantise_luminance",
    "refine_clip_transforms",
    "set_luminance",
    "spectral_error",
    "split_luminance",
    "ssim",
    "template_correlation",
    "weighted_mean_sd",
]
