"""Noise over face regions or the whole frame: pixelation, salt and pepper, Gaussian."""

from __future__ import annotations

import cv2
import numpy as np

from pyfame.errors import PyfameValueError
from pyfame.face.face_frame import face_width
from pyfame.face.faces import Faces
from pyfame.face.region_mask import region_mask
from pyfame.face.regions import FACE_OVAL_MASK
from pyfame.pipeline.layer import Layer
from pyfame.pipeline.region_layer import feathering
from pyfame.pipeline.params import Choice, Integer, Number, Optional, Param, Regions
from pyfame.utils.predefined_constants import NOISE_METHOD_NAMES


class Noise(Layer):
    """Add noise inside a mask (or over the whole frame with ``mask_type=None``).

    New noise is drawn on every frame from the layer's seeded generator.

    Examples
    --------
    >>> import pyfame as pf
    >>> layer = pf.Noise("salt and pepper", noise_prob=0.2)
    """

    name = "noise"
    subfolder = "Noise_Added"

    noise_method: str = Param(Choice(NOISE_METHOD_NAMES), default="pixelate", help="The kind of noise.",
                              cli_names=("--method",))
    pixel_size: int = Param(Integer(2, 4096), default=32, unit="px", help="Pixelation block size.")
    noise_prob: float = Param(Number(0.0, 1.0), default=0.5, unit="probability",
                              help="Salt and pepper: share of pixels replaced (half white, half black).")
    mean: float = Param(Number(-255.0, 255.0), default=0.0, unit="pixel levels (0-255)",
                        help="Gaussian: mean of the noise.")
    standard_dev: float = Param(Number(0.0, 255.0), default=0.5, unit="pixel levels (0-255)",
                                help="Gaussian: standard deviation of the noise.", cli_names=("--sd",))
    mask_type: list | None = Param(Optional(Regions()), default=FACE_OVAL_MASK,
                                   help="Where the noise goes (none: the whole frame).", cli_names=("--region",))
    feather_px, feather_iod = feathering(0.0)

    def __post_init__(self) -> None:
        self.needs_face = self.mask_type is not None  # the whole frame runs without a face

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
        if self.mask_type is None:
            out[:] = self._noisy(out, rng)
            return out
        if self.noise_method == "pixelate":
            for lm in faces.landmarks:
                width = face_width(lm)
                if self.pixel_size > width:
                    raise PyfameValueError(
                        f"pixel_size ({self.pixel_size}) is larger than the face ({width:.0f} px wide)"
                    )
        mask = region_mask(faces, self.mask_type, frame.shape, self.feather_px, self.feather_iod)
        if mask.empty:
            return out
        return mask.blend(out, self._noisy(np.ascontiguousarray(out[mask.slices]), rng))
