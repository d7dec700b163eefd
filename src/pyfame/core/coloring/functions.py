"""The seed API's colouring functions: ``face_color_shift`` and friends, over files and folders."""

from __future__ import annotations

import os
from typing import Any

from pyfame.core.coloring.layers import BrightnessShift, ColorShift, SaturationShift
from pyfame.core.seed_runner import check_common, run_seed_function, split_run_keywords
from pyfame.pipeline.file_pass import FileResult
from pyfame.face.regions import FACE_SKIN_PATH
from pyfame.utils.predefined_constants import COLOR_RED
from pyfame.utils.timing_functions import linear


def face_color_shift(
    input_dir: str | os.PathLike[str],
    output_dir: str | os.PathLike[str],
    onset_t: float = 0.0,
    offset_t: float = 0.0,
    shift_magnitude: float = 8.0,
    timing_func: Any = linear,
    shift_color: Any = COLOR_RED,
    landmark_regions: Any = (FACE_SKIN_PATH,),
    with_sub_dirs: bool = False,
    min_detection_confidence: float = 0.5,
    min_tracking_confidence: float = 0.5,
    **kwargs: Any,
) -> list[FileResult]:
    """Shift face regions toward red, green, blue or yellow (CIELAB), over time.

    Writes to ``output_dir/Color_Shifted/`` (nested folders mirrored with
    ``with_sub_dirs=True``), one output and one JSON sidecar per input.

    Parameters
    ----------
    input_dir : str or Path
        An image or video, or a folder of them.
    output_dir : str or Path
        An existing folder.
    onset_t, offset_t : float
        Seconds; the shift is off before ``onset_t`` and after ``offset_t`` (0 = the end).
    shift_magnitude : float
        CIELAB units at full weight (a* for red/green, b* for yellow/blue).
    timing_func : callable or str
        How the weight rises and falls (:mod:`pyfame.utils.timing_functions`).
    shift_color : int or str
        ``COLOR_RED`` (default), ``COLOR_GREEN``, ``COLOR_BLUE``, ``COLOR_YELLOW`` or names.
    landmark_regions : region or list of regions
        Where to shift (default: the face's skin).
    with_sub_dirs : bool
        Walk nested folders.
    min_detection_confidence, min_tracking_confidence : float
        Face tracking thresholds in [0, 1].
    **kwargs
        ``feather_px``; pipeline options (``seed``, ``no_face``, ``crf``, ``preset``,
        ``landmark_cache``, ``progress``, ``num_faces``, ``smoothing``); anything else goes to
        the timing function (e.g. ``k`` for ``sigmoid``).

    Returns
    -------
    list of FileResult

    Examples
    --------
    >>> import pyfame.core as pf
    >>> # pf.face_color_shift("faces/", "out/", onset_t=0.5, offset_t=2.5, shift_color=pf.COLOR_RED)
    """
    return _run(ColorShift, "face_color_shift", "Color_Shifted", locals())


def face_saturation_shift(
    input_dir: str | os.PathLike[str],
    output_dir: str | os.PathLike[str],
    onset_t: float = 0.0,
    offset_t: float = 0.0,
    shift_magnitude: float = -8.0,
    timing_func: Any = linear,
    landmark_regions: Any = (FACE_SKIN_PATH,),
    with_sub_dirs: bool = False,
    min_detection_confidence: float = 0.5,
    min_tracking_confidence: float = 0.5,
    **kwargs: Any,
) -> list[FileResult]:
    """Raise or lower saturation (HSV S, percentage points) over face regions, over time.

    Writes to ``output_dir/Sat_Shifted/``. Parameters as :func:`face_color_shift`.

    Examples
    --------
    >>> import pyfame.core as pf
    >>> # pf.face_saturation_shift("faces/", "out/", shift_magnitude=-20)
    """
    return _run(SaturationShift, "face_saturation_shift", "Sat_Shifted", locals())


def face_brightness_shift(
    input_dir: str | os.PathLike[str],
    output_dir: str | os.PathLike[str],
    onset_t: float = 0.0,
    offset_t: float = 0.0,
    shift_magnitude: float = 20.0,
    timing_func: Any = linear,
    landmark_regions: Any = (FACE_SKIN_PATH,),
    with_sub_dirs: bool = False,
    min_detection_confidence: float = 0.5,
    min_tracking_confidence: float = 0.5,
    **kwargs: Any,
) -> list[FileResult]:
    """Brighten or darken face regions (CIELAB L*, 0-100) over time.

    Writes to ``output_dir/Brightness_Shifted/``. Parameters as :func:`face_color_shift`.

    Examples
    --------
    >>> import pyfame.core as pf
    >>> # pf.face_brightness_shift("faces/", "out/", shift_magnitude=-10)
    """
    return _run(BrightnessShift, "face_brightness_shift", "Brightness_Shifted", locals())


def _run(layer_class: type, operation: str, subfolder: str, args: dict[str, Any]) -> list[FileResult]:
    check_common(args["input_dir"], args["output_dir"], args["with_sub_dirs"],
                 args["min_detection_confidence"], args["min_tracking_confidence"])
    run_kwargs, rest = split_run_keywords(args["kwargs"])
    feather = rest.pop("feather_px", 3.0)
    layer_args = {k: args[k] for k in ("onset_t", "offset_t", "shift_magnitude", "timing_func",
                                       "landmark_regions") if k in args}
    if "shift_color" in args:
        layer_args["shift_color"] = args["shift_color"]
    layer = layer_class(feather_px=feather, **layer_args, **rest)
    return run_seed_function(
        operation, subfolder, args["input_dir"], args["output_dir"], [layer],
        with_sub_dirs=args["with_sub_dirs"],
        min_detection_confidence=args["min_detection_confidence"],
        min_tracking_confidence=args["min_tracking_confidence"],
        run_kwargs=run_kwargs,
    )
