"""Which files PyFAME reads, by extension.

Examples
--------
>>> media_kind("clip.MOV")
'video'
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pyfame.errors import UnrecognizedExtensionError

IMAGE_EXTENSIONS = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"})
VIDEO_EXTENSIONS = frozenset({".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v"})


def media_kind(path: str | os.PathLike[str]) -> Literal["image", "video"]:
    """``"image"`` or ``"video"`` by the file's extension (case-insensitive).

    Raises
    ------
    UnrecognizedExtensionError
        For any other extension; the message names the file.
    """
    suffix = Path(path).suffix.lower()
    if suffix in IMAGE_EXTENSIONS:
        return "image"
    if suffix in VIDEO_EXTENSIONS:
        return "video"
    raise UnrecognizedExtensionError(
        f"{path}: unsupported extension {suffix or '(none)'!r}; images: "
        f"{' '.join(sorted(IMAGE_EXTENSIONS))}; videos: {' '.join(sorted(VIDEO_EXTENSIONS))}"
    )
