"""core.coloring: colour, saturation and brightness shifts over face regions."""

from pyfame.core.coloring.functions import face_brightness_shift, face_color_shift, face_saturation_shift
from pyfame.core.coloring.layers import BrightnessShift, ColorShift, SaturationShift

__all__ = [
    "face_color_shift",
    "face_saturation_shift",
    "face_brightness_shift",
    "ColorShift",
    "SaturationShift",
    "BrightnessShift",
]
