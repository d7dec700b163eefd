"""Mean and standard deviation of each colour channel per face region, sampled over time."""

from __future__ import annotations

import math
from typing import Any

import cv2
import numpy as np

from pyfame.face.faces import Faces
from pyfame.face.region_mask import region_mask
from pyfame.pipeline.layer import Probe, SourceInfo
from pyfame.face.regions import (
    CHEEKS_PATH,
    CHIN_PATH,
    FACE_OVAL_MASK,
    NOSE_PATH,
    resolve_regions,
)
from pyfame.utils.predefined_constants import COLOR_SPACE_NAMES, COLOR_SPACE_RGB, options
from pyfame.validation import check_choice, check_float

CHANNELS = {
    "rgb": ("r", "g", "b"),
    "hsv": ("h", "s", "v"),
    "grayscale": ("gray",),
    "lab": ("l", "a", "b"),
    "ycrcb": ("y", "cr", "cb"),
}
DEFAULT_REGIONS = (FACE_OVAL_MASK, CHEEKS_PATH, NOSE_PATH, CHIN_PATH)


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

    def __init__(self, color_space: Any = COLOR_SPACE_RGB, landmark_regions: Any = DEFAULT_REGIONS,
                 sampling_frequency: float = 1000.0) -> None:
        self.color_space = check_choice(color_space, "color_space", options(COLOR_SPACE_NAMES))
        self.regions = resolve_regions(list(landmark_regions) if isinstance(landmark_regions, tuple)
                                       else landmark_regions, "landmark_regions")
        self.sampling_frequency = check_float(sampling_frequency, "sampling_frequency", low=0.0,
                                              low_inclusive=False)
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
                     **{f"{s}_{c}": np.nan for c in channels for s in ("mean", "std")}} for region in self.regions]
        masks = [region_mask(faces, region, frame.shape) for region in self.regions]
        # convert only the box holding every region, once
        x0, y0 = min(m.box[0] for m in masks), min(m.box[1] for m in masks)
        x1, y1 = max(m.box[2] for m in masks), max(m.box[3] for m in masks)
        converted = convert(np.ascontiguousarray(frame[y0:y1, x0:x1]), self.color_space)
        rows = []
        for region, mask in zip(self.regions, masks):
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

    def params(self) -> dict[str, Any]:
        return {"color_space": self.color_space, "landmark_regions": [r.name for r in self.regions],
                "sampling_frequency": self.sampling_frequency}
