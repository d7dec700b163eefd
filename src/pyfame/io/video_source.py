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
from pyfame.validation import check_bool

log = logging.getLogger(__name__)

#: A video without a frame count is truncated when it ends more than this many frames ...
TRUNCATION_TOLERANCE_FRAMES = 2
#: ... or more than this fraction of its duration, whichever is longer, before the duration
#: its container gives.
TRUNCATION_TOLERANCE_FRACTION = 0.02


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
    allow_truncated : bool
        Accept a file that ends before its container says it should (see Notes) with a
        warning, recording both numbers in :attr:`truncation`, instead of raising.

    Raises
    ------
    PyfamePathError
        The path does not exist or is a folder.
    FileReadError
        Empty, not a video, no video stream, or no frame decodes; while iterating, a
        truncated file (unless ``allow_truncated``).
    ImageShapeError
        Frames larger than ``max_pixels``.

    Notes
    -----
    A file cut short (a download or copy that stopped) usually still carries its
    container's index: an MP4 whose ``moov`` comes first lists every frame, an MKV/WebM
    header its duration. Once iteration has ended, the frames read are compared with
    what the container promised: fewer frames than its frame count (frames are counted as
    packets, so frames an edit list hides are not missing), or, when it gives no count,
    a video that ends more than :data:`TRUNCATION_TOLERANCE_FRAMES` frames (or
    :data:`TRUNCATION_TOLERANCE_FRACTION` of the duration, if more) before the video
    stream's duration (the container's, for a file with no other stream). A decoding error
    after the first frame counts as truncation too. Then iteration raises
    :class:`FileReadError` saying how many frames were read of how many, unless
    ``allow_truncated``.

    Examples
    --------
    >>> # with VideoSource("clip.mp4") as video:
    >>> #     for frame in video: print(frame.index, frame.t)
    """

    kind = "video"

    def __init__(self, path: str | os.PathLike[str], max_pixels: int = MAX_PIXELS,
                 allow_truncated: bool = False) -> None:
        self.path = Path(path)
        self.max_pixels = check_max_pixels(max_pixels)
        self.allow_truncated = check_bool(allow_truncated, "allow_truncated")
        #: After an iteration that found the file truncated (only with ``allow_truncated``):
        #: ``{"frames_expected": N, "frames_read": M}`` (N is None when only a decoding
        #: error showed it). None otherwise.
        self.truncation: dict[str, int | None] | None = None
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
        self._index_frames = int(s.frames) if s.frames else 0
        self._video_seconds = self._promised_seconds()
        self.audio_stream_count = len(self._container.streams.audio)
        self.has_audio = self.audio_stream_count > 0

    def _promised_seconds(self) -> float | None:
        """How long the container says the video stream is, or None when it does not say."""
        s = self._stream
        if s.duration:
            return float(s.duration * self.time_base)
        tag = {k.lower(): v for k, v in (s.metadata or {}).items()}.get("duration")
        if tag:  # Matroska/WebM write each stream's duration as a tag, e.g. 00:00:04.000000000
            try:
                h, m, sec = tag.split(":")
                return int(h) * 3600 + int(m) * 60 + float(sec)
            except ValueError:
                pass
        if len(self._container.streams) == 1 and self._container.duration:
            return float(self._container.duration / av.time_base)
        return None

    @property
    def frames_expected(self) -> int | None:
        """The frames the container promises: its frame count, else its video duration
        times the frame rate, else None."""
        if self._index_frames:
            return self._index_frames
        if self._video_seconds:
            return int(round(self._video_seconds * float(self.fps)))
        return None

    def _check_complete(self, frames_read: int, packets_read: int, end_t: float,
                        error: BaseException | None) -> None:
        """Raise (or, with ``allow_truncated``, record and warn) when frames are missing."""
        expected = self.frames_expected
        if self._index_frames:
            short = packets_read < self._index_frames
        elif self._video_seconds:
            tolerance = max(TRUNCATION_TOLERANCE_FRAMES / float(self.fps),
                            TRUNCATION_TOLERANCE_FRACTION * self._video_seconds)
            short = end_t < self._video_seconds - tolerance
        else:
            short = False
        if not short and error is None:
            return
        of = f"{expected}" if expected is not None else "an unknown number of"
        why = f"decoding failed: {error}" if error is not None else "the file ends early"
        if not self.allow_truncated:
            raise FileReadError(
                f"{self.path} is truncated: {frames_read} of {of} frames could be read ({why}); "
                "nothing was written (allow_truncated=True processes what is there)"
            ) from error
        self.truncation = {"frames_expected": expected, "frames_read": frames_read}
        log.warning("%s is truncated: %d of %s frames read (%s); going on (allow_truncated)",
                    self.path, frames_read, of, why)

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
            first = next(iter(self._container.decode(self._stream)), None)
        except (av.error.FFmpegError, ValueError) as exc:
            raise FileReadError(f"{self.path}: no video frame could be decoded ({exc})") from exc
        if first is None:
            raise FileReadError(f"{self.path}: no video frame could be decoded (truncated or empty stream)")
        check_pixel_count(self.path, first.width, first.height, self.max_pixels)  # when no header said
        return first

    def __iter__(self) -> Iterator[Frame]:
        container = open_container(self.path, mode="r")
        self.truncation = None
        try:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            if codec_threads():
                stream.codec_context.thread_count = codec_threads()
            index = 0
            packets = 0
            last_t = -1.0
            error: BaseException | None = None
            try:
                for packet in container.demux(stream):
                    # every packet but the empty ones that flush the decoder at the end
                    if packet.size or packet.pts is not None or packet.dts is not None:
                        packets += 1
                    for frame in packet.decode():
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
                error = exc
            self._check_complete(index, packets, last_t + 1.0 / float(self.fps), error)
        finally:
            container.close()

    def close(self) -> None:
        """Release the container."""
        self._container.close()

    def __enter__(self) -> VideoSource:
        return self

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
