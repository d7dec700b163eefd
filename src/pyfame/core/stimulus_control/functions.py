"""The stimulus-control family's seed-style functions, declared onto its layer and operations."""

from __future__ import annotations

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
