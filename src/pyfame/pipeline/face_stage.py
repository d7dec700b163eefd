"""Each frame with its faces: none, from the landmark cache, or tracked, ahead of the layers.

Examples
--------
>>> from pyfame.io.frame import Frame
>>> import numpy as np
>>> stage = FaceStage(iter([Frame(0, 0.0, np.zeros((4, 4, 3), np.uint8))]), "image", track=False)
>>> [(frame.index, bool(faces)) for frame, faces in stage]
[(0, False)]
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from pyfame.face.faces import Faces
from pyfame.face.tracker import FaceTracker, TrackingMode
from pyfame.face.tracker_settings import TrackerSettings
from pyfame.io.frame import Frame
from pyfame.pipeline.prefetch import prefetch

#: Frames tracked ahead of the layers. MediaPipe runs outside the GIL, so while the layers,
#: probes and encoder work on frame k, frame k + 1 is being tracked.
TRACK_AHEAD = 2


class FaceStage:
    """Pair every frame with its faces.

    Frames without tracking get no faces; frames the landmark cache covers get the cached
    faces; the rest are tracked, by one tracker created on first use. A video without a
    cache is tracked in a thread of its own, :data:`TRACK_AHEAD` frames ahead of the caller.
    :attr:`tracked` holds the newly tracked faces in frame order, for the cache (complete
    once iteration has ended); :meth:`close` stops early.

    Parameters
    ----------
    frames : iterator of Frame
        The decoded frames, in order.
    mode : {"video", "image"}
        Tracking mode.
    settings : TrackerSettings, optional
        Tracker settings.
    cached : sequence of Faces, optional
        Faces from the landmark cache, by frame index.
    track : bool
        False: every frame gets no faces and nothing is tracked.
    """

    def __init__(self, frames: Iterator[Frame], mode: TrackingMode, settings: TrackerSettings | None = None,
                 cached: Sequence[Faces] | None = None, track: bool = True) -> None:
        self._frames = frames
        self._mode = mode
        self._settings = settings
        self._cached = cached
        self._track = track
        self._iterator: Iterator[tuple[Frame, Faces]] | None = None
        self.tracked: list[Faces] = []

    def _pairs(self) -> Iterator[tuple[Frame, Faces]]:
        # The thread that runs this generator owns the tracker and the frame source: it
        # releases both when it ends, is closed, or fails, so nothing it uses is closed under
        # it from another thread.
        tracker: FaceTracker | None = None
        try:
            for frame in self._frames:
                if not self._track:
                    faces = Faces.empty()
                elif self._cached is not None and frame.index < len(self._cached):
                    faces = self._cached[frame.index]
                else:
                    if tracker is None:
                        tracker = FaceTracker(self._settings, mode=self._mode)
                    faces = tracker.track(frame.pixels, frame.t)
                    self.tracked.append(faces)
                yield frame, faces
        finally:
            if tracker is not None:
                tracker.close()
            close_frames = getattr(self._frames, "close", None)
            if close_frames is not None:  # a decoding stage: stop its thread, close the file
                close_frames()

    def __iter__(self) -> Iterator[tuple[Frame, Faces]]:
        pairs = self._pairs()
        ahead = self._mode == "video" and self._track and self._cached is None
        self._iterator = prefetch(pairs, depth=TRACK_AHEAD, name="pyfame-tracking") if ahead else pairs
        return self._iterator

    def close(self) -> None:
        """Stop: the tracking thread (if any) is told to end and waited for; the tracker and
        the frame source are released by whichever thread used them."""
        if self._iterator is not None:
            self._iterator.close()  # type: ignore[attr-defined]  # a generator
            self._iterator = None
