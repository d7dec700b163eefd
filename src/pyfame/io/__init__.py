"""Sources and sinks for images and videos, atomic writes, and media facts."""

from __future__ import annotations

import os

from pyfame.io.atomic_write import atomic_output
from pyfame.io.frame import Frame
from pyfame.io.image_sink import write_image
from pyfame.io.image_source import MAX_PIXELS, ImageSource, read_image, read_image_with_alpha
from pyfame.io.media_info import media_info
from pyfame.io.media_kinds import IMAGE_EXTENSIONS, VIDEO_EXTENSIONS, media_kind
from pyfame.io.video_sink import VideoSink
from pyfame.io.video_source import VideoSource
from pyfame.validation import check_bool


def open_source(
    path: str | os.PathLike[str], max_pixels: int = MAX_PIXELS, allow_truncated: bool = False
) -> ImageSource | VideoSource:
    """An :class:`ImageSource` or :class:`VideoSource` by the file's extension.

    Parameters
    ----------
    path : str or Path
        An image or a video.
    max_pixels : int
        The pixel limit (:data:`~pyfame.io.image_source.MAX_PIXELS`, 100 megapixels, by
        default): a larger image or video frame is refused with
        :class:`~pyfame.errors.ImageShapeError` from its header, before decoding.
    allow_truncated : bool
        Videos: go on with a file cut short instead of raising
        :class:`~pyfame.errors.FileReadError` (see :class:`VideoSource`).

    Examples
    --------
    >>> # with open_source("clip.mp4") as source: print(source.kind, source.frame_count)
    """
    if media_kind(path) == "image":
        check_bool(allow_truncated, "allow_truncated")
        return ImageSource(path, max_pixels=max_pixels)
    return VideoSource(path, max_pixels=max_pixels, allow_truncated=allow_truncated)


__all__ = [
    "IMAGE_EXTENSIONS",
    "MAX_PIXELS",
    "VIDEO_EXTENSIONS",
    "Frame",
    "ImageSource",
    "VideoSink",
    "VideoSource",
    "atomic_output",
    "media_info",
    "media_kind",
    "open_source",
    "read_image",
    "read_image_with_alpha",
    "write_image",
]
