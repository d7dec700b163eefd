"""Read videos with PyAV as RGB uint8 frames with their presentation times."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from types import TracebackType

import av
import numpy as np

from pyfame.errors import FileReadError
from pyfame.io.frame import Frame
from pyfame.io.thread_budget import codec_threads
from pyfame.io.image_source import MAX_PIXELS, _check_file, check_max_pixels, check_pixel_count
from pyfame.io.media_kinds import media_kind
from pyfame.io.media_open import open_container

log = logging.getLogger(__name__)


def upright(pixels: np.ndarray, rotation: int) -> np.ndarray:
    """Apply a container's display rotation (degrees counter-clockwise, as PyAV reports it)."""
    turns = (int(round(rotation / 90.0)) % 4)
    if turns == 0:
        return pixels
    # A display matrix rotation of +90 (counter-clockwise) is shown by turning the stored
    # picture 90 degrees counter-clockwise: np.rot90 with k=turns.
    return np.ascontiguousarray(np.rot90(pixels, k=turns))


class VideoSource:
    """A video file as frames: ``Frame(index, t, pixels)``.

    ``t`` is the frame's presentation time in seconds from the stream's start, read from
    the container (a variable-frame-rate file keeps its real times). Pixels are RGB uint8,
    turned upright when the container carries a rotation flag.

    Parameters
    ----------
    path : str or Path
        Any file PyAV decodes with a video stream.
    max_pixels : int
        Refuse videos whose frames have more pixels than this (:data:`MAX_PIXELS` by
        default), from the stream's codec parameters before any frame is decoded (from the
        first decoded frame when the container does not say).

    Raises
    ------
    PyfamePathError
        The path does not exist or is a folder.
    FileReadError
        Empty, not a video, no video stream, or no frame decodes.
    ImageShapeError
        Frames larger than ``max_pixels``.

    Examples
    --------
    >>> # with VideoSource("clip.mp4") as video:
    >>> #     for frame in video: print(frame.index, frame.t)
    """

    kind = "video"

    def __init__(self, path: str | os.PathLike[str], max_pixels: int = MAX_PIXELS) -> None:
        self.path = Path(path)
        self.max_pixels = check_max_pixels(max_pixels)
        _check_file(self.path)
        media_kind(self.path)
        self._check_header_size()
        try:
            self._container = open_container(self.path, mode="r")
        except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
            raise FileReadError(f"{self.path} is not a readable video ({exc})") from exc
        try:
            if not self._container.streams.video:
                raise FileReadError(f"{self.path} has no video stream")
            self._stream = self._container.streams.video[0]
            self._stream.thread_type = "AUTO"
            first = self._first_frame()
        except BaseException:
            self._container.close()
            raise
        self.rotation = int(getattr(first, "rotation", 0) or 0)
        w, h = first.width, first.height
        if (int(round(self.rotation / 90.0)) % 2) == 1:
            w, h = h, w
        self.width, self.height = int(w), int(h)
        s = self._stream
        self.time_base: Fraction = s.time_base or Fraction(1, 90000)
        self.fps: Fraction = Fraction(s.average_rate or s.guessed_rate or s.base_rate or 30)
        self.start_pts = int(s.start_time if s.start_time is not None else (first.pts or 0))
        if s.duration:
            self.duration = float(s.duration * self.time_base)
        elif self._container.duration:
            self.duration = float(self._container.duration / av.time_base)
        else:
            self.duration = 0.0
        self.frame_count = int(s.frames) if s.frames else int(round(self.duration * float(self.fps)))
        self.audio_stream_count = len(self._container.streams.audio)
        self.has_audio = self.audio_stream_count > 0

    def _check_header_size(self) -> None:
        """Refuse frames above ``max_pixels`` from the codec parameters alone.

        Opening a container normally lets FFmpeg decode a frame to learn the stream's
        parameters (for H.264 in MP4: the pixel format), which for a 16000x16000 clip is
        hundreds of megabytes before anything can be checked. This first look asks the
        decoder to skip every frame (``skip_frame=all``), so only headers are read.
        """
        try:
            with open_container(self.path, mode="r", options={"skip_frame": "all"}) as probe:
                streams = probe.streams.video
                if not streams:
                    return  # said properly by the full open below
                codec = streams[0].codec_context
                width, height = (codec.width, codec.height) if codec is not None else (0, 0)
        except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
            raise FileReadError(f"{self.path} is not a readable video ({exc})") from exc
        if width and height:
            check_pixel_count(self.path, width, height, self.max_pixels)

    def _first_frame(self) -> av.VideoFrame:
        try:
            for frame in self._container.decode(self._stream):
                check_pixel_count(self.path, frame.width, frame.height, self.max_pixels)
                return frame
        except (av.error.FFmpegError, ValueError) as exc:
            raise FileReadError(f"{self.path}: no video frame could be decoded ({exc})") from exc
        raise FileReadError(f"{self.path}: no video frame could be decoded (truncated or empty stream)")

    def __iter__(self) -> Iterator[Frame]:
        container = open_container(self.path, mode="r")
        try:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            if codec_threads():
                stream.codec_context.thread_count = codec_threads()
            index = 0
            last_t = -1.0
            try:
                for frame in container.decode(stream):
                    pts = frame.pts if frame.pts is not None else None
                    if pts is None:
                        t = last_t + 1.0 / float(self.fps) if index else 0.0
                    else:
                        t = float((pts - self.start_pts) * self.time_base)
                    last_t = t
                    pixels = frame.to_ndarray(format="rgb24")
                    rotation = int(getattr(frame, "rotation", 0) or 0) or self.rotation
                    yield Frame(index, t, upright(pixels, rotation))
                    index += 1
            except av.error.FFmpegError as exc:
                if index == 0:
                    raise FileReadError(f"{self.path}: no video frame could be decoded ({exc})") from exc
                log.warning("%s: decoding stopped after %d frames: %s (file truncated?)", self.path, index, exc)
        finally:
            container.close()

    def close(self) -> None:
        """Release the container."""
        self._container.close()

    def __enter__(self) -> VideoSource:
        return self

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
