"""Colour, saturation and brightness shifts over face regions, as layers."""

from __future__ import annotations

import cv2
import numpy as np

from pyfame.face.faces import Faces
from pyfame.pipeline.params import Choice, Number, Param
from pyfame.pipeline.region_layer import TimedRegionLayer
from pyfame.utils.predefined_constants import COLOR_NAMES

# colour → (CIELAB channel index, sign): red/green move a*, yellow/blue move b*
_LAB_AXIS = {"red": (1, 1.0), "green": (1, -1.0), "yellow": (2, 1.0), "blue": (2, -1.0)}


class _RegionShift(TimedRegionLayer):
    """Shared work: convert the masked box, add a weighted offset to one channel, convert back.

    Only pixels with a mask weight above 0 are written; the rest of the frame is untouched
    (bit for bit). The offset at a pixel is ``shift_magnitude * weight(t) * mask``.
    """

    _to: int
    _back: int
    _channel: int
    _scale: float = 1.0

    shift_magnitude: float = Param(Number(-100.0, 100.0), default=8.0, unit="CIELAB units",
                                   help="Size of the shift at full strength.", cli_names=("--magnitude",))

    def _signed_shift(self) -> float:
        return self.shift_magnitude

    def apply(self, frame: np.ndarray, faces: Faces, t: float, rng: np.random.Generator) -> np.ndarray:
        w = self.weight(t)
        if w == 0.0 or self.shift_magnitude == 0.0:
            return frame
        mask = self.mask(frame, faces)
        if mask.empty:
            return frame
        rows, cols = mask.slices
        roi = frame[rows, cols]
        touched = mask.alpha > 0
        converted = cv2.cvtColor(roi.astype(np.float32) * (1.0 / 255.0), self._to)
        converted[..., self._channel] += (self._signed_shift() * w * self._scale) * mask.alpha
        self._clip(converted)
        back = cv2.cvtColor(converted, self._back)
        shifted = np.clip(np.rint(back * 255.0), 0, 255).astype(np.uint8)
        out = frame if frame.flags.writeable else frame.copy()
        np.copyto(out[rows, cols], shifted, where=touched[..., None])
        return out

    def _clip(self, converted: np.ndarray) -> None:
        """Keep the shifted channel in its valid range."""


class ColorShift(_RegionShift):
    """Shift face regions toward red, green, yellow or blue in CIELAB.

    Red and green move a*, yellow and blue move b*, by ``shift_magnitude`` CIELAB units at
    full weight (L* stays). The shift rises and falls with the timing function.

    Examples
    --------
    >>> import pyfame as pf
    >>> layer = pf.ColorShift(shift_color="red", shift_magnitude=10, landmark_regions=pf.CHEEKS_PATH)
    """

    name = "color_shift"
    subfolder = "Color_Shifted"
    _to, _back = cv2.COLOR_RGB2Lab, cv2.COLOR_Lab2RGB

    shift_color: str = Param(Choice(COLOR_NAMES), default="red", help="The colour the regions move toward.",
                             cli_names=("--color",))

    def __post_init__(self) -> None:
        super().__post_init__()
        self._channel, self._sign = _LAB_AXIS[self.shift_color]

    def _signed_shift(self) -> float:
        return self._sign * self.shift_magnitude


class SaturationShift(_RegionShift):
    """Raise or lower saturation in face regions (HSV S, in percentage points).

    ``shift_magnitude=-8`` lowers S by 8 points of its 0-100 scale at full weight; S is
    clipped to [0, 100]. Hue and value stay.

    Examples
    --------
    >>> import pyfame as pf
    >>> layer = pf.SaturationShift(shift_magnitude=-20)
    """

    name = "saturation_shift"
    subfolder = "Sat_Shifted"
    _to, _back, _channel, _scale = cv2.COLOR_RGB2HSV, cv2.COLOR_HSV2RGB, 1, 0.01

    shift_magnitude: float = _RegionShift.shift_magnitude.replace(
        default=-8.0, unit="HSV saturation points (0-100)")

    def _clip(self, converted: np.ndarray) -> None:
        np.clip(converted[..., 1], 0.0, 1.0, out=converted[..., 1])


class BrightnessShift(_RegionShift):
    """Brighten or darken face regions on CIELAB L* (0-100), keeping hue and chroma.

    ``shift_magnitude=20`` adds 20 L* units at full weight; L* is clipped to [0, 100].

    Examples
    --------
    >>> import pyfame as pf
    >>> layer = pf.BrightnessShift(shift_magnitude=-15, landmark_regions=pf.FACE_SKIN_PATH)
    """

    name = "brightness_shift"
    subfolder = "Brightness_Shifted"
    _to, _back, _channel = cv2.COLOR_RGB2Lab, cv2.COLOR_Lab2RGB, 0

    shift_magnitude: float = _RegionShift.shift_magnitude.replace(default=20.0, unit="CIELAB L* units (0-100)")

    def _clip(self, converted: np.ndarray) -> None:
        np.clip(converted[..., 0], 0.0, 100.0, out=converted[..., 0])
