"""Keep face regions, paint everything else a background colour (or make it transparent)."""

from __future__ import annotations

import numpy as np

from pyfame.face.faces import Faces
from pyfame.face.region_mask import region_mask
from pyfame.face.regions import FACE_OVAL_MASK
from pyfame.pipeline.layer import Layer
from pyfame.pipeline.region_layer import feathering
from pyfame.pipeline.params import Boolean, Color, Param, Regions
from pyfame.solid_color import solid_color


class Mask(Layer):
    """Show only the given regions of the face over a flat background.

    Examples
    --------
    >>> import pyfame as pf
    >>> layer = pf.Mask(pf.FACE_SKIN_MASK, background_color=(0, 255, 0))
    """

    name = "mask"
    subfolder = "Masked"

    mask_type: list = Param(Regions(), default=FACE_OVAL_MASK, help="The regions kept (together).",
                            cli_names=("--region",))
    background_color: tuple = Param(Color(), default=(255, 255, 255), help="Colour outside the mask (RGB).",
                                    cli_names=("--background",))
    transparent: bool = Param(Boolean(), default=False,
                              help="Stills: also write the mask as an alpha channel (PNG with a transparent background).")
    feather_px, feather_iod = feathering(0.0)

    def __post_init__(self) -> None:
        self._alpha: np.ndarray | None = None

    def covered_regions(self) -> None:
        """None: this layer changes the whole frame, not only its regions."""
        return None

    def accepts(self, kind: str) -> str | None:
        if self.transparent and kind == "video":
            return "transparent=True needs still images: H.264 video has no alpha channel"
        return None

    def output_format(self) -> str | None:
        return "png" if self.transparent else None

    def apply(self, frame: np.ndarray, faces: Faces, t: float, rng: np.random.Generator) -> np.ndarray:
        mask = region_mask(faces, self.mask_type, frame.shape, self.feather_px, self.feather_iod)
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
