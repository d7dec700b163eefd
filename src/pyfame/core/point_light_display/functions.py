"""The seed API's ``generate_point_light_display``."""

from __future__ import annotations

import os
from typing import Any

from pyfame.core.occlusion.functions import bgr_to_rgb
from pyfame.core.point_light_display.pld_layer import PointLightDisplay
from pyfame.core.seed_runner import (
    check_common,
    reject_unknown_keywords,
    run_seed_function,
    split_run_keywords,
)
from pyfame.pipeline.file_pass import FileResult
from pyfame.face.regions import FACE_OVAL_PATH
from pyfame.utils.predefined_constants import SHOW_HISTORY_ORIGIN


def generate_point_light_display(
    input_dir: str | os.PathLike[str],
    output_dir: str | os.PathLike[str],
    landmark_regions: Any = (FACE_OVAL_PATH,),
    point_density: float = 1.0,
    show_history: bool = False,
    history_mode: Any = SHOW_HISTORY_ORIGIN,
    history_window_msec: float = 500.0,
    history_color: tuple[int, int, int] = (0, 0, 255),
    point_color: tuple[int, int, int] = (255, 255, 255),
    with_sub_dirs: bool = False,
    min_detection_confidence: float = 0.5,
    min_tracking_confidence: float = 0.5,
    **kwargs: Any,
) -> list[FileResult]:
    """Dots on the tracked landmarks of the regions over a black background; writes
    ``output_dir/PLD/`` and, beside each output, ``<name>_trajectories.csv`` (frame, dot,
    landmark, x, y). Colours are BGR (``color_order="rgb"`` switches); ``point_radius`` and
    ``background_color`` may be given as keywords. See :class:`PointLightDisplay`.

    Examples
    --------
    >>> import pyfame.core as pf
    >>> # pf.generate_point_light_display("clip.mp4", "out/", point_density=0.5, show_history=True)
    """
    check_common(input_dir, output_dir, with_sub_dirs, min_detection_confidence, min_tracking_confidence)
    run_kwargs, rest = split_run_keywords(kwargs)
    order = rest.pop("color_order", "bgr")
    layer = PointLightDisplay(
        list(landmark_regions) if isinstance(landmark_regions, tuple) else landmark_regions, point_density,
        bgr_to_rgb(point_color, "point_color", order), rest.pop("point_radius", 2),
        bgr_to_rgb(rest.pop("background_color", (0, 0, 0)), "background_color", order), show_history, history_mode,
        history_window_msec, bgr_to_rgb(history_color, "history_color", order),
    )
    reject_unknown_keywords("generate_point_light_display", rest)
    return run_seed_function("generate_point_light_display", "PLD", input_dir, output_dir, [layer], [layer.probe],
                             with_sub_dirs=with_sub_dirs, min_detection_confidence=min_detection_confidence,
                             min_tracking_confidence=min_tracking_confidence, run_kwargs=run_kwargs)
