"""Noise over face regions or the whole frame: pixelation, salt and pepper, Gaussian."""

from __future__ import annotations

import math

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


def masked_pixelate(pixels: np.ndarray, weight: np.ndarray, block: int) -> np.ndarray:
    """Pixelate ``pixels`` into ``block`` x ``block`` squares from the top-left corner, each
    the mean of its pixels weighted by ``weight``: ``sum(w * p) / sum(w)``.

    With a face mask as ``weight``, a square on the face's edge takes the colour of the
    face's part of it only, not of the background beside the face. Squares cut by the
    right or bottom edge average the pixels they have. Squares of zero weight are 0.

    Parameters
    ----------
    pixels : numpy.ndarray
        uint8 ``(h, w, 3)``.
    weight : numpy.ndarray
        float32 ``(h, w)`` in [0, 1] (a mask's coverage).
    block : int
        Side of the squares, in pixels.

    Returns
    -------
    numpy.ndarray
        uint8 ``(h, w, 3)``.

    Examples
    --------
    >>> px = np.zeros((2, 4, 3), np.uint8)
    >>> px[:, :2] = 200   # a face on the left half, background 0 on the right
    >>> w = np.zeros((2, 4), np.float32)
    >>> w[:, :3] = 1.0    # the mask covers three columns: one background column
    >>> masked_pixelate(px, w, 4)[0, :, 0].tolist()   # one square: (200 * 2 + 0) / 3
    [133, 133, 133, 133]
    >>> w[:, 2] = 0.0     # the mask on the face alone: the background is left out of the mean
    >>> masked_pixelate(px, w, 4)[0, :, 0].tolist()
    [200, 200, 200, 200]
    """
    h, w = pixels.shape[:2]
    rows, cols = math.ceil(h / block), math.ceil(w / block)
    padded_w = np.zeros((rows * block, cols * block), np.float32)
    padded_w[:h, :w] = weight
    padded_p = np.zeros((rows * block, cols * block, 3), np.float32)
    padded_p[:h, :w] = pixels
    padded_p *= padded_w[..., None]
    # INTER_AREA at a whole-number factor is the exact mean of each square
    total = cv2.resize(padded_p, (cols, rows), interpolation=cv2.INTER_AREA)
    mass = cv2.resize(padded_w, (cols, rows), interpolation=cv2.INTER_AREA)
    mean = np.divide(total, mass[..., None], out=np.zeros_like(total), where=mass[..., None] > 0)
    squares = np.clip(np.rint(mean), 0, 255).astype(np.uint8)
    return np.repeat(np.repeat(squares, block, axis=0), block, axis=1)[:h, :w]


class Noise(Layer):
    """Add noise inside a mask (or over the whole frame with ``mask_type=None``).

    ``pixelate``: squares of ``pixel_size`` pixels from the top-left corner of the mask's
    box (of the frame with ``mask_type=None``), each the mean of the face pixels it holds,
    weighted by the mask (:func:`masked_pixelate`), so the background beside the face never
    tints the squares on its edge. ``salt and pepper``: ``noise_prob`` of the pixels set to
    white or black (half each). ``gaussian``: normal noise of mean ``mean`` and standard
    deviation ``standard_dev``, in pixel levels on the 0-255 scale, added to each channel and
    clipped to 0-255. The default SD of 25 levels (about 10% of the range) is the
    "moderate" noise level of image-denoising benchmarks (sigma 15, 25 and 50 on 0-255:
    Dabov et al., 2007; Zhang et al., 2017): clearly grainy at a glance, the face still
    recognisable. New noise is drawn on every frame from the layer's seeded generator.

    Examples
    --------
    >>> import pyfame as pf
    >>> layer = pf.Noise("salt and pepper", noise_prob=0.2)
    """

    name = "noise"
    subfolder = "Noise_Added"
    references = (
        "Dabov, K., Foi, A., Katkovnik, V., & Egiazarian, K. (2007). Image denoising by sparse 3-D "
        "transform-domain collaborative filtering. IEEE Transactions on Image Processing, 16(8), 2080-2095.",
        "Zhang, K., Zuo, W., Chen, Y., Meng, D., & Zhang, L. (2017). Beyond a Gaussian denoiser: residual "
        "learning of deep CNN for image denoising. IEEE Transactions on Image Processing, 26(7), 3142-3155.",
    )

    noise_method: str = Param(Choice(NOISE_METHOD_NAMES), default="pixelate", help="The kind of noise.",
                              cli_names=("--method",))
    pixel_size: int = Param(Integer(2, 4096), default=32, unit="px", help="Pixelate: side of the squares.")
    noise_prob: float = Param(Number(0.0, 1.0), default=0.5, unit="probability",
                              help="Salt and pepper: share of pixels replaced (half white, half black).")
    mean: float = Param(Number(-255.0, 255.0), default=0.0, unit="pixel levels (0-255)",
                        help="Gaussian: mean of the noise.")
    standard_dev: float = Param(Number(0.0, 255.0), default=25.0, unit="pixel levels (0-255)",
                                help="Gaussian: standard deviation of the noise.", cli_names=("--sd",))
    mask_type: list | None = Param(Optional(Regions()), default=FACE_OVAL_MASK,
                                   help="Where the noise goes (none: the whole frame).", cli_names=("--region",))
    feather_px, feather_iod = feathering(0.0)

    def __post_init__(self) -> None:
        self.needs_face = self.mask_type is not None  # the whole frame runs without a face

    def _noisy(self, roi: np.ndarray, weight: np.ndarray | None, rng: np.random.Generator) -> np.ndarray:
        if self.noise_method == "pixelate":
            return masked_pixelate(roi, np.ones(roi.shape[:2], np.float32) if weight is None else weight,
                                   self.pixel_size)
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
            out[:] = self._noisy(out, None, rng)
            return out
        if self.noise_method == "pixelate":
            for lm in faces.landmarks:
                width = face_width(lm)
                if self.pixel_size > width:
                    raise PyfameValueError(
                        f"pixel_size ({self.pixel_size}) is larger than the face ({width:.0f} px wide)",
                        param="pixel_size")
        mask = region_mask(faces, self.mask_type, frame.shape, self.feather_px, self.feather_iod)
        if mask.empty:
            return out
        return mask.blend(out, self._noisy(np.ascontiguousarray(out[mask.slices]), mask.alpha, rng))
