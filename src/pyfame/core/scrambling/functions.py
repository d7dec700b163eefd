"""The seed API's ``facial_scramble``."""

from __future__ import annotations

import os
from typing import Any

from pyfame.core.scrambling.grid_scramble import GridScramble
from pyfame.core.scrambling.landmark_scramble import LandmarkScramble
from pyfame.core.scrambling.phase_scramble import PhaseScramble
from pyfame.core.seed_runner import (
    check_common,
    reject_unknown_keywords,
    run_seed_function,
    split_run_keywords,
)
from pyfame.pipeline.file_pass import FileResult
from pyfame.utils.predefined_constants import HIGH_LEVEL_GRID_SCRAMBLE, SCRAMBLE_METHOD_NAMES, options
from pyfame.validation import check_bool, check_choice, check_seed


def facial_scramble(
    input_dir: str | os.PathLike[str],
    output_dir: str | os.PathLike[str],
    out_grayscale: bool = False,
    scramble_method: Any = HIGH_LEVEL_GRID_SCRAMBLE,
    rand_seed: int | None = None,
    grid_scramble_threshold: int = 2,
    grid_square_size: int = 40,
    with_sub_dirs: bool = False,
    min_detection_confidence: float = 0.5,
    min_tracking_confidence: float = 0.5,
    **kwargs: Any,
) -> list[FileResult]:
    """Scramble the face; writes ``output_dir/Scrambled/``.

    ``scramble_method``: ``HIGH_LEVEL_GRID_SCRAMBLE`` (face squares shuffled freely),
    ``LOW_LEVEL_GRID_SCRAMBLE`` (each square moves at most ``grid_scramble_threshold``
    places within its row), ``LANDMARK_SCRAMBLE`` (eyes, brows, nose, mouth moved and turned;
    ``max_rotation`` keyword) or ``PHASE_SCRAMBLE`` (Fourier phase randomised, amplitude
    kept; ``coherence`` keyword, 0-1). Seeded by ``rand_seed``; on video the same scramble
    holds for the whole clip and is written to the sidecar.

    Examples
    --------
    >>> import pyfame.core as pf
    >>> # pf.facial_scramble("faces/", "out/", scramble_method=pf.LANDMARK_SCRAMBLE, rand_seed=3)
    """
    check_common(input_dir, output_dir, with_sub_dirs, min_detection_confidence, min_tracking_confidence)
    check_bool(out_grayscale, "out_grayscale")
    method = check_choice(scramble_method, "scramble_method", options(SCRAMBLE_METHOD_NAMES))
    seed = check_seed(rand_seed)
    run_kwargs, rest = split_run_keywords(kwargs)
    if seed is not None:
        run_kwargs.setdefault("seed", seed)
    if method in ("high level grid", "low level grid"):
        layer: Any = GridScramble("high" if method.startswith("high") else "low", grid_square_size,
                                  grid_scramble_threshold, out_grayscale)
    elif method == "landmark":
        layer = LandmarkScramble(rest.pop("max_rotation", 45.0), rest.pop("feather_px", 2.0), out_grayscale)
    else:
        layer = PhaseScramble(rest.pop("coherence", 1.0), out_grayscale)
    reject_unknown_keywords("facial_scramble", rest)
    return run_seed_function("facial_scramble", "Scrambled", input_dir, output_dir, [layer],
                             with_sub_dirs=with_sub_dirs, min_detection_confidence=min_detection_confidence,
                             min_tracking_confidence=min_tracking_confidence, run_kwargs=run_kwargs)
