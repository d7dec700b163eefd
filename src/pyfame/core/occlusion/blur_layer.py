"""Blur face regions: Gaussian, average (box) or median, with a soft edge."""

from __future__ import annotations

import cv2
import numpy as np

from pyfame.errors import PyfameValueError
from pyfame.face.faces import Faces
from pyfame.face.region_mask import region_mask
from pyfame.face.regions import FACE_OVAL_MASK
from pyfame.pipeline.layer import Layer
from pyfame.pipeline.region_layer import feathering
from pyfame.pipeline.params import Choice, Integer, Param, Regions
from pyfame.utils.predefined_constants import BLUR_METHOD_NAMES


class Blur(Layer):
    """Blur inside face regions only.

    Examples
    --------
    >>> import pyfame as pf
    >>> layer = pf.Blur("median", k_size=9)
    """

    name = "blur"
    subfolder = "Blurred"

    blur_method: str = Param(Choice(BLUR_METHOD_NAMES), default="gaussian", help="The blur filter.",
                             cli_names=("--method",))
    k_size: int = Param(Integer(1, 501), default=15, unit="px", help="Kernel size (odd for gaussian and median).")
    landmark_regions: list = Param(Regions(), default=FACE_OVAL_MASK, help="Where to blur.", cli_names=("--region",))
    feather_px, feather_iod = feathering(0.0)

    def validate(self) -> None:
        if self.blur_method in ("gaussian", "median") and self.k_size % 2 == 0:
            raise PyfameValueError(f"k_size must be odd for {self.blur_method} blurring, got {self.k_size}",
                                   param="k_size")

    def _blur(self, roi: np.ndarray) -> np.ndarray:
        k = self.k_size
        if self.blur_method == "gaussian":
            return cv2.GaussianBlur(roi, (k, k), 0, borderType=cv2.BORDER_REFLECT)
        if self.blur_method == "average":
            return cv2.blur(roi, (k, k), borderType=cv2.BORDER_REFLECT)
        return cv2.medianBlur(roi, k)

    def apply(self, frame: np.ndarray, faces: Faces, t: float, rng: np.random.Generator) -> np.ndarray:
        mask = region_mask(faces, self.landmark_regions, frame.shape, self.feather_px, self.feather_iod)
        if mask.empty:
            return frame
        h, w = frame.shape[:2]
        x0, y0, x1, y1 = mask.box
        m = self.k_size // 2 + 1  # blur a margin around the box so its edge sees real neighbours
        bx0, by0, bx1, by1 = max(x0 - m, 0), max(y0 - m, 0), min(x1 + m, w), min(y1 + m, h)
        blurred = self._blur(np.ascontiguousarray(frame[by0:by1, bx0:bx1]))[y0 - by0:y1 - by0, x0 - bx0:x1 - bx0]
        return mask.blend(frame, blurred)
