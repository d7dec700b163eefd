"""The seed API's colouring functions, declared onto their layers."""

from __future__ import annotations

from pyfame.core.coloring.layers import BrightnessShift, ColorShift, SaturationShift
from pyfame.face.regions import FACE_SKIN_PATH
from pyfame.pipeline.seed_function import seed_function

_TIMED = ("onset_t", "offset_t", "shift_magnitude", "timing_func")
_TAIL = ("landmark_regions", "with_sub_dirs", "min_detection_confidence", "min_tracking_confidence")

face_color_shift = seed_function(
    "face_color_shift", ColorShift, signature=(*_TIMED, "shift_color", *_TAIL),
    defaults={"landmark_regions": [FACE_SKIN_PATH]}, timing_keywords=True, module=__name__,
    summary="Shift face regions toward red, green, blue or yellow (CIELAB a* or b*), rising and falling over "
            "time.",
    example='face_color_shift("faces/", "out/", onset_t=0.5, offset_t=2.5, shift_color=pf.COLOR_RED)')

face_saturation_shift = seed_function(
    "face_saturation_shift", SaturationShift, signature=(*_TIMED, *_TAIL),
    defaults={"landmark_regions": [FACE_SKIN_PATH]}, timing_keywords=True, module=__name__,
    summary="Raise or lower saturation (HSV S, in percentage points) over face regions, over time.",
    example='face_saturation_shift("faces/", "out/", shift_magnitude=-20)')

face_brightness_shift = seed_function(
    "face_brightness_shift", BrightnessShift, signature=(*_TIMED, *_TAIL),
    defaults={"landmark_regions": [FACE_SKIN_PATH]}, timing_keywords=True, module=__name__,
    summary="Brighten or darken face regions (CIELAB L*, 0-100), keeping hue and chroma, over time.",
    example='face_brightness_shift("faces/", "out/", shift_magnitude=-10)')
