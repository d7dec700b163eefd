"""Face tracking on real faces: found in every frame, landmarks follow a known transform."""

from __future__ import annotations

import numpy as np
import pytest

from pyfame.errors import ModelFileError, PyfameTypeError, PyfameValueError
from pyfame.face.faces import Faces
from pyfame.face.tracker import FaceTracker, blendshape_names
from pyfame.face.tracker_settings import TrackerSettings
from pyfame.io import open_source
from pyfame.models import load_model_bytes
from pyfame.samples import sample_face


def test_still_image_landmarks_are_pixels_on_the_face():
    face = sample_face()
    with FaceTracker(TrackerSettings(blendshapes=True, head_pose=True), mode="image") as tracker:
        faces = tracker.track(face)
    assert faces.landmarks.shape == (1, 478, 3) and faces.landmarks.dtype == np.float32
    x0, y0, x1, y1 = faces.boxes[0]
    # the astronaut's face sits in the upper middle of the 512x512 portrait
    # (the box holds the hairline too: its top is at the fringe)
    assert 150 < x0 < 220 and 25 < y0 < 110 and 240 < x1 < 320 and 150 < y1 < 230
    nose_tip = faces.landmarks[0, 1, :2]
    assert x0 < nose_tip[0] < x1 and y0 < nose_tip[1] < y1
    assert faces.blendshapes.shape == (1, 52)
    assert faces.matrices.shape == (1, 4, 4)
    assert len(blendshape_names()) == 52


def test_noise_has_no_face():
    noise = np.random.default_rng(1).integers(0, 256, (240, 320, 3), dtype=np.uint8)
    with FaceTracker(mode="image") as tracker:
        faces = tracker.track(noise)
    assert not faces and faces.landmarks.shape == (0, 478, 3)


def test_video_landmarks_follow_the_known_transform(talking_video):
    path, transforms = talking_video
    reference_face = sample_face()
    with FaceTracker(mode="image") as tracker:
        reference = tracker.track(reference_face).landmarks[0, :, :2]
    errors = []
    with open_source(path) as source, FaceTracker(mode="video") as tracker:
        for frame in source:
            faces = tracker.track(frame.pixels, frame.t)
            assert faces.count == 1, f"no face in frame {frame.index}"
            m = transforms[frame.index]
            expected = reference @ m[:, :2].T + m[:, 2]
            scale = np.sqrt(abs(np.linalg.det(m[:, :2])))
            errors.append(np.median(np.linalg.norm(faces.landmarks[0, :, :2] - expected, axis=1)) / scale)
    # median landmark error, in astronaut-image pixels, small against a ~100 px face
    assert np.max(errors) < 4.0, errors


def test_settings_are_checked():
    with pytest.raises(PyfameValueError, match="min_detection_confidence"):
        TrackerSettings(min_detection_confidence=1.5)
    with pytest.raises(PyfameTypeError, match="num_faces"):
        TrackerSettings(num_faces=1.0)
    with pytest.raises(PyfameTypeError, match="min_tracking_confidence"):
        TrackerSettings(min_tracking_confidence=True)


def test_altered_model_is_a_clear_error(tmp_path):
    fake = tmp_path / "face_landmarker.task"
    fake.write_bytes(b"not a model")
    with pytest.raises(ModelFileError, match="sha256"):
        load_model_bytes(fake)
    with pytest.raises(ModelFileError, match="missing"):
        load_model_bytes(tmp_path / "gone.task")


def test_faces_empty_and_boxes_clip():
    lm = np.zeros((1, 478, 3), np.float32)
    lm[0, :, 0] = np.linspace(-5, 50, 478)
    lm[0, :, 1] = np.linspace(10, 400, 478)
    f = Faces.from_landmarks(lm, (100, 40, 3))
    assert f.boxes.tolist() == [[0, 10, 40, 100]]
    assert Faces.empty().union_box() is None


def test_one_euro_smoothing_steadies_landmarks_of_a_still_face():
    """A still face under sensor noise: smoothed landmarks jitter less than raw ones."""
    face = sample_face()
    rng = np.random.default_rng(0)
    frames = [np.clip(face.astype(int) + rng.integers(-12, 13, face.shape), 0, 255).astype(np.uint8)
              for _ in range(20)]
    jitter = {}
    for smoothing in (0.0, 0.5):
        with FaceTracker(TrackerSettings(smoothing=smoothing), mode="video") as tracker:
            tracks = np.stack([tracker.track(f, i / 30).landmarks[0, :, :2] for i, f in enumerate(frames)])
        jitter[smoothing] = float(np.abs(np.diff(tracks, axis=0)).mean())
    assert jitter[0.5] < 0.7 * jitter[0.0], jitter
