"""Read still images as RGB uint8 frames."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

import cv2
import numpy as np

from pyfame.errors import FileReadError, ImageShapeError, PyfamePathError
from pyfame.io.frame import Frame
from pyfame.io.media_kinds import media_kind
from pyfame.validation import check_int


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


#: The default pixel limit: the largest image or video frame PyFAME reads, in pixels
#: (100 megapixels: 300 MB as one RGB frame). Larger inputs are refused with
#: :class:`~pyfame.errors.ImageShapeError` from their header, before any pixel is decoded,
#: so a small file that claims a huge size (a "decompression bomb") costs nothing. Every
#: reader takes ``max_pixels`` to set another limit.
MAX_PIXELS = 100_000_000


def check_max_pixels(max_pixels: Any) -> int:
    """``max_pixels`` as a positive int (a typed error naming the parameter otherwise)."""
    return check_int(max_pixels, "max_pixels", low=1)


def check_pixel_count(path: Path, width: int, height: int, max_pixels: int) -> None:
    """Refuse a ``width`` x ``height`` picture above ``max_pixels``, naming the file.

    Raises
    ------
    ImageShapeError
        ``width * height > max_pixels``.
    """
    if int(width) * int(height) > max_pixels:
        raise ImageShapeError(
            f"{path} is {width}x{height} pixels, more than the limit of {max_pixels:,} "
            "(max_pixels; refused from the header, nothing was decoded)"
        )


def image_header_size(path: str | os.PathLike[str]) -> tuple[int, int] | None:
    """``(width, height)`` of a still image read from its header alone, or None.

    Pillow's format parsers read only the header (no pixel is decoded, whatever the size;
    Pillow's own decompression-bomb limit is not applied, PyFAME applies its own). None
    when no parser recognises the header; the image is then checked after decoding.

    Examples
    --------
    >>> # image_header_size("face.png")  → (512, 512)
    """
    from PIL import Image

    Image.init()
    with open(path, "rb") as fp:
        prefix = fp.read(16)
        for fmt in Image.ID:
            factory, accept = Image.OPEN[fmt]
            verdict = accept(prefix) if accept else True
            if not verdict or isinstance(verdict, str):
                continue
            fp.seek(0)
            try:
                image = factory(fp, os.fspath(path))
            except Exception:  # not this format, or a damaged header: try the next parser
                continue
            width, height = image.size
            return int(width), int(height)
    return None


def read_image_with_alpha(
    path: str | os.PathLike[str], max_pixels: int = MAX_PIXELS
) -> tuple[np.ndarray, np.ndarray | None]:
    """RGB uint8 ``(H, W, 3)`` and the alpha channel (uint8 ``(H, W)``) or None.

    Grey images become RGB; 16-bit images are scaled to 8 bits (``v * 255 / 65535``).

    Parameters
    ----------
    path : str or Path
        The image.
    max_pixels : int
        Refuse images with more pixels than this (:data:`MAX_PIXELS` by default), from the
        header, before decoding.

    Raises
    ------
    ImageShapeError
        The image has more than ``max_pixels`` pixels, or an unusable pixel layout.

    Examples
    --------
    >>> # rgb, alpha = read_image_with_alpha("face.png")
    """
    p = Path(path)
    max_pixels = check_max_pixels(max_pixels)
    _check_file(p)
    media_kind(p)
    size = image_header_size(p)
    if size is not None:
        check_pixel_count(p, size[0], size[1], max_pixels)
    data = np.fromfile(p, dtype=np.uint8)  # works for non-ASCII paths, unlike cv2.imread
    img = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
    if img is None:
        raise FileReadError(f"{p} is not a readable image (corrupt, truncated or not an image)")
    check_pixel_count(p, img.shape[1], img.shape[0], max_pixels)
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


def read_image(path: str | os.PathLike[str], max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """An image as RGB uint8 ``(H, W, 3)``; the alpha channel, if any, is dropped.

    ``max_pixels`` is the pixel limit (see :func:`read_image_with_alpha`).

    Examples
    --------
    >>> # read_image("face.jpg").shape  → (H, W, 3)
    """
    return read_image_with_alpha(path, max_pixels)[0]


class ImageSource:
    """A still image as a one-frame source (``Frame(0, 0.0, pixels)``).

    Parameters
    ----------
    path : str or Path
        The image.
    max_pixels : int
        Pixel limit, checked from the header (:data:`MAX_PIXELS` by default).

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

    def __init__(self, path: str | os.PathLike[str], max_pixels: int = MAX_PIXELS) -> None:
        self.path = Path(path)
        self.pixels, self.alpha = read_image_with_alpha(self.path, max_pixels)
        self.height, self.width = self.pixels.shape[:2]

    def __iter__(self) -> Iterator[Frame]:
        yield Frame(0, 0.0, self.pixels)

    def close(self) -> None:
        """Nothing to release."""

    def __enter__(self) -> ImageSource:
        return self

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
