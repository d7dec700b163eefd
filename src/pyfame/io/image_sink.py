"""Write still images atomically, in the format of the target's extension."""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np

from pyfame.errors import FileWriteError, ImageShapeError
from pyfame.io.atomic_write import atomic_output
from pyfame.io.media_kinds import IMAGE_EXTENSIONS

#: Image formats that hold an alpha channel.
ALPHA_EXTENSIONS = frozenset({".png", ".tif", ".tiff", ".webp"})


def holds_alpha(path: str | os.PathLike[str]) -> bool:
    """Whether an image written to ``path`` (by its extension) keeps an alpha channel.

    Examples
    --------
    >>> holds_alpha("face.png"), holds_alpha("face.jpg")
    (True, False)
    """
    return Path(path).suffix.lower() in ALPHA_EXTENSIONS


def write_image(path: str | os.PathLike[str], pixels_rgb: np.ndarray, alpha: np.ndarray | None = None,
                quality: int = 95, *, image_format: str | None = None, atomic: bool = True) -> Path:
    """Write an RGB uint8 image (with an optional alpha channel, PNG/TIFF/WebP) to ``path``.

    JPEG and WebP use ``quality`` (0-100). The file appears only once complete
    (``atomic=False`` writes ``path`` directly: a temporary file its caller puts in place).
    ``image_format`` (an extension) overrides the one of ``path``.

    Examples
    --------
    >>> # write_image("out/face.png", rgb)
    """
    target = Path(path)
    suffix = "." + image_format.lstrip(".").lower() if image_format else target.suffix.lower()
    if suffix not in IMAGE_EXTENSIONS:
        raise FileWriteError(f"{target}: cannot write images with extension {suffix!r}")
    if pixels_rgb.dtype != np.uint8 or pixels_rgb.ndim != 3 or pixels_rgb.shape[2] != 3:
        raise ImageShapeError(f"{target}: pixels must be RGB uint8 (H, W, 3), got {pixels_rgb.dtype} {pixels_rgb.shape}")
    if alpha is not None:
        if suffix not in ALPHA_EXTENSIONS:
            raise FileWriteError(f"{target}: {suffix} cannot hold transparency; use .png")
        bgr = cv2.cvtColor(pixels_rgb, cv2.COLOR_RGB2BGRA)
        bgr[:, :, 3] = alpha
    else:
        bgr = cv2.cvtColor(pixels_rgb, cv2.COLOR_RGB2BGR)
    params: list[int] = []
    if suffix in (".jpg", ".jpeg"):
        params = [cv2.IMWRITE_JPEG_QUALITY, int(quality)]
    elif suffix == ".webp":
        params = [cv2.IMWRITE_WEBP_QUALITY, int(quality)]
    ok, encoded = cv2.imencode(suffix, bgr, params)
    if not ok:
        raise FileWriteError(f"{target}: the {suffix} encoder failed")
    try:
        if atomic:
            with atomic_output(target) as tmp:
                encoded.tofile(tmp)
        else:
            encoded.tofile(target)
    except OSError as exc:
        raise FileWriteError(f"{target}: {exc.strerror or exc}") from exc
    return target
