"""Noise over face regions or the whole frame: pixelation, salt and pepper, Gaussian."""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from pyfame.face.face_frame import face_width
from pyfame.errors import PyfameValueError
from pyfame.face.faces import Faces
from pyfame.face.region_mask import region_mask
from pyfame.pipeline.layer import Layer
from pyfame.face.regions import FACE_OVAL_MASK, region_name, resolve_regions
from pyfame.utils.predefined_constants import NOISE_METHOD_NAMES, NOISE_METHOD_PIXELATE, options
from pyfame.validation import check_choice, check_float, check_int


class Noise(Layer):
    """Add noise inside a mask (or over the whole frame with ``mask_type=None``).

    New noise is drawn on every frame from the layer's seeded generator.

    Parameters
    ----------
    noise_method : int or str
        ``"pixelate"`` (default), ``"salt and pepper"`` or ``"gaussian"`` (``NOISE_METHOD_*``).
    pixel_size : int
        Pixelation block size in pixels (>= 2; at most the face's width).
    noise_prob : float
        Salt and pepper: probability in [0, 1] that a pixel is replaced (half white, half black).
    mean, standard_dev : float
        Gaussian: mean and standard deviation in pixel-value units (the 0-255 scale), drawn
        per pixel and channel.
    mask_type : region, list of regions or None
        Where the noise goes; None is the whole frame (and runs on frames without a face).
    feather_px : float
        Soft edge of the mask in pixels.

    Examples
    --------
    >>> import pyfame as pf
    >>> layer = pf.Noise("salt and pepper", noise_prob=0.2)
    """

    name = "noise"

    def __init__(self, noise_method: Any = NOISE_METHOD_PIXELATE, pixel_size: int = 32, noise_prob: float = 0.5,
                 mean: float = 0.0, standard_dev: float = 0.5, mask_type: Any = FACE_OVAL_MASK,
                 feather_px: float = 0.0) -> None:
        self.noise_method = check_choice(noise_method, "noise_method", options(NOISE_METHOD_NAMES))
        self.pixel_size = check_int(pixel_size, "pixel_size", low=2, high=4096)
        self.noise_prob = check_float(noise_prob, "noise_prob", low=0.0, high=1.0)
        self.mean = check_float(mean, "mean", low=-255.0, high=255.0)
        self.standard_dev = check_float(standard_dev, "standard_dev", low=0.0, high=255.0)
        self.regions = None if mask_type is None else resolve_regions(mask_type, "mask_type")
        self.needs_face = self.regions is not None
        self.feather_px = check_float(feather_px, "feather_px", low=0.0, high=200.0)

    def _noisy(self, roi: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        if self.noise_method == "pixelate":
            h, w = roi.shape[:2]
            small = cv2.resize(roi, (max(1, w // self.pixel_size), max(1, h // self.pixel_size)),
                               interpolation=cv2.INTER_AREA)
            return cv2.resize(small, (w, h), interpolation=cv2.INTER_NEAREST)
        if self.noise_method == "salt and pepper":
            hit = rng.random(roi.shape[:2]) < self.noise_prob
            salt = rng.random(roi.shape[:2]) < 0.5
            out = roi.copy()
            out[hit & salt] = 255
            out[hit & ~salt] = 0
            return out
        noise = rng.standard_normal(roi.shape, dtype=np.float32) * np.float32(self.standard_dev)
        noise += np.float32(self.mean)
        return np.clip(np.rint(roi + noise), 0, 255).astype(np.uint8)

    def apply(self, frame: np.ndarray, faces: Faces, t: float, rng: np.random.Generator) -> np.ndarray:
        out = frame if frame.flags.writeable else frame.copy()
        if self.regions is None:
            out[:] = self._noisy(out, rng)
            return out
        if self.noise_method == "pixelate":
            for lm in faces.landmarks:
                width = face_width(lm)
                if self.pixel_size > width:
                    raise PyfameValueError(
                        f"pixel_size ({self.pixel_size}) is larger than the face ({width:.0f} px wide)"
                    )
        mask = region_mask(faces, self.regions, frame.shape, self.feather_px)
        if mask.empty:
            return out
        return mask.blend(out, self._noisy(np.ascontiguousarray(out[mask.slices]), rng))

    def params(self) -> dict[str, Any]:
        return {"noise_method": self.noise_method, "pixel_size": self.pixel_size, "noise_prob": self.noise_prob,
                "mean": self.mean, "standard_dev": self.standard_dev,
                "mask_type": None if self.regions is None else region_name(self.regions),
                "feather_px": self.feather_px}
