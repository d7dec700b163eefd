"""The landmark cache: a second pass loads landmarks instead of tracking."""

from __future__ import annotations

import numpy as np

from pyfame.face import tracker as tracker_module
from pyfame.face.faces import Faces
from pyfame.face.landmark_cache import LandmarkCache
from pyfame.pipeline.file_pass import Targets, Work, run_file
from pyfame.pipeline.run_options import RunOptions
from pyfame.core.analysis.landmark_probe import LandmarkProbe


def test_round_trip(tmp_path):
    cache = LandmarkCache(tmp_path)
    lm = np.random.default_rng(0).random((2, 478, 3)).astype(np.float32) * 100
    frames = [Faces.from_landmarks(lm, (200, 200, 3)), Faces.empty(), Faces.from_landmarks(lm[:1], (200, 200, 3))]
    key = cache.key("ab" * 32, {"num_faces": 2})
    cache.save(key, frames)
    back = cache.load(key)
    assert [f.count for f in back] == [2, 0, 1]
    np.testing.assert_array_equal(back[0].landmarks, lm)
    assert cache.key("ab" * 32, {"num_faces": 1}) != key
    assert list(tmp_path.glob(".*")) == []


def test_the_hairline_is_cached_with_the_landmarks(tmp_path):
    """A cached run's foreheads reach the hairline as the tracked run's did."""
    cache = LandmarkCache(tmp_path)
    rng = np.random.default_rng(1)
    lm = rng.random((2, 478, 3)).astype(np.float32) * 100
    hairline = rng.random((2, 29, 2)).astype(np.float32) * 100
    frames = [Faces.from_landmarks(lm, (200, 200, 3), hairline=hairline), Faces.empty()]
    key = cache.key("cd" * 32, {})
    cache.save(key, frames)
    back = cache.load(key)
    np.testing.assert_array_equal(back[0].hairline, hairline)
    np.testing.assert_array_equal(back[0].boxes, frames[0].boxes)


def test_damaged_entry_is_a_miss(tmp_path):
    cache = LandmarkCache(tmp_path)
    (tmp_path / "k.npz").write_bytes(b"garbage")
    assert cache.load("k") is None


def test_second_run_uses_the_cache_and_skips_tracking(talking_video, tmp_path, monkeypatch):
    path, _ = talking_video
    options = RunOptions(landmark_cache=tmp_path / "cache")
    first = run_file(path, Targets(), Work([], [LandmarkProbe()]), options)
    assert not first.cache_hit and len(list((tmp_path / "cache").glob("*.npz"))) == 1

    def no_tracking(*args, **kwargs):
        raise AssertionError("the tracker ran although the cache holds this file")

    monkeypatch.setattr("pyfame.pipeline.face_stage.FaceTracker", no_tracking)
    second = run_file(path, Targets(), Work([], [LandmarkProbe()]), options)
    assert second.cache_hit
    assert second.frames_with_face == first.frames_with_face == first.frames
    assert second.tables["landmarks"].equals(first.tables["landmarks"])
    assert tracker_module.FaceTracker is not no_tracking  # only the pipeline's name was patched


def test_cache_off_writes_nothing(talking_video, tmp_path):
    path, _ = talking_video
    run_file(path, Targets(), Work([], [LandmarkProbe()]), RunOptions(landmark_cache=False))
    assert not (tmp_path / "cache").exists()
