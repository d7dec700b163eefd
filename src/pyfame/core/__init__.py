"""The seed API: ``import pyfame.core as pf``.

Every manipulation and measurement of PyFAME, as file-level functions, layers and probes.

Examples
--------
>>> import pyfame.core as pf
>>> callable(pf.apply_layers)
True
"""

from pyfame.core.analysis import (
    ColorMeansProbe,
    OpticalFlow,
    OpticalFlowProbe,
    extract_face_color_means,
    extract_face_landmarks,
    get_optical_flow,
    head_pose,
    plot_table,
)
from pyfame.core.coloring import (
    BrightnessShift,
    ColorShift,
    SaturationShift,
    face_brightness_shift,
    face_color_shift,
    face_saturation_shift,
)
from pyfame.core.analysis.landmark_overlay import LandmarkOverlay
from pyfame.core.point_light_display import PointLightDisplay, PointLightProbe, generate_point_light_display
from pyfame.core.scrambling import GridScramble, LandmarkScramble, PhaseScramble, facial_scramble
from pyfame.core.temporal_transforms import generate_shuffled_block_array, order_blocks, shuffle_frame_order
from pyfame.core.occlusion import (
    Blur,
    Bubbles,
    Mask,
    Noise,
    Occlusion,
    apply_noise,
    blur_face_region,
    mask_face_region,
    occlude_face_region,
)
from pyfame.utils import *
from pyfame.utils import __all__ as _utils_all
from pyfame.core.analysis.landmark_probe import LandmarkProbe, landmark_table
from pyfame.errors import *
from pyfame.errors import __all__ as _errors_all
from pyfame.pipeline import (
    FileResult,
    Layer,
    Probe,
    RunOptions,
    SourceInfo,
    apply_layers,
    apply_layers_to_frames,
    stream_layers,
)

__all__ = [  # noqa: PLE0604 - the errors' names are strings too
    "PointLightDisplay",
    "PointLightProbe",
    "generate_point_light_display",
    "GridScramble",
    "LandmarkScramble",
    "PhaseScramble",
    "facial_scramble",
    "generate_shuffled_block_array",
    "order_blocks",
    "shuffle_frame_order",
    "extract_face_color_means",
    "get_optical_flow",
    "extract_face_landmarks",
    "plot_table",
    "ColorMeansProbe",
    "OpticalFlow",
    "OpticalFlowProbe",
    "head_pose",
    "face_color_shift",
    "face_saturation_shift",
    "face_brightness_shift",
    "ColorShift",
    "SaturationShift",
    "BrightnessShift",
    "mask_face_region",
    "occlude_face_region",
    "blur_face_region",
    "apply_noise",
    "Mask",
    "Occlusion",
    "Bubbles",
    "Blur",
    "Noise",
    "LandmarkOverlay",
    "LandmarkProbe",
    "landmark_table",
    "FileResult",
    "Layer",
    "Probe",
    "RunOptions",
    "SourceInfo",
    "apply_layers",
    "apply_layers_to_frames",
    "stream_layers",
    *_errors_all,
    *_utils_all,
]
