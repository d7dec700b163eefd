"""The seed API's ``facial_scramble``, declared onto the scramble layers."""

from __future__ import annotations

from pyfame.core.scrambling.grid_scramble import GridScramble
from pyfame.core.scrambling.landmark_scramble import LandmarkScramble
from pyfame.core.scrambling.phase_scramble import PhaseScramble
from pyfame.pipeline.params import Choice, Param
from pyfame.pipeline.seed_function import Variant, seed_function
from pyfame.utils.predefined_constants import HIGH_LEVEL_GRID_SCRAMBLE, SCRAMBLE_METHOD_NAMES

facial_scramble = seed_function(
    "facial_scramble",
    {"high level grid": Variant(GridScramble, {"method": "high"}),
     "low level grid": Variant(GridScramble, {"method": "low"}),
     "landmark": Variant(LandmarkScramble), "phase": Variant(PhaseScramble)},
    selector=Param(Choice(SCRAMBLE_METHOD_NAMES), default=HIGH_LEVEL_GRID_SCRAMBLE, name="scramble_method",
                   help="Grid squares shuffled freely (high level) or within their row (low level), features "
                        "moved (landmark), or the Fourier phase randomised (phase)."),
    signature=("out_grayscale", "scramble_method", "rand_seed", "grid_scramble_threshold", "grid_square_size",
               "with_sub_dirs", "min_detection_confidence", "min_tracking_confidence"),
    module=__name__,
    summary="Scramble the face: its grid squares, its features, or its Fourier phase. Seeded; on video the "
            "same scramble holds for the whole clip and is written to the sidecar.",
    example='facial_scramble("faces/", "out/", scramble_method=pf.LANDMARK_SCRAMBLE, rand_seed=3)')
