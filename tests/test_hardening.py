"""Hardening: every bad input gets a typed error naming the file or parameter, leaves nothing
behind and never touches the input; layers keep shape and stay in their region; readers
survive mutated bytes; interruptions leave no partial files; edge media behave."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from click.testing import CliRunner

import pyfame as pf
from pyfame.cli import main
from pyfame.errors import FaceNotFoundError, FileReadError, ImageShapeError, PyfameError
from pyfame.io import open_source, read_image, write_image
from pyfame.samples import sample_face, write_moving_face_video

from .conftest import listing, write_audio_only

# ---- files of the wrong kind --------------------------------------------------------------


def _bad_files(folder: Path, good_video: Path) -> dict[str, Path]:
    out = {}
    (folder / "zero.mp4").write_bytes(b"")
    out["zero-byte mp4"] = folder / "zero.mp4"
    (folder / "text.mp4").write_text("hello, I am text\n" * 40)
    out["text as mp4"] = folder / "text.mp4"
    (folder / "text.png").write_text("hello, I am text\n" * 40)
    out["text as png"] = folder / "text.png"
    data = good_video.read_bytes()
    (folder / "half.mp4").write_bytes(data[: len(data) // 2])
    out["truncated mp4"] = folder / "half.mp4"
    out["no video stream"] = write_audio_only(folder / "sound.mp4")
    cv2.imwrite(str(folder / "tiny.png"), np.zeros((1, 1, 3), np.uint8))
    out["1x1 image"] = folder / "tiny.png"
    noise = np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    cv2.imwrite(str(folder / "noise.png"), noise)
    out["no face"] = folder / "noise.png"
    return out


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory, talking_video):
    folder = tmp_path_factory.mktemp("bad")
    return _bad_files(folder, talking_video[0])


SEED_FUNCTIONS = [
    ("face_color_shift", {}), ("face_saturation_shift", {}), ("face_brightness_shift", {}),
    ("mask_face_region", {}), ("occlude_face_region", {}), ("blur_face_region", {}), ("apply_noise", {}),
    ("extract_face_color_means", {}), ("extract_face_landmarks", {}), ("generate_point_light_display", {}),
    ("facial_scramble", {}),
]


@pytest.mark.parametrize("case", ["zero-byte mp4", "text as mp4", "text as png", "truncated mp4", "no video stream",
                                  "1x1 image", "no face"])
@pytest.mark.parametrize("func, kwargs", SEED_FUNCTIONS, ids=[f for f, _ in SEED_FUNCTIONS])
def test_wrong_kind_of_file(bad_files, tmp_path, func, kwargs, case):
    path = bad_files[case]
    before = path.read_bytes()
    try:
        getattr(pf, func)(path, tmp_path, **kwargs)
    except PyfameError as exc:
        assert path.name in str(exc), str(exc)
        assert isinstance(exc, (FileReadError, FaceNotFoundError, ImageShapeError)), type(exc)
        assert listing(tmp_path) == []
    else:
        assert case == "truncated mp4"  # what decodes of half a file may be processed
    assert path.read_bytes() == before


def test_sixteen_bit_png_and_cmyk_jpeg_are_read(tmp_path):
    face = sample_face()
    cv2.imwrite(str(tmp_path / "deep.png"), cv2.cvtColor(face, cv2.COLOR_RGB2BGR).astype(np.uint16) * 257)
    (r,) = pf.face_color_shift(tmp_path / "deep.png", tmp_path)
    assert read_image(r.output).dtype == np.uint8
    from PIL import Image

    Image.fromarray(face).convert("CMYK").save(tmp_path / "cmyk.jpg", quality=95)
    rgb = read_image(tmp_path / "cmyk.jpg")
    assert rgb.shape == face.shape and np.abs(rgb.astype(int) - face).mean() < 25


def test_very_large_image_is_refused_clearly(tmp_path):
    big = np.zeros((12000, 9000, 3), np.uint8)  # 108 megapixels
    cv2.imwrite(str(tmp_path / "huge.png"), big)
    with pytest.raises(ImageShapeError, match="huge.png"):
        read_image(tmp_path / "huge.png")


@pytest.mark.parametrize("func", [f for f, _ in SEED_FUNCTIONS])
def test_output_dir_is_the_input_a_file_or_missing(face_image, tmp_path, func):
    folder = tmp_path / "in"
    folder.mkdir()
    copy = folder / "face.png"
    copy.write_bytes(face_image.read_bytes())
    with pytest.raises(PyfameError, match="output_dir"):
        getattr(pf, func)(copy, copy)
    with pytest.raises(PyfameError, match="output_dir"):
        getattr(pf, func)(copy, tmp_path / "missing")
    assert listing(folder) == ["face.png"] and copy.read_bytes() == face_image.read_bytes()


@pytest.mark.parametrize("func", [f for f, _ in SEED_FUNCTIONS])
def test_wrong_types_and_unknown_options(face_image, tmp_path, func):
    f = getattr(pf, func)
    with pytest.raises(PyfameError, match="input_dir"):
        f(12, tmp_path)
    with pytest.raises(PyfameError, match="with_sub_dirs"):
        f(face_image, tmp_path, with_sub_dirs="no")
    with pytest.raises(PyfameError, match="min_detection_confidence"):
        f(face_image, tmp_path, min_detection_confidence=-0.1)
    with pytest.raises(TypeError, match="no_such_option"):
        f(face_image, tmp_path, no_such_option=1)
    assert listing(tmp_path) == []


CLI_COMMANDS = ["color-shift", "saturation-shift", "brightness-shift", "mask", "occlude", "bubbles", "blur", "noise",
                "color-means", "optical-flow", "pld", "scramble", "shuffle-frames", "transcode"]


@pytest.mark.parametrize("command", CLI_COMMANDS)
def test_cli_bad_paths_exit_2_and_name_the_file(tmp_path, command):
    result = CliRunner().invoke(main, ["-q", command, str(tmp_path / "nothing.mp4"), str(tmp_path)])
    assert result.exit_code == 2 and "nothing.mp4" in result.output, result.output
    result = CliRunner().invoke(main, ["-q", command, str(tmp_path), str(tmp_path / "nowhere")])
    assert result.exit_code == 2, result.output
    assert listing(tmp_path) == []


@pytest.mark.parametrize("command, option", [("color-shift", "--magnitude=abc"), ("blur", "--k-size=-3"),
                                             ("noise", "--method=fog"), ("scramble", "--method=x"),
                                             ("mask", "--region=ears"), ("pld", "--density=2")])
def test_cli_bad_options(face_image, tmp_path, command, option):
    result = CliRunner().invoke(main, ["-q", command, str(face_image), str(tmp_path), option])
    assert result.exit_code == 2, result.output
    assert listing(tmp_path) == []


# ---- properties of layers (Hypothesis) --------------------------------------------------------

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@pytest.fixture(scope="module")
def face_and_faces():
    from pyfame.face.tracker import FaceTracker

    face = sample_face()
    with FaceTracker(mode="image") as tracker:
        return face, tracker.track(face)


REGIONS = [pf.CHEEKS_PATH, pf.NOSE_PATH, pf.FOREHEAD_PATH, pf.MOUTH_PATH, pf.FACE_SKIN_PATH, pf.HEMI_FACE_LEFT_MASK]

region_layers = st.one_of(
    st.builds(pf.ColorShift, st.sampled_from(["red", "green", "blue", "yellow"]), st.floats(-40, 40),
              st.sampled_from(REGIONS), feather_px=st.floats(0, 8), timing_func=st.just("constant")),
    st.builds(pf.SaturationShift, st.floats(-50, 50), st.sampled_from(REGIONS), feather_px=st.floats(0, 8)),
    st.builds(pf.BrightnessShift, st.floats(-40, 40), st.sampled_from(REGIONS), feather_px=st.floats(0, 8)),
    st.builds(pf.Blur, st.sampled_from(["gaussian", "median"]), st.integers(1, 10).map(lambda k: 2 * k + 1),
              st.sampled_from(REGIONS), st.floats(0, 6)),
    st.builds(pf.Noise, st.sampled_from(["pixelate", "salt and pepper", "gaussian"]), st.integers(2, 12),
              st.floats(0, 1), st.floats(-20, 20), st.floats(0, 40), st.sampled_from(REGIONS), st.floats(0, 6)),
    st.builds(pf.Occlusion, st.sampled_from(REGIONS), st.sampled_from(["black", "mean"])),
)


def _region_of(layer):
    return layer.covered_regions()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(layer=region_layers, seed=st.integers(0, 2**32 - 1))
def test_layers_keep_shape_stay_in_region_and_repeat(face_and_faces, layer, seed):
    from pyfame.face.region_mask import region_mask

    face, faces = face_and_faces
    out = layer.apply(face.copy(), faces, 0.0, np.random.default_rng(seed))
    assert out.shape == face.shape and out.dtype == np.uint8
    feather_px, feather_iod = getattr(layer, "feather_px", 0.0), getattr(layer, "feather_iod", 0.0)
    mask = region_mask(faces, _region_of(layer), face.shape, feather_px, feather_iod).full() > 0
    grown = cv2.dilate(mask.astype(np.uint8), np.ones((3, 3), np.uint8), iterations=2).astype(bool)
    assert np.array_equal(out[~grown], face[~grown]), "pixels outside the region changed"
    again = layer.apply(face.copy(), faces, 0.0, np.random.default_rng(seed))
    assert np.array_equal(out, again)


# ---- fuzzing the readers ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def valid_media(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    write_moving_face_video(folder / "v.mp4", n_frames=6, fps=10, size=(96, 72), motion="still", audio=True)
    write_image(folder / "i.png", cv2.resize(sample_face(), (64, 64)))
    return {"mp4": (folder / "v.mp4").read_bytes(), "png": (folder / "i.png").read_bytes()}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(["mp4", "png"]), edits=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)),
                                                              min_size=1, max_size=12),
       cut=st.one_of(st.none(), st.floats(0.05, 1.0)))
def test_readers_survive_mutated_bytes(valid_media, tmp_path_factory, kind, edits, cut):
    data = bytearray(valid_media[kind])
    for where, value in edits:
        data[int(where * (len(data) - 1))] = value
    if cut is not None:
        data = data[: max(1, int(len(data) * cut))]
    path = tmp_path_factory.mktemp("m") / f"mutated.{kind}"
    path.write_bytes(bytes(data))
    start = time.monotonic()
    try:
        with open_source(path) as source:
            for frame in source:
                assert frame.pixels.dtype == np.uint8 and frame.pixels.ndim == 3
    except FileReadError as exc:
        assert path.name in str(exc)
    assert time.monotonic() - start < 20


# ---- interruptions ----------------------------------------------------------------------------


def _partial_files(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob("*") if p.is_file() and "pyfame-tmp" in p.name]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_interrupted_video_write_leaves_nothing(tmp_path, sig):
    clip = tmp_path / "long.mp4"
    # long enough that the run is still going when the signal comes, however fast it gets
    write_moving_face_video(clip, n_frames=480, fps=30, size=(480, 360), motion="talk", audio=True)
    out = tmp_path / "out"
    out.mkdir()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "pyfame.cli", "-q", "blur", str(clip), str(out), "--no-cache"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not _partial_files(out) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "the run ended before it could be interrupted"
    time.sleep(0.1)
    proc.send_signal(sig)
    proc.wait(timeout=60)
    assert proc.returncode != 0
    assert listing(out) == [] or all(not p.endswith(".mp4") for p in listing(out))
    assert _partial_files(out) == []
    result = CliRunner().invoke(main, ["-q", "blur", str(clip), str(out), "--no-cache"])
    assert result.exit_code == 0 and (out / "Blurred" / "long.mp4").is_file()


def test_interrupted_folder_batch_leaves_no_partial_output(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(3):
        write_moving_face_video(folder / f"c{i}.mp4", n_frames=120, fps=30, size=(320, 240), motion="talk", seed=i)
    out = tmp_path / "out"
    out.mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "pyfame.cli", "-q", "color-shift", str(folder), str(out),
                             "--no-cache"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not (out / "Color_Shifted" / "c0.mp4").exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    assert _partial_files(out) == []
    for p in (out / "Color_Shifted").glob("*.mp4"):  # whatever is there is complete
        with open_source(p) as s:
            assert sum(1 for _ in s) == 120
    result = CliRunner().invoke(main, ["-q", "color-shift", str(folder), str(out), "--no-cache"])
    assert result.exit_code == 0 and len(list((out / "Color_Shifted").glob("*.mp4"))) == 3


# ---- edge media -------------------------------------------------------------------------------


def test_sixty_fps_and_grayscale_video(tmp_path):
    import av

    clip = tmp_path / "sixty.mp4"
    write_moving_face_video(clip, n_frames=30, fps=60, size=(320, 240), motion="talk", audio=False)
    (r,) = pf.face_color_shift(clip, tmp_path)
    from pyfame.io import media_info

    info = media_info(r.output)
    assert info["fps"] == 60 and info["frame_count"] == 30
    grey = tmp_path / "grey.mkv"
    face = cv2.cvtColor(cv2.resize(sample_face(), (320, 320)), cv2.COLOR_RGB2GRAY)
    with av.open(str(grey), "w") as c:
        s = c.add_stream("ffv1", rate=10)
        s.width, s.height, s.pix_fmt = 320, 320, "gray"
        for i in range(10):
            frame = av.VideoFrame.from_ndarray(face, format="gray")
            frame.pts = i
            for p in s.encode(frame):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    (g,) = pf.face_brightness_shift(grey, tmp_path)
    assert media_info(g.output)["frame_count"] == 10 and g.frames_with_face == 10


def test_four_k_still(tmp_path):
    face = cv2.resize(sample_face(), (1600, 1600), interpolation=cv2.INTER_CUBIC)
    canvas = np.full((2160, 3840, 3), 128, np.uint8)
    canvas[280:1880, 1120:2720] = face
    write_image(tmp_path / "uhd.png", canvas)
    (r,) = pf.face_color_shift(tmp_path / "uhd.png", tmp_path, shift_magnitude=10)
    assert read_image(r.output).shape == (2160, 3840, 3)


def test_face_enters_late_leaves_and_returns(tmp_path):
    from pyfame.io import Frame, VideoSink

    size = (320, 240)
    face = cv2.resize(sample_face(), (240, 240))
    blank = np.full((240, 320, 3), 90, np.uint8)
    clip = tmp_path / "inout.mp4"
    with VideoSink(clip, *size, 10) as sink:
        for i in range(40):
            frame = blank.copy()
            if 10 <= i < 20 or i >= 30:
                frame[:, 40:280] = face
            sink.write(Frame(i, i / 10, frame))
    (r,) = pf.face_color_shift(clip, tmp_path)
    missing = set(r.frames_without_face)
    assert set(range(0, 10)) <= missing and set(range(20, 30)) <= missing
    assert not missing & set(range(12, 18)) and not missing & set(range(32, 40))


def test_face_at_the_border_and_extreme_turn(tmp_path):
    face = sample_face()
    shifted = np.full_like(face, 128)
    shifted[:, :330] = face[:, 182:]  # the face cut by the left edge of the image
    write_image(tmp_path / "edge.png", shifted)
    (r,) = pf.face_color_shift(tmp_path / "edge.png", tmp_path, landmark_regions=pf.FACE_OVAL_MASK)
    out = read_image(r.output)
    assert out.shape == face.shape and not np.array_equal(out, shifted)  # processed; off-frame landmarks clipped

    def turned(squash: float) -> np.ndarray:
        """The face compressed sideways about its centre: a strong turn seen from the front."""
        m = cv2.getRotationMatrix2D((240, 130), 0, 1.0)
        m[0, 0], m[0, 2] = squash, 240 * (1 - squash)
        return cv2.warpAffine(face, m, (512, 512), borderValue=(128, 128, 128))

    write_image(tmp_path / "turned.png", turned(0.6))
    (bar,) = pf.occlude_face_region(tmp_path / "turned.png", tmp_path, occlusion_fill="bar")
    assert bar.frames_with_face == 1
    write_image(tmp_path / "profile.png", turned(0.35))  # too far turned for the face detector
    (tmp_path / "o").mkdir()
    with pytest.raises(FaceNotFoundError, match="profile.png"):
        pf.occlude_face_region(tmp_path / "profile.png", tmp_path / "o", occlusion_fill="bar")
    assert listing(tmp_path / "o") == []
