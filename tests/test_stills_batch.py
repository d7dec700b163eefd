"""Folders of stills: one tracker per process, decoding and tracking ahead of the layers, and
the same bytes whichever way the files run (pipelined, on worker processes, one at a time)."""

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


def test_stills_are_decoded_and_tracked_ahead_of_the_layers(stills, tmp_path, counting):
    """While the layers and the encoder work on one still, the next is tracked in a thread of
    its own (MediaPipe, OpenCV's codecs and hashing release the GIL), so a folder of stills
    keeps more than one core busy without worker processes."""
    from pyfame.pipeline.layer import Layer

    layer_threads = []

    class Noting(Layer, register=False):
        name = "noting"

        def apply(self, frame, faces, t, rng):
            layer_threads.append(threading.current_thread().name)
            return frame

    pf.apply_layers(stills, tmp_path, [Noting()], seed=1, landmark_cache=False)
    assert layer_threads == ["MainThread"] * 4
    assert len(counting.tracked_in) == 4 and "MainThread" not in counting.tracked_in


def test_stills_give_the_same_bytes_pipelined_on_workers_or_one_at_a_time(stills, tmp_path, noise_image):
    """Outputs and sidecars are the same bytes from a pipelined folder run (one reused
    tracker), from two worker processes, and from each file run alone with a tracker of its
    own (as before trackers were reused). Errors found ahead (an undecodable file) or at
    tracking (no face) reach the caller as that file's result, in input order, and the
    other files are made."""
    folder = tmp_path / "in"
    folder.mkdir()
    for path in stills.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / "b_broken.jpg").write_bytes(b"not a jpeg")
    (folder / "c_noise.png").write_bytes(noise_image.read_bytes())
    runs, errors = {}, {}
    for name, workers in (("pipelined", None), ("workers", 2)):
        runs[name] = tmp_path / name
        runs[name].mkdir()
        results = pf.face_color_shift(folder, runs[name], seed=3, landmark_cache=False, workers=workers)
        errors[name] = [(r.input.name, type(r.error).__name__ if r.error else None) for r in results]
    assert errors["pipelined"] == errors["workers"] == [
        ("b_broken.jpg", "FileReadError"), ("c_noise.png", "FaceNotFoundError"), ("face_000.jpg", None),
        ("face_001.jpg", None), ("more_face_000.png", None), ("more_face_001.png", None)]
    runs["alone"] = tmp_path / "alone"
    runs["alone"].mkdir()
    for path in sorted(folder.iterdir()):
        if path.name.startswith(("face", "more")):
            face_stage.close_idle_trackers()  # a new tracker for each file
            pf.face_color_shift(path, runs["alone"], seed=3, landmark_cache=False)
    made = {name: outputs(folder) for name, folder in runs.items()}
    assert len(made["alone"]) == 8  # four stills and their sidecars
    assert made["pipelined"] == made["alone"]
    assert made["workers"] == made["alone"]


def test_a_still_met_twice_in_a_folder_comes_from_the_landmark_cache(stills, tmp_path):
    """The cache is looked up and filled in file order, by the stage that tracks: a copy of a
    still later in the folder is a cache hit (recorded in its sidecar), as when the files ran
    one after the other, not tracked again because its look-up ran ahead of the first's save."""
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a.jpg", "b.jpg", "c.jpg"):
        (folder / name).write_bytes((stills / "face_000.jpg").read_bytes())
    results = pf.face_color_shift(folder, tmp_path, seed=1, landmark_cache=tmp_path / "cache")
    assert [r.cache_hit for r in results] == [False, True, True]
    assert len(list((tmp_path / "cache").glob("*.npz"))) == 1


def test_a_failing_last_stage_stops_the_stages_ahead():
    """An error in the caller's stage (or Ctrl-C) ends the run at once: the threads ahead stop
    and nothing more is read."""
    from pyfame.pipeline.executors import SerialExecutor

    read = []

    class Failing:
        def read(self, x):
            read.append(x)
            return x

        def finish(self, x):
            if x == 2:
                raise RuntimeError("boom")
            return x

        stages = property(lambda self: (self.read, self.finish))

        def __call__(self, x):
            return self.finish(self.read(x))

    with pytest.raises(RuntimeError, match="boom"):
        SerialExecutor().map(Failing(), list(range(100)))
    assert not [t for t in threading.enumerate() if t.name.startswith("pyfame-ahead")]
    assert len(read) < 10


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
