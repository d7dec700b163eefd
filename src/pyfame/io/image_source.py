"""Read still images as RGB uint8 frames."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

import cv2
import numpy as np

from pyfame.errors import FileReadError, ImageShapeError, PyfamePathError
from pyfame.io.frame import Frame
from pyfame.io.media_kinds import media_kind


def _check_file(path: Path) -> None:
    if not path.exists():
        raise PyfamePathError(f"{path} does not exist")
    if path.is_dir():
        raise PyfamePathError(f"{path} is a folder, expected a file")
    if path.stat().st_size == 0:
        raise FileReadError(f"{path} is empty (0 bytes)")


def _to_uint8(img: np.ndarray, path: Path) -> np.ndarray:
    if img.dtype == np.uint8:
        return img
    if img.dtype == np.uint16:
        return ((img.astype(np.uint32) * 255 + 32767) // 65535).astype(np.uint8)
    if img.dtype in (np.float32, np.float64):
        return np.clip(np.rint(img * 255.0), 0, 255).astype(np.uint8)
    raise ImageShapeError(f"{path}: unsupported pixel type {img.dtype}")


#: Largest image PyFAME reads, in pixels (100 megapixels: 300 MB as RGB).
MAX_PIXELS = 100_000_000


def read_image_with_alpha(path: str | os.PathLike[str]) -> tuple[np.ndarray, np.ndarray | None]:
    """RGB uint8 ``(H, W, 3)`` and the alpha channel (uint8 ``(H, W)``) or None.

    Grey images become RGB; 16-bit images are scaled to 8 bits (``v * 255 / 65535``).

    Examples
    --------
    >>> # rgb, alpha = read_image_with_alpha("face.png")
    """
    p = Path(path)
    _check_file(p)
    media_kind(p)
    data = np.fromfile(p, dtype=np.uint8)  # works for non-ASCII paths, unlike cv2.imread
    img = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
    if img is None:
        raise FileReadError(f"{p} is not a readable image (corrupt, truncated or not an image)")
    if img.shape[0] * img.shape[1] > MAX_PIXELS:
        raise ImageShapeError(
            f"{p} is {img.shape[1]}x{img.shape[0]} pixels, more than PyFAME's limit of {MAX_PIXELS:,}"
        )
    img = _to_uint8(img, p)
    alpha = None
    if img.ndim == 2:
        rgb = cv2.cvtColor(img, cv2.COLOR_GRAY2RGB)
    elif img.shape[2] == 4:
        alpha = np.ascontiguousarray(img[:, :, 3])
        rgb = cv2.cvtColor(img, cv2.COLOR_BGRA2RGB)
    elif img.shape[2] == 3:
        rgb = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
    else:
        raise ImageShapeError(f"{p}: unsupported channel count {img.shape[2]}")
    return np.ascontiguousarray(rgb), alpha


def read_image(path: str | os.PathLike[str]) -> np.ndarray:
    """An image as RGB uint8 ``(H, W, 3)``; the alpha channel, if any, is dropped.

    Examples
    --------
    >>> # read_image("face.jpg").shape  → (H, W, 3)
    """
    return read_image_with_alpha(path)[0]


class ImageSource:
    """A still image as a one-frame source (``Frame(0, 0.0, pixels)``).

    Examples
    --------
    >>> # with ImageSource("face.png") as s: frame, = list(s)
    """

    kind = "image"
    fps = None
    time_base = None
    frame_count = 1
    duration = 0.0
    has_audio = False
    rotation = 0

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.pixels, self.alpha = read_image_with_alpha(self.path)
        self.height, self.width = self.pixels.shape[:2]

    def __iter__(self) -> Iterator[Frame]:
        yield Frame(0, 0.0, self.pixels)

    def close(self) -> None:
        """Nothing to release."""

    def __enter__(self) -> ImageSource:
        return self

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
