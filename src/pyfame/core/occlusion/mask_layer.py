"""Keep face regions, paint everything else a background colour (or make it transparent)."""

from __future__ import annotations

from typing import Any

import numpy as np

from pyfame.errors import PyfameValueError
from pyfame.face.faces import Faces
from pyfame.face.region_mask import region_mask
from pyfame.pipeline.layer import Layer, SourceInfo
from pyfame.solid_color import solid_color
from pyfame.face.regions import FACE_OVAL_MASK, region_name, resolve_regions
from pyfame.validation import check_bool, check_color, check_float


class Mask(Layer):
    """Show only the given regions of the face over a flat background.

    Parameters
    ----------
    mask_type : region or list of regions
        A mask type (``FACE_OVAL_MASK`` default), a path, a name, or a list of them,
        masked together (union).
    background_color : tuple of int
        RGB colour outside the mask (white by default).
    transparent : bool
        Also make an alpha channel of the mask (PNG stills get a transparent background).
    feather_px : float
        Edge softness in pixels (0: crisp anti-aliased edge).

    Examples
    --------
    >>> import pyfame as pf
    >>> layer = pf.Mask(pf.FACE_SKIN_MASK, background_color=(0, 255, 0))
    """

    name = "mask"

    def __init__(self, mask_type: Any = FACE_OVAL_MASK, background_color: tuple[int, int, int] = (255, 255, 255),
                 transparent: bool = False, feather_px: float = 0.0) -> None:
        self.regions = resolve_regions(mask_type, "mask_type")
        self.background_color = check_color(background_color, "background_color")
        self.transparent = check_bool(transparent, "transparent")
        self.feather_px = check_float(feather_px, "feather_px", low=0.0, high=200.0)
        self._alpha: np.ndarray | None = None

    def start(self, info: SourceInfo) -> None:
        if self.transparent and info.kind == "video":
            raise PyfameValueError("transparent=True needs still images: H.264 video has no alpha channel")

    def apply(self, frame: np.ndarray, faces: Faces, t: float, rng: np.random.Generator) -> np.ndarray:
        mask = region_mask(faces, self.regions, frame.shape, self.feather_px)
        out = solid_color(frame.shape[:2], self.background_color)
        if not mask.empty:
            rows, cols = mask.slices
            a = mask.alpha[..., None]
            blended = frame[rows, cols] * a + np.asarray(self.background_color, np.float32) * (1 - a)
            out[rows, cols] = np.clip(np.rint(blended), 0, 255).astype(np.uint8)
        if self.transparent:
            self._alpha = np.clip(np.rint(mask.full() * 255), 0, 255).astype(np.uint8)
        return out

    def alpha(self) -> np.ndarray | None:
        """The last frame's mask as an alpha channel (uint8), when ``transparent``."""
        return self._alpha if self.transparent else None

    def params(self) -> dict[str, Any]:
        return {"mask_type": region_name(self.regions), "background_color": self.background_color,
                "transparent": self.transparent, "feather_px": self.feather_px}
