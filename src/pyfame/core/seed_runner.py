"""What every file-level function of the seed API shares: argument checks and the run."""

from __future__ import annotations

import os
from typing import Any

from pyfame.errors import PyfameTypeError
from pyfame.pipeline.apply_layers import apply_layers
from pyfame.pipeline.file_pass import FileResult
from pyfame.pipeline.layer import Layer, Probe
from pyfame.validation import check_bool, check_existing_path, check_float, check_output_dir

#: Keyword arguments every seed function accepts besides its own (passed to the pipeline).
RUN_KEYWORDS = ("no_face", "seed", "crf", "preset", "landmark_cache", "progress", "num_faces", "smoothing",
                "workers")


def check_common(
    input_dir: Any,
    output_dir: Any,
    with_sub_dirs: Any,
    min_detection_confidence: Any,
    min_tracking_confidence: Any,
) -> None:
    """The checks every seed function makes before any work, in the order users read them."""
    check_existing_path(input_dir, "input_dir")
    check_output_dir(output_dir, "output_dir")
    check_bool(with_sub_dirs, "with_sub_dirs")
    check_float(min_detection_confidence, "min_detection_confidence", low=0.0, high=1.0)
    check_float(min_tracking_confidence, "min_tracking_confidence", low=0.0, high=1.0)


def reject_unknown_keywords(operation: str, rest: dict[str, Any]) -> None:
    """A keyword argument nobody takes is a mistake: say so, naming it."""
    if rest:
        raise PyfameTypeError(f"{operation}() got unexpected keyword arguments {sorted(rest)}")


def split_run_keywords(kwargs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(pipeline keywords, the rest) from a seed function's ``**kwargs``."""
    run = {k: kwargs[k] for k in RUN_KEYWORDS if k in kwargs}
    rest = {k: v for k, v in kwargs.items() if k not in RUN_KEYWORDS}
    return run, rest


def run_seed_function(
    operation: str,
    subfolder: str,
    input_dir: str | os.PathLike[str],
    output_dir: str | os.PathLike[str],
    layers: list[Layer],
    probes: list[Probe] | None = None,
    *,
    with_sub_dirs: bool = False,
    min_detection_confidence: float = 0.5,
    min_tracking_confidence: float = 0.5,
    run_kwargs: dict[str, Any] | None = None,
    image_format: str | None = None,
) -> list[FileResult]:
    """Run ``layers`` over ``input_dir`` into ``output_dir/subfolder``."""
    run_kwargs = dict(run_kwargs or {})
    unknown = set(run_kwargs) - set(RUN_KEYWORDS)
    if unknown:
        raise PyfameTypeError(f"{operation}() got unexpected keyword arguments {sorted(unknown)}")
    return apply_layers(
        input_dir,
        output_dir,
        layers,
        probes or [],
        subfolder=subfolder,
        with_sub_dirs=with_sub_dirs,
        min_detection_confidence=min_detection_confidence,
        min_tracking_confidence=min_tracking_confidence,
        operation=operation,
        image_format=image_format,
        **run_kwargs,
    )
