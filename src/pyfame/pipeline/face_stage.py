"""Each frame with its faces: none, from the landmark cache, or tracked, ahead of the layers.

Stills are tracked in IMAGE mode, where each frame stands alone: the tracker (MediaPipe's
graph, about 30 ms to start) is borrowed from a small per-process pool and given back
afterwards (:func:`borrow_image_tracker`), so a folder of stills starts it once per process,
not once per file. The landmarks do not depend on what the tracker saw before. VIDEO-mode
trackers follow the face from frame to frame and are made for each file.

Examples
--------
>>> from pyfame.io.frame import Frame
>>> import numpy as np
>>> stage = FaceStage(iter([Frame(0, 0.0, np.zeros((4, 4, 3), np.uint8))]), "image", track=False)
>>> [(frame.index, bool(faces)) for frame, faces in stage]
[(0, False)]
"""

from __future__ import annotations

import atexit
import os
import threading
from collections.abc import Iterator, Sequence

from pyfame.face.faces import Faces
from pyfame.face.tracker import FaceTracker, TrackingMode
from pyfame.face.tracker_settings import TrackerSettings
from pyfame.io.frame import Frame
from pyfame.pipeline.prefetch import prefetch

#: Frames tracked ahead of the layers. MediaPipe runs outside the GIL, so while the layers,
#: probes and encoder work on frame k, frame k + 1 is being tracked.
TRACK_AHEAD = 2
#: Idle IMAGE-mode trackers a process keeps for the next still (each holds MediaPipe's graph).
MAX_IDLE_TRACKERS = 2

_idle: list[tuple[object, FaceTracker]] = []  # (key, tracker), oldest first
_idle_lock = threading.Lock()


def _key(cls: type, settings: TrackerSettings | None) -> object:
    # The class is part of the key: a tracker of another class (a test's stand-in) is never
    # handed out for this one.
    return (cls, settings or TrackerSettings())


def borrow_image_tracker(settings: TrackerSettings | None = None) -> FaceTracker:
    """An IMAGE-mode tracker with ``settings`` for this thread's use: an idle one of the
    process if there is one, else a new one. Give it back with :func:`return_image_tracker`
    (or close it) when done; until then no other thread gets it.

    Examples
    --------
    >>> tracker = borrow_image_tracker()
    >>> tracker.mode
    'image'
    >>> return_image_tracker(tracker)
    >>> borrow_image_tracker() is tracker  # the same graph, not started again
    True
    >>> tracker.close()
    """
    key = _key(FaceTracker, settings)
    with _idle_lock:
        for i in range(len(_idle) - 1, -1, -1):  # the one given back last
            if _idle[i][0] == key:
                return _idle.pop(i)[1]
    return FaceTracker(settings, mode="image")


def return_image_tracker(tracker: FaceTracker) -> None:
    """Keep a borrowed IMAGE-mode tracker for the next still of this process; the oldest idle
    one is closed when more than :data:`MAX_IDLE_TRACKERS` would be kept."""
    closing: list[FaceTracker] = []
    with _idle_lock:
        _idle.append((_key(type(tracker), tracker.settings), tracker))
        while len(_idle) > MAX_IDLE_TRACKERS:
            closing.append(_idle.pop(0)[1])
    for old in closing:
        old.close()


def close_idle_trackers() -> int:
    """Close the idle IMAGE-mode trackers of this process (the end of a batch; at exit);
    returns how many there were."""
    with _idle_lock:
        closing = [tracker for _, tracker in _idle]
        _idle.clear()
    for tracker in closing:
        tracker.close()
    return len(closing)


def _forget_idle_trackers() -> None:
    # A forked child has copies of the parent's trackers but not their MediaPipe threads:
    # it must never use them (nor close them, which would wait on those threads).
    global _idle, _idle_lock
    _idle = []
    _idle_lock = threading.Lock()


atexit.register(close_idle_trackers)  # before MediaPipe's own objects are torn down
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_idle_trackers)


class FaceStage:
    """Pair every frame with its faces.

    Frames without tracking get no faces; frames the landmark cache covers get the cached
    faces; the rest are tracked, by one tracker taken on first use (a still's from the
    process's pool of IMAGE-mode trackers, see :func:`borrow_image_tracker`). A video without a
    cache is tracked in a thread of its own, :data:`TRACK_AHEAD` frames ahead of the caller.
    :meth:`run_now` pairs every frame at once, in the calling thread (a still tracked in a
    stage ahead of the previous file's layers); iterating afterwards gives those pairs.
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
        self._done: list[tuple[Frame, Faces]] | None = None
        self.tracked: list[Faces] = []

    def _pairs(self) -> Iterator[tuple[Frame, Faces]]:
        # The thread that runs this generator owns the tracker and the frame source: it
        # releases both when it ends, is closed, or fails, so nothing it uses is closed under
        # it from another thread.
        tracker: FaceTracker | None = None
        broken = False
        try:
            for frame in self._frames:
                if not self._track:
                    faces = Faces.empty()
                elif self._cached is not None and frame.index < len(self._cached):
                    faces = self._cached[frame.index]
                else:
                    if tracker is None:
                        tracker = (borrow_image_tracker(self._settings) if self._mode == "image"
                                   else FaceTracker(self._settings, mode=self._mode))
                    try:
                        faces = tracker.track(frame.pixels, frame.t)
                    except BaseException:
                        broken = True
                        raise
                    self.tracked.append(faces)
                yield frame, faces
        finally:
            if tracker is not None:
                if self._mode == "image" and not broken:
                    return_image_tracker(tracker)
                else:  # a VIDEO-mode tracker holds this file's timeline; a failed one is not reused
                    tracker.close()
            close_frames = getattr(self._frames, "close", None)
            if close_frames is not None:  # a decoding stage: stop its thread, close the file
                close_frames()

    def run_now(self) -> FaceStage:
        """Pair every frame with its faces now, in this thread, and return the stage; iterating
        it afterwards gives these pairs (tracking a still ahead of the layers).

        Examples
        --------
        >>> import numpy as np
        >>> stage = FaceStage(iter([Frame(0, 0.0, np.zeros((4, 4, 3), np.uint8))]), "image", track=False)
        >>> [frame.index for frame, _ in stage.run_now()]
        [0]
        """
        self._done = list(self._pairs())
        return self

    def __iter__(self) -> Iterator[tuple[Frame, Faces]]:
        if self._done is not None:
            self._iterator = (pair for pair in self._done)
            return self._iterator
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
