"""Folders of stills: one tracker per process."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np
import pytest

import pyfame as pf
from pyfame.face.tracker import FaceTracker
from pyfame.pipeline import face_stage
from pyfame.samples import write_sample_stills


@pytest.fixture(scope="module")
def stills(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four stills of the sample face (JPEG and PNG, moved, scaled, rotated, tinted)."""
    folder = tmp_path_factory.mktemp("stills")
    write_sample_stills(folder, n=2, size=(320, 320), seed=1)
    for path in write_sample_stills(folder / "png", n=2, size=(320, 320), image_format="png", seed=2):
        path.rename(folder / f"more_{path.name}")
    (folder / "png").rmdir()
    return folder


class CountingTracker(FaceTracker):
    """The real tracker, noting each one made and the threads it tracks in."""

    made: list[str] = []
    tracked_in: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        CountingTracker.made.append(threading.current_thread().name)

    def track(self, pixels, t=0.0):
        CountingTracker.tracked_in.append(threading.current_thread().name)
        return super().track(pixels, t)


@pytest.fixture
def counting(monkeypatch: pytest.MonkeyPatch) -> type[CountingTracker]:
    CountingTracker.made, CountingTracker.tracked_in = [], []
    monkeypatch.setattr(face_stage, "FaceTracker", CountingTracker)
    yield CountingTracker
    face_stage.close_idle_trackers()


def outputs(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_folder_of_stills_starts_the_tracker_once(stills, tmp_path, counting):
    """MediaPipe's graph took about 30 ms to start, once per still: more than tracking the
    still. IMAGE mode holds no state from one still to the next, so one tracker serves all."""
    results = pf.face_color_shift(stills, tmp_path, seed=1, landmark_cache=False)
    assert [r.error for r in results] == [None] * 4
    assert len(counting.tracked_in) == 4
    assert len(counting.made) == 1
    (tmp_path / "again").mkdir()
    pf.face_color_shift(stills / "face_000.jpg", tmp_path / "again", seed=1, landmark_cache=False)
    assert len(counting.made) == 1  # the next call of the process reuses it too


def test_idle_trackers_are_kept_few_and_never_shared():
    from pyfame.face.tracker_settings import TrackerSettings

    face_stage.close_idle_trackers()
    one, two = face_stage.borrow_image_tracker(), face_stage.borrow_image_tracker()
    assert one is not two  # a borrowed tracker is this thread's alone
    other = face_stage.borrow_image_tracker(TrackerSettings(num_faces=2))
    for tracker in (one, two, other):
        face_stage.return_image_tracker(tracker)
    assert len(face_stage._idle) == face_stage.MAX_IDLE_TRACKERS
    assert one._landmarker is None  # the oldest was closed
    assert face_stage.borrow_image_tracker(TrackerSettings(num_faces=2)) is other
    other.close()
    assert face_stage.close_idle_trackers() == 1


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_a_forked_child_does_not_use_its_parents_trackers():
    """A forked child has copies of the parent's trackers without MediaPipe's threads."""
    tracker = face_stage.borrow_image_tracker()
    face_stage.return_image_tracker(tracker)
    pid = os.fork()
    if pid == 0:  # the child: report by exit code only
        os._exit(0 if not face_stage._idle else 1)
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 0
    assert face_stage.borrow_image_tracker() is tracker  # the parent keeps its own
    tracker.close()


def test_a_tracker_that_failed_is_not_kept():
    from pyfame.errors import ImageShapeError
    from pyfame.io.frame import Frame

    face_stage.close_idle_trackers()
    stage = face_stage.FaceStage(iter([Frame(0, 0.0, np.zeros((8, 8), np.uint8))]), "image")
    with pytest.raises(ImageShapeError):
        stage.run_now()
    assert face_stage.close_idle_trackers() == 0
