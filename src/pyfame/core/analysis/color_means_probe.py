"""Mean and standard deviation of each colour channel per face region, sampled over time."""

from __future__ import annotations

import math
from typing import Any

import cv2
import numpy as np

from pyfame.face.faces import Faces
from pyfame.face.region_mask import region_mask
from pyfame.face.regions import CHEEKS_PATH, CHIN_PATH, FACE_OVAL_MASK, NOSE_PATH
from pyfame.pipeline.layer import Probe, SourceInfo
from pyfame.pipeline.params import Choice, Number, Param, Regions
from pyfame.utils.predefined_constants import COLOR_SPACE_NAMES

CHANNELS = {
    "rgb": ("r", "g", "b"),
    "hsv": ("h", "s", "v"),
    "grayscale": ("gray",),
    "lab": ("l", "a", "b"),
    "ycrcb": ("y", "cr", "cb"),
}
DEFAULT_REGIONS = [FACE_OVAL_MASK, CHEEKS_PATH, NOSE_PATH, CHIN_PATH]


def convert(rgb: np.ndarray, color_space: str) -> np.ndarray:
    """RGB uint8 → float32 channels in the colour space's usual units.

    RGB, grayscale and YCrCb in 0-255; HSV as H in degrees (0-360), S and V in 0-1;
    CIELAB as L* 0-100, a* and b* about -128..127.
    """
    f = rgb.astype(np.float32) * (1.0 / 255.0)
    if color_space == "rgb":
        return rgb.astype(np.float32)
    if color_space == "hsv":
        return cv2.cvtColor(f, cv2.COLOR_RGB2HSV)
    if color_space == "grayscale":
        return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)[..., None]
    if color_space == "lab":
        return cv2.cvtColor(f, cv2.COLOR_RGB2Lab)
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2YCrCb).astype(np.float32)


class ColorMeansProbe(Probe):
    """Per sample and region: the mask-weighted mean and standard deviation of each channel.

    Table layout ("tidy", one row per sample and region): ``frame``, ``timestamp_s``,
    ``face_detected``, ``region``, ``pixels`` (mask weight), then ``mean_<ch>`` and
    ``std_<ch>`` for each channel (``r g b``, ``h s v``, ``gray``, ``l a b`` or
    ``y cr cb``). Frames without a face give rows with ``face_detected=False`` and empty
    values, never zeros. Videos are sampled every ``sampling_frequency`` ms (the first
    frame at or after each multiple); a still gives one sample.

    Examples
    --------
    >>> import pyfame as pf
    >>> probe = pf.ColorMeansProbe(color_space="lab", landmark_regions=[pf.CHEEKS_PATH])
    """

    name = "color_means"
    subfolder = "Color_Channel_Means"

    color_space: str = Param(Choice(COLOR_SPACE_NAMES), default="rgb", help="The channels measured.",
                             cli_names=("--space",))
    landmark_regions: list = Param(Regions(), default=DEFAULT_REGIONS, help="The regions measured (each on its own).",
                                   cli_names=("--region",))
    sampling_frequency: float = Param(Number(0.0, low_open=True), default=1000.0, unit="ms",
                                      help="Sampling period of videos.", cli_names=("--every",))

    def __post_init__(self) -> None:
        self._next_t = 0.0

    def start(self, info: SourceInfo) -> None:
        self._next_t = 0.0

    def observe(self, frame: np.ndarray, faces: Faces, t: float) -> list[dict[str, Any]]:
        if t + 1e-9 < self._next_t:
            return []
        period = self.sampling_frequency / 1000.0
        self._next_t = (math.floor(t / period + 1e-9) + 1) * period
        channels = CHANNELS[self.color_space]
        if not faces:
            return [{"face_detected": False, "region": region.name, "pixels": np.nan,
                     **{f"{s}_{c}": np.nan for c in channels for s in ("mean", "std")}} for region in self.landmark_regions]
        masks = [region_mask(faces, region, frame.shape) for region in self.landmark_regions]
        # convert only the box holding every region, once
        x0, y0 = min(m.box[0] for m in masks), min(m.box[1] for m in masks)
        x1, y1 = max(m.box[2] for m in masks), max(m.box[3] for m in masks)
        converted = convert(np.ascontiguousarray(frame[y0:y1, x0:x1]), self.color_space)
        rows = []
        for region, mask in zip(self.landmark_regions, masks):
            row: dict[str, Any] = {"face_detected": True, "region": region.name}
            w = mask.alpha.astype(np.float64)
            total = float(w.sum())
            row["pixels"] = round(total, 2)
            mx0, my0, mx1, my1 = mask.box
            values = converted[my0 - y0:my1 - y0, mx0 - x0:mx1 - x0]
            for i, c in enumerate(channels):
                v = values[..., i].astype(np.float64)
                mean = float((v * w).sum() / total) if total else np.nan
                std = float(math.sqrt(max(((v - mean) ** 2 * w).sum() / total, 0.0))) if total else np.nan
                row[f"mean_{c}"] = mean
                row[f"std_{c}"] = std
            rows.append(row)
        return rows

