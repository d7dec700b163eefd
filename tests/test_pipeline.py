"""The one-pass pipeline: layers and probes over files and folders, sidecars, policies."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

import pyfame as pf
from pyfame.errors import (
    FaceNotFoundError,
    FileReadError,
    PyfamePathError,
    PyfameTypeError,
    PyfameValueError,
    UnrecognizedExtensionError,
)
from pyfame.io import open_source
from pyfame.io.media_info import media_info
from pyfame.models import MODEL_SHA256
from pyfame.pipeline.layer import Layer, Probe
from pyfame.provenance import read_sidecar

from .conftest import listing


class FillFaceBox(Layer):
    """Test layer: paint each face's box a flat colour (easy to find in the output)."""

    name = "fill_face_box"

    def __init__(self, color=(255, 0, 0)):
        self.color = color
        self.calls = 0

    def apply(self, frame, faces, t, rng):
        self.calls += 1
        out = frame.copy()
        for x0, y0, x1, y1 in faces.boxes:
            out[y0:y1, x0:x1] = self.color
        return out


class RandomDot(Layer):
    """Test layer that uses its generator: one random pixel set white per frame."""

    name = "random_dot"

    def apply(self, frame, faces, t, rng):
        out = frame.copy()
        y, x = rng.integers(0, frame.shape[0]), rng.integers(0, frame.shape[1])
        out[y, x] = 255
        return out


class RedMean(Probe):
    name = "red_mean"

    def observe(self, frame, faces, t):
        return [{"red": float(frame[..., 0].mean()), "faces": faces.count}]


def test_video_keeps_size_rate_count_and_audio(talking_video, tmp_path):
    path, _ = talking_video
    (result,) = pf.apply_layers(path, tmp_path, [FillFaceBox()], [RedMean()], seed=1)
    src, out = media_info(path), media_info(result.output)
    for key in ("width", "height", "frame_count", "fps", "has_audio"):
        assert src[key] == out[key], key
    assert out["has_audio"]
    assert result.frames == result.frames_with_face == result.frames_written == src["frame_count"]
    # the layer changed the face: the output's face box is mostly red
    with open_source(result.output) as source:
        frame = next(iter(source)).pixels
    assert (frame[..., 0] > 200).mean() > 0.05
    sidecar = read_sidecar(result.output)
    assert sidecar["seed"] == 1 and sidecar["layers"][0]["name"] == "fill_face_box"
    assert sidecar["frames"]["with_face"] == src["frame_count"]
    assert sidecar["model"]["sha256"] == MODEL_SHA256
    assert len(sidecar["input"]["sha256"]) == 64 and len(sidecar["output"]["sha256"]) == 64
    table = result.output.with_name("talking_red_mean.csv")
    assert table.is_file() and len(table.read_text().splitlines()) == src["frame_count"] + 1
    assert sorted(listing(tmp_path)) == ["talking.mp4", "talking.mp4.pyfame.json", "talking_red_mean.csv"]


def test_image_written_in_its_format(face_image, tmp_path):
    (result,) = pf.apply_layers(face_image, tmp_path, FillFaceBox(), subfolder="Boxed")
    assert result.output == tmp_path / "Boxed" / "astronaut.png"
    with open_source(result.output) as source:
        frame = next(iter(source)).pixels
    assert frame.shape == (512, 512, 3)
    assert (frame[100:150, 200:260] == (255, 0, 0)).all()


def test_several_layers_in_one_pass_equal_sequential_files(face_image, tmp_path):
    a, b = FillFaceBox((0, 0, 255)), RandomDot()
    (tmp_path / "x").mkdir()
    (both,) = pf.apply_layers(face_image, tmp_path / "x", [a, b], seed=5)
    (first,) = pf.apply_layers(face_image, tmp_path, [FillFaceBox((0, 0, 255))], seed=5, subfolder="one")
    # the second layer alone, with the generator it had in the combined run (index 1)
    from pyfame.pipeline.file_pass import layer_rngs

    with open_source(first.output) as s:
        pixels = next(iter(s)).pixels
    expected = RandomDot().apply(pixels, None, 0.0, layer_rngs(5, 2)[1])
    with open_source(both.output) as s:
        np.testing.assert_array_equal(next(iter(s)).pixels, expected)


def test_same_seed_same_bytes(talking_video, tmp_path):
    path, _ = talking_video
    outs = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (r,) = pf.apply_layers(path, tmp_path / name, [RandomDot()], seed=11)
        outs.append(r.output)
    a, b = (open_source(p) for p in outs)
    changed = [int((x.pixels != y.pixels).sum()) for x, y in zip(a, b)]
    assert outs[0].read_bytes() == outs[1].read_bytes(), changed


def test_folder_run_goes_past_a_bad_file(face_image, noise_image, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(face_image, folder / "face.png")
    shutil.copy(noise_image, folder / "noise.png")
    (folder / "notes.txt").write_text("not media")
    out = tmp_path / "out"
    out.mkdir()
    results = pf.apply_layers(folder, out, [FillFaceBox()])
    assert [r.input.name for r in results] == ["face.png", "noise.png"]
    assert results[0].error is None and isinstance(results[1].error, FaceNotFoundError)
    assert listing(out) == ["face.png", "face.png.pyfame.json"]


def test_with_sub_dirs_mirrors_the_tree(face_image, tmp_path):
    (tmp_path / "in" / "actor1").mkdir(parents=True)
    shutil.copy(face_image, tmp_path / "in" / "actor1" / "happy.png")
    shutil.copy(face_image, tmp_path / "in" / "top.png")
    (tmp_path / "out").mkdir()
    flat = pf.apply_layers(tmp_path / "in", tmp_path / "out", [FillFaceBox()], subfolder="flat")
    assert [r.input.name for r in flat] == ["top.png"]
    deep = pf.apply_layers(tmp_path / "in", tmp_path / "out", [FillFaceBox()], subfolder="deep", with_sub_dirs=True)
    assert sorted(str(r.output.relative_to(tmp_path / "out")) for r in deep) == ["deep/actor1/happy.png", "deep/top.png"]


def test_face_leaves_the_frame_passes_through(media_dir, tmp_path):
    from pyfame.samples import write_moving_face_video

    path = media_dir / "leaves.mp4"
    # translate the face right by 12 px a frame: it leaves the 320 px frame for the last frames
    write_moving_face_video(path, n_frames=40, fps=20, size=(320, 240), motion="translate", audio=False,
                            dx_per_frame=12.0, dy_per_frame=0.0)
    layer = FillFaceBox()
    (r,) = pf.apply_layers(path, tmp_path, [layer])
    assert r.frames_without_face, "the face should leave the frame"
    assert r.frames_with_face > 0 and r.frames_written == r.frames == 40
    assert layer.calls == r.frames_with_face
    assert read_sidecar(r.output)["frames"]["without_face"] == len(r.frames_without_face)

    (tmp_path / "drop").mkdir()
    (dropped,) = pf.apply_layers(path, tmp_path / "drop", [FillFaceBox()], no_face="drop")
    assert media_info(dropped.output)["frame_count"] == dropped.frames_with_face

    (tmp_path / "hold").mkdir()
    held_layer = FillFaceBox()
    (held,) = pf.apply_layers(path, tmp_path / "hold", [held_layer], no_face="hold")
    assert held.frames_held and set(held.frames_held) <= set(held.frames_without_face)
    assert len(held.frames_held) <= 0.5 * 20 + 1  # at most 0.5 s at 20 fps
    assert held_layer.calls == held.frames_with_face + len(held.frames_held)
    assert read_sidecar(held.output)["frames"]["held_face_ranges"]

    (tmp_path / "fail").mkdir()
    with pytest.raises(FaceNotFoundError, match="leaves.mp4"):
        pf.apply_layers(path, tmp_path / "fail", [FillFaceBox()], no_face="fail")
    assert listing(tmp_path / "fail") == []


def test_two_faces(tmp_path, face_image):
    import cv2

    face = cv2.imread(str(face_image))[0:300, 90:390]  # the head, 300x300
    pair = np.concatenate([face, face], axis=1)
    path = tmp_path / "pair.png"
    cv2.imwrite(str(path), pair)
    (tmp_path / "o1").mkdir()
    (tmp_path / "o2").mkdir()
    one = FillFaceBox()
    pf.apply_layers(path, tmp_path / "o1", [one], num_faces=1)
    two = pf.apply_layers(path, tmp_path / "o2", [FillFaceBox()], num_faces=2)
    from pyfame.io.image_source import read_image

    filled = (read_image(two[0].output) == (255, 0, 0)).all(axis=2)
    assert filled[:, :300].any() and filled[:, 300:].any()
    filled_one = (read_image(tmp_path / "o1" / "pair.png") == (255, 0, 0)).all(axis=2)
    assert filled_one[:, :300].any() != filled_one[:, 300:].any()


def _file(name, data):
    def make(folder):
        path = folder / name
        if data is not None:
            path.write_bytes(data)
        return path

    return make


@pytest.mark.parametrize(
    "make, error",
    [
        (_file("missing.mp4", None), PyfamePathError),
        (_file("file.xyz", b"x"), UnrecognizedExtensionError),
        (_file("empty.mp4", b""), FileReadError),
        (_file("text.mp4", b"hello " * 100), FileReadError),
        (_file("empty.png", b""), FileReadError),
        (_file("text.png", b"hello " * 100), FileReadError),
    ],
    ids=["missing", "extension", "zero-bytes", "text-as-mp4", "zero-byte-png", "text-as-png"],
)
def test_bad_inputs_name_the_file_and_leave_nothing(tmp_path, make, error):
    (tmp_path / "in").mkdir()
    (tmp_path / "out").mkdir()
    bad = make(tmp_path / "in")
    with pytest.raises(error, match=bad.name):
        pf.apply_layers(bad, tmp_path / "out", [FillFaceBox()])
    assert listing(tmp_path / "out") == []


def test_truncated_video(talking_video, tmp_path):
    path, _ = talking_video
    data = path.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])
    (tmp_path / "out").mkdir()
    try:
        results = pf.apply_layers(cut, tmp_path / "out", [FillFaceBox()])
    except FileReadError as exc:
        assert "cut.mp4" in str(exc)
        assert listing(tmp_path / "out") == []
    else:  # what decodes of a half file is processed, and says so
        assert results[0].frames < media_info(path)["frame_count"]


def test_no_face_image_raises_and_writes_nothing(noise_image, tmp_path):
    with pytest.raises(FaceNotFoundError, match="noise.png"):
        pf.apply_layers(noise_image, tmp_path, [FillFaceBox()])
    assert listing(tmp_path) == []


def test_output_on_input_is_refused(face_image, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(face_image, folder / "face.png")
    before = (folder / "face.png").read_bytes()
    with pytest.raises(PyfameValueError, match="overwrite the input"):
        pf.apply_layers(folder, folder, [FillFaceBox()])
    with pytest.raises(PyfameValueError, match="output_dir"):
        pf.apply_layers(folder / "face.png", folder / "face.png", [FillFaceBox()])
    assert (folder / "face.png").read_bytes() == before
    assert listing(folder) == ["face.png"]


def test_output_dir_must_be_a_folder(face_image, tmp_path):
    with pytest.raises(PyfamePathError, match="does not exist"):
        pf.apply_layers(face_image, tmp_path / "nope", [FillFaceBox()])
    a_file = tmp_path / "a_file.txt"
    a_file.write_text("not a folder")
    with pytest.raises(PyfamePathError, match="not a folder"):
        pf.apply_layers(face_image, a_file, [FillFaceBox()])


def test_unwritable_output_folder(face_image, tmp_path):
    import os

    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):
            pytest.skip("running as root: permissions are not enforced")
        with pytest.raises(pf.FileWriteError, match="locked"):
            pf.apply_layers(face_image, locked, [FillFaceBox()])
    finally:
        locked.chmod(0o700)


def test_output_dir_that_is_a_file_of_root(face_image, tmp_path):
    """Unwritable in a way root cannot bypass: a read-only bind is not available, so use a
    folder inside a *file* path, which no user can create."""
    blocker = tmp_path / "blocker"
    blocker.write_text("a file")
    with pytest.raises(PyfamePathError):
        pf.apply_layers(face_image, blocker / "sub", [FillFaceBox()])


def test_bad_layer_arguments(face_image, tmp_path):
    with pytest.raises(PyfameTypeError, match="layers"):
        pf.apply_layers(face_image, tmp_path, ["blur"])
    with pytest.raises(PyfameValueError, match="no_face"):
        pf.apply_layers(face_image, tmp_path, [FillFaceBox()], no_face="skip")
    with pytest.raises(PyfameValueError, match="crf"):
        pf.apply_layers(face_image, tmp_path, [FillFaceBox()], crf=99)
    assert listing(tmp_path) == []


def test_in_memory_frames(talking_video):
    from pyfame.samples import sample_face

    still = pf.apply_layers_to_frames(sample_face(), [FillFaceBox()])
    assert still.shape == (512, 512, 3) and (still == (255, 0, 0)).all(axis=2).any()
    path, _ = talking_video
    with open_source(path) as s:
        frames = np.stack([f.pixels for f in list(s)[:5]])
    out = pf.apply_layers_to_frames(frames[..., ::-1], [FillFaceBox((0, 0, 255))], color_order="bgr", fps=24)
    assert out.shape == frames.shape
    # BGR in, BGR out: layers work in RGB, so the RGB fill (0, 0, 255) comes back as BGR (255, 0, 0)
    assert (out == (255, 0, 0)).all(axis=3).any()
    with pytest.raises(pf.ImageShapeError, match="frames"):
        pf.apply_layers_to_frames(np.zeros((5, 5), np.float32), [])


def test_folder_on_two_worker_processes_equals_serial(talking_video, face_image, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(talking_video[0], folder / "a.mp4")
    shutil.copy(face_image, folder / "b.png")
    (folder / "c.mp4").write_bytes(b"broken")
    outs = {}
    for workers in (None, 2):
        out = tmp_path / f"out{workers}"
        out.mkdir()
        results = pf.apply_layers(folder, out, [RandomDot(), pf.ColorShift()], [RedMean()], seed=4, workers=workers)
        assert [r.error is None for r in results] == [True, True, False]
        outs[workers] = {p.name: p.read_bytes() for p in out.iterdir() if p.suffix in (".mp4", ".png")}
    assert outs[None] == outs[2] and len(outs[2]) == 2


def test_tracking_ahead_in_a_thread_gives_the_faces_of_tracking_inline(talking_video):
    """FaceStage tracks a video in a thread of its own, ahead of the layers; the faces must be
    those of tracking frame by frame in the caller's thread, in frame order."""
    from pyfame.face.tracker import FaceTracker
    from pyfame.pipeline.face_stage import FaceStage

    path, _ = talking_video
    with open_source(path) as source:
        frames = list(source)
    with FaceTracker(mode="video") as tracker:
        inline = [tracker.track(f.pixels, f.t) for f in frames]
    stage = FaceStage(iter(frames), "video")
    try:
        ahead = list(stage)
    finally:
        stage.close()
    assert [f.index for f, _ in ahead] == [f.index for f in frames]
    assert all(np.array_equal(a.landmarks, b.landmarks) for (_, a), b in zip(ahead, inline))
    assert len(stage.tracked) == len(frames)


def test_an_error_while_tracking_ahead_reaches_the_caller(talking_video):
    from pyfame.errors import ImageShapeError
    from pyfame.io.frame import Frame
    from pyfame.pipeline.face_stage import FaceStage

    path, _ = talking_video
    with open_source(path) as source:
        good = next(iter(source))
    bad = Frame(1, good.t + 0.04, good.pixels[..., 0])  # grey (H, W): refused by the tracker
    stage = FaceStage(iter([good, bad]), "video")
    try:
        with pytest.raises(ImageShapeError):
            for _ in stage:
                pass
    finally:
        stage.close()


def test_prefetch_stops_its_thread_and_closes_its_source_when_the_consumer_stops():
    """A consumer that stops early must not leave the producer blocked on a full queue (it
    was, for up to the 5 s join timeout, when the source was already exhausted), and a
    generator source gets its cleanup run at once (nested stages: decode under tracking)."""
    import threading
    import time

    from pyfame.pipeline.prefetch import prefetch

    cleaned = []

    def source():
        try:
            yield from range(3)
        finally:
            cleaned.append(True)

    stream = prefetch(source(), depth=2, name="pyfame-test-prefetch")
    assert next(stream) == 0
    time.sleep(0.3)  # the producer has queued 1 and 2 and finished the source
    stream.close()
    assert not [t for t in threading.enumerate() if t.name == "pyfame-test-prefetch"]
    assert cleaned == [True]


def test_face_stage_releases_tracker_and_source_from_the_thread_that_used_them(monkeypatch):
    """Stopping early: the tracker is closed after its last use, by the tracking thread
    itself (never under a running track call from another thread), and the frame source's
    cleanup runs (the decoding thread stops, its file closes)."""
    import threading

    from pyfame.face.faces import Faces
    from pyfame.io.frame import Frame
    from pyfame.pipeline import face_stage

    events = []

    class FakeTracker:
        def __init__(self, settings=None, mode="video"):
            pass

        def track(self, pixels, t):
            events.append(("track", threading.current_thread().name))
            return Faces.empty()

        def close(self):
            events.append(("close", threading.current_thread().name))

    monkeypatch.setattr(face_stage, "FaceTracker", FakeTracker)
    source_closed = []

    def frames():
        try:
            for i in range(50):
                yield Frame(i, i / 25, np.zeros((8, 8, 3), np.uint8))
        finally:
            source_closed.append(True)

    stage = face_stage.FaceStage(frames(), "video")
    stream = iter(stage)
    next(stream)
    stage.close()
    assert events[-1] == ("close", "pyfame-tracking")
    assert all(name == "pyfame-tracking" for _, name in events)
    assert source_closed == [True]
