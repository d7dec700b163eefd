"""Blur face regions: Gaussian, average (box) or median, with a soft edge."""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from pyfame.errors import PyfameValueError
from pyfame.face.faces import Faces
from pyfame.face.region_mask import region_mask
from pyfame.pipeline.layer import Layer
from pyfame.face.regions import FACE_OVAL_MASK, region_name, resolve_regions
from pyfame.utils.predefined_constants import BLUR_METHOD_GAUSSIAN, BLUR_METHOD_NAMES, options
from pyfame.validation import check_choice, check_float, check_int


class Blur(Layer):
    """Blur inside face regions only.

    Parameters
    ----------
    blur_method : int or str
        ``"gaussian"`` (default), ``"average"`` or ``"median"`` (``BLUR_METHOD_*``).
    k_size : int
        Kernel size in pixels. Gaussian and median kernels need an odd size: an even
        ``k_size`` is refused with ``ValueError`` (no silent rounding); average takes any
        size >= 1.
    landmark_regions : region or list of regions
        Where to blur (the face oval by default).
    feather_px : float
        Soft edge in pixels between blurred and sharp (0: anti-aliased hard edge).

    Examples
    --------
    >>> import pyfame as pf
    >>> layer = pf.Blur("median", k_size=9)
    """

    name = "blur"

    def __init__(self, blur_method: Any = BLUR_METHOD_GAUSSIAN, k_size: int = 15,
                 landmark_regions: Any = FACE_OVAL_MASK, feather_px: float = 0.0) -> None:
        self.blur_method = check_choice(blur_method, "blur_method", options(BLUR_METHOD_NAMES))
        self.k_size = check_int(k_size, "k_size", low=1, high=501)
        if self.blur_method in ("gaussian", "median") and self.k_size % 2 == 0:
            raise PyfameValueError(f"k_size must be odd for {self.blur_method} blurring, got {self.k_size}")
        self.regions = resolve_regions(landmark_regions, "landmark_regions")
        self.feather_px = check_float(feather_px, "feather_px", low=0.0, high=200.0)

    def _blur(self, roi: np.ndarray) -> np.ndarray:
        k = self.k_size
        if self.blur_method == "gaussian":
            return cv2.GaussianBlur(roi, (k, k), 0, borderType=cv2.BORDER_REFLECT)
        if self.blur_method == "average":
            return cv2.blur(roi, (k, k), borderType=cv2.BORDER_REFLECT)
        return cv2.medianBlur(roi, k)

    def apply(self, frame: np.ndarray, faces: Faces, t: float, rng: np.random.Generator) -> np.ndarray:
        mask = region_mask(faces, self.regions, frame.shape, self.feather_px)
        if mask.empty:
            return frame
        h, w = frame.shape[:2]
        x0, y0, x1, y1 = mask.box
        m = self.k_size // 2 + 1  # blur a margin around the box so its edge sees real neighbours
        bx0, by0, bx1, by1 = max(x0 - m, 0), max(y0 - m, 0), min(x1 + m, w), min(y1 + m, h)
        blurred = self._blur(np.ascontiguousarray(frame[by0:by1, bx0:bx1]))[y0 - by0:y1 - by0, x0 - bx0:x1 - bx0]
        return mask.blend(frame, blurred)

    def params(self) -> dict[str, Any]:
        return {"blur_method": self.blur_method, "k_size": self.k_size,
                "landmark_regions": region_name(self.regions), "feather_px": self.feather_px}
