"""The stimulus-control family's seed-style functions, declared onto its layer and operations."""

from __future__ import annotations

from pyfame.core.stimulus_control.classification_image_operation import ClassificationImageAnalysis
from pyfame.core.stimulus_control.hybrid_operation import HybridFaces
from pyfame.core.stimulus_control.rc_stimuli_operation import ReverseCorrelationStimuli
from pyfame.core.stimulus_control.spatial_frequency_layer import SpatialFrequencyFilter
from pyfame.core.stimulus_control.statistics_match_operation import FaceStatisticsMatch
from pyfame.face.regions import FACE_OVAL_PATH
from pyfame.pipeline.seed_function import seed_function

match_face_statistics = seed_function(
    "match_face_statistics", FaceStatisticsMatch, signature=("method", "regions", "target", "iterations"),
    defaults={"regions": [FACE_OVAL_PATH]}, module=__name__,
    summary="Equate the luminance, contrast, histogram or spectrum of the face over a set of stills and videos "
            "(SHINE in the tracked face region; the rest left as it is, or set to a uniform background). Writes the "
            "matched inputs under their own names, a before/after statistics table with its plot, and the target "
            "matched to.",
    example='match_face_statistics("faces/", "out/", method="histogram")')

filter_spatial_frequency = seed_function(
    "filter_spatial_frequency", SpatialFrequencyFilter, signature=("low_cpf", "high_cpf"),
    defaults={"high_cpf": None}, module=__name__,
    summary="Low-, high- or band-pass the face in cycles per face width (the width measured from the mesh on every "
            "frame), the mean luminance kept and the RMS contrast optionally equated. Give high_cpf for a low-pass, "
            "low_cpf for a high-pass, both for a band-pass.",
    example='filter_spatial_frequency("faces/", "out/", high_cpf=8)')

hybrid_faces = seed_function(
    "hybrid_faces", HybridFaces, signature=("cutoff_cpf",), module=__name__,
    summary="A hybrid face (Schyns & Oliva, 1994): the low spatial frequencies of low_face and the high frequencies "
            "of high_face at cutoff_cpf cycles per face width, the faces aligned on their eyes first (rotation, "
            "uniform scale and translation; never stretched).",
    example='hybrid_faces("angry.png", "neutral.png", "out/", cutoff_cpf=8)')

generate_rc_stimuli = seed_function(
    "generate_rc_stimuli", ReverseCorrelationStimuli, signature=("n_trials", "noise", "seed"), module=__name__,
    summary="Reverse-correlation 2IFC stimuli on a base face, compatible with rcicr: rcic_<base>_<trial>_ori.png "
            "(base + noise) and _inv.png (base - noise), trials from 1, a table with one row per trial and the noise "
            "parameters in a .npz, enough to recompute every stimulus.",
    example='generate_rc_stimuli("face.png", "out/", n_trials=770, seed=1)')

classification_image = seed_function(
    "classification_image", ClassificationImageAnalysis, signature=("by",), module=__name__,
    summary="Classification images from 2IFC responses (trial, response: 1 = base + noise chosen, -1 = base - noise; "
            "optionally participant, condition) to a set made by generate_rc_stimuli: the CI on the base, the raw CI "
            "as .npy and a z-map, for all responses or per participant or condition.",
    example='classification_image("out/RC_Stimuli", "responses.csv", "out/", by="participant")')
