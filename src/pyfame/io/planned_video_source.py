"""Read a video's frames in any planned order with bounded memory, by seeking."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence

import av

from pyfame.errors import FileReadError, PyfameValueError
from pyfame.io.frame import Frame
from pyfame.io.media_open import open_container
from pyfame.io.image_source import MAX_PIXELS
from pyfame.io.video_source import VideoSource, upright

log = logging.getLogger(__name__)


def frame_timestamps(path: str | os.PathLike[str]) -> list[int]:
    """Presentation timestamps (stream time base) of every video frame, in display order,
    read from the packets without decoding."""
    with open_container(path) as container:
        stream = container.streams.video[0]
        pts = [p.pts for p in container.demux(stream) if p.pts is not None and p.size]
    return sorted(pts)


class PlannedVideoSource(VideoSource):
    """A :class:`VideoSource` that yields ``plan[k]``-th input frames for k = 0, 1, …

    Frames come out as ``Frame(k, k / fps, pixels)``: a new, constant-rate timeline. Each run
    of consecutive input frames costs one seek (decoding from the keyframe before it), so
    memory stays at a few frames whatever the plan; a shuffled plan of short blocks on a
    file with long keyframe intervals decodes more frames than it uses.

    ``max_pixels`` and ``allow_truncated`` are those of :class:`VideoSource`; a file with
    fewer frames than its container's frame count is found truncated before any decoding.

    Examples
    --------
    >>> # with PlannedVideoSource("clip.mp4", [2, 1, 0]) as s: [f.index for f in s] == [0, 1, 2]
    """

    def __init__(self, path: str | os.PathLike[str], plan: Sequence[int], max_pixels: int = MAX_PIXELS,
                 allow_truncated: bool = False) -> None:
        super().__init__(path, max_pixels=max_pixels, allow_truncated=allow_truncated)
        self._pts = frame_timestamps(self.path)
        n = len(self._pts)
        if self._index_frames and n < self._index_frames:  # checked up front: the packets are read
            if not self.allow_truncated:
                raise FileReadError(
                    f"{self.path} is truncated: {n} of {self._index_frames} frames could be read "
                    "(the file ends early); nothing was written (allow_truncated=True processes what is there)"
                )
            self.truncation = {"frames_expected": self._index_frames, "frames_read": n}
            log.warning("%s is truncated: %d of %d frames read; going on (allow_truncated)",
                        self.path, n, self._index_frames)
        plan = [int(i) for i in plan]
        if not plan:
            raise PyfameValueError(f"{path}: the frame plan is empty")
        bad = [i for i in plan if not 0 <= i < n]
        if bad:
            raise PyfameValueError(f"{path}: the frame plan names frames {bad[:5]} outside 0..{n - 1}")
        self.plan = plan
        self.frame_count = len(plan)
        self.duration = len(plan) / float(self.fps)
        self.time_base = None  # a new timeline: the sink uses its own

    def _runs(self) -> Iterator[tuple[int, int]]:
        start = prev = self.plan[0]
        for i in self.plan[1:]:
            if i == prev + 1:
                prev = i
                continue
            yield start, prev
            start = prev = i
        yield start, prev

    def __iter__(self) -> Iterator[Frame]:
        container = open_container(self.path)
        try:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            out_index = 0
            rate = float(self.fps)
            for first, last in self._runs():
                lo, hi = self._pts[first], self._pts[last]
                container.seek(lo, stream=stream, backward=True, any_frame=False)
                for frame in container.decode(stream):
                    if frame.pts is None or frame.pts < lo:
                        continue
                    if frame.pts > hi:
                        break
                    pixels = upright(frame.to_ndarray(format="rgb24"), self.rotation)
                    yield Frame(out_index, out_index / rate, pixels)
                    out_index += 1
            if out_index != len(self.plan):
                raise FileReadError(f"{self.path}: decoded {out_index} of the {len(self.plan)} planned frames")
        except av.error.FFmpegError as exc:
            raise FileReadError(f"{self.path}: decoding failed while reordering frames ({exc})") from exc
        finally:
            container.close()


__all__ = ["PlannedVideoSource", "frame_timestamps"]
