"""Issue 13, reads and runs: every input read as what it is, and nothing silent.

One section per class of the issue; each test fails on the code before the fix.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import socket
import threading
from pathlib import Path

import numpy as np
import pytest

import pyfame.core as pf
from pyfame.io import open_source
from pyfame.samples import write_moving_face_video, write_noise_video


def _frames(path: Path) -> list[np.ndarray]:
    with open_source(path) as source:
        return [f.pixels.astype(np.int16) for f in source]


def _distance(a: list[np.ndarray], b: list[np.ndarray]) -> float:
    """Mean absolute pixel difference of two clips of the same size (over the shorter)."""
    return float(np.mean([np.abs(x - y).mean() for x, y in zip(a, b)]))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _sidecar(output: Path) -> dict:
    return json.loads(output.with_name(output.name + ".pyfame.json").read_text())


@pytest.fixture(scope="module")
def two_clips(tmp_path_factory):
    """Clip A (the face) and clip B (noise), same size and length, no audio."""
    folder = tmp_path_factory.mktemp("clips")
    a, b = folder / "a.mp4", folder / "b.mp4"
    write_moving_face_video(a, n_frames=8, fps=8, size=(96, 72), motion="still", audio=False)
    write_noise_video(b, n_frames=8, size=(96, 72), fps=8)
    return a, b


# ---- 1. a file name is a file name, never an FFmpeg URL ------------------------------------


def test_file_protocol_prefix_in_a_name_reads_that_file(two_clips, tmp_path, monkeypatch):
    a, b = two_clips
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    out.mkdir()
    shutil.copy(a, folder / "file:other.mp4")
    shutil.copy(b, folder / "other.mp4")
    monkeypatch.chdir(folder)
    results = pf.apply_layers(".", out, [], landmark_cache=False)
    assert [r.error for r in results] == [None, None]
    made = out / "file:other.mp4"
    clip_a, clip_b = _frames(a), _frames(b)
    assert _distance(_frames(made), clip_a) < 3 < _distance(_frames(made), clip_b)
    assert _sidecar(made)["input"]["sha256"] == _sha256(a)
    assert _distance(_frames(out / "other.mp4"), clip_b) < _distance(_frames(out / "other.mp4"), clip_a)


def test_tcp_name_opens_no_socket(two_clips, tmp_path, monkeypatch):
    a, _ = two_clips
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    connections: list[object] = []
    stop = threading.Event()

    def accept() -> None:  # take any connection and close it at once, so nothing can hang
        while not stop.is_set():
            try:
                conn, peer = listener.accept()
            except OSError:
                continue
            connections.append(peer)
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    out.mkdir()
    name = f"tcp:127.0.0.1:{port}?x=.mp4"
    shutil.copy(a, folder / name)
    monkeypatch.chdir(folder)
    try:
        (result,) = pf.apply_layers(".", out, [], landmark_cache=False)
    finally:
        stop.set()
        thread.join(5)
        listener.close()
    assert connections == []
    assert result.error is None
    assert _distance(_frames(out / name), _frames(a)) < 3
    assert _sidecar(out / name)["input"]["sha256"] == _sha256(a)


# ---- 2. decompression bombs refused from the header -----------------------------------------

#: Run in a fresh interpreter: open the file and report the outcome and the peak memory the
#: open added (resident set, so FFmpeg's and OpenCV's own buffers count too).
_OPEN_AND_MEASURE = """
import json, resource, sys
from pyfame.errors import ImageShapeError
from pyfame.io import open_source
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    open_source(sys.argv[1]).close()
    outcome = "opened"
except ImageShapeError as exc:
    outcome = "refused: " + str(exc)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"outcome": outcome, "added_mb": (after - before) / 1024}))
"""


def _open_in_subprocess(path: Path) -> dict:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _OPEN_AND_MEASURE, str(path)], capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _png_bomb(path: Path, width: int, height: int) -> Path:
    """A valid 1-bit grey PNG of ``width`` x ``height`` black pixels, written row by row."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + bytes((width + 7) // 8)
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row * 1000) for _ in range(height // 1000))
    idat += packer.compress(row * (height % 1000)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b""))
    return path


def test_png_bomb_is_refused_from_its_header(tmp_path):
    bomb = _png_bomb(tmp_path / "bomb.png", 30000, 30000)
    assert bomb.stat().st_size < 1_000_000
    report = _open_in_subprocess(bomb)
    assert report["outcome"].startswith("refused") and "bomb.png" in report["outcome"]
    assert "30000x30000" in report["outcome"]
    assert report["added_mb"] < 300


def test_video_bomb_is_refused_before_decoding(tmp_path):
    import subprocess
    import sys

    bomb = tmp_path / "bomb.mp4"
    make = (
        "import sys, av, numpy as np\n"
        "with av.open(sys.argv[1], 'w', format='mp4') as c:\n"
        "    s = c.add_stream('libx264', rate=25, options={'preset': 'ultrafast', 'crf': '51'})\n"
        "    s.width = s.height = 16000\n"
        "    s.pix_fmt = 'yuv420p'\n"
        "    f = av.VideoFrame(16000, 16000, 'yuv420p')\n"
        "    for plane in f.planes: plane.update(np.full(plane.buffer_size, 128, np.uint8))\n"
        "    f.pts = 0\n"
        "    for p in [*s.encode(f), *s.encode(None)]: c.mux(p)\n"
    )  # in a process of its own: the encoder needs about 1.5 GB
    subprocess.run([sys.executable, "-c", make, str(bomb)], check=True, timeout=600)
    assert bomb.stat().st_size < 5_000_000
    report = _open_in_subprocess(bomb)
    assert report["outcome"].startswith("refused") and "bomb.mp4" in report["outcome"]
    assert "16000x16000" in report["outcome"]
    assert report["added_mb"] < 300


def test_pixel_limit_is_a_parameter(two_clips, tmp_path):
    from pyfame.errors import ImageShapeError, PyfameValueError
    from pyfame.io import read_image
    from pyfame.samples import write_sample_image

    still = write_sample_image(tmp_path / "face.png")  # 512 x 512
    clip, _ = two_clips  # 96 x 72
    for path, pixels in ((still, 512 * 512), (clip, 96 * 72)):
        with pytest.raises(ImageShapeError, match=path.name):
            open_source(path, max_pixels=pixels - 1)
        with open_source(path, max_pixels=pixels) as source:
            assert source.width * source.height == pixels
    with pytest.raises(ImageShapeError, match="face.png"):
        read_image(still, max_pixels=1000)
    for bad in (0, -5, 1.5, True, "many"):
        with pytest.raises(PyfameValueError if bad in (0, -5) else TypeError, match="max_pixels"):
            open_source(still, max_pixels=bad)



def test_a_video_whose_header_gives_no_size_is_checked_at_its_first_frame(two_clips, monkeypatch):
    from pyfame.errors import ImageShapeError
    from pyfame.io.video_source import VideoSource

    monkeypatch.setattr(VideoSource, "_check_header_size", lambda self: None)  # as if the header were silent
    with pytest.raises(ImageShapeError, match="a.mp4 is 96x72 pixels"):
        VideoSource(two_clips[0], max_pixels=96 * 72 - 1)

# ---- 3. a truncated input is an error, unless allowed -----------------------------------------


def _write_clip(path: Path, n_frames: int = 100, fmt: str = "mp4", options: dict | None = None,
                preset: str = "ultrafast") -> Path:
    """A 64x48 noise clip at 25 fps, written with PyAV (``options`` go to the muxer)."""
    import av

    rng = np.random.default_rng(1)
    with av.open(str(path), "w", format=fmt, options=options or {}) as container:
        stream = container.add_stream("libx264", rate=25, options={"preset": preset})
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(n_frames):
            frame = av.VideoFrame.from_ndarray(rng.integers(0, 256, (48, 64, 3), dtype=np.uint8), format="rgb24")
            frame.pts = i
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


def _cut_in_half(path: Path, to: Path) -> Path:
    data = path.read_bytes()
    to.write_bytes(data[: len(data) // 2])
    return to


@pytest.fixture(scope="module")
def cut_mp4(tmp_path_factory):
    """A faststart MP4 of 100 frames (its index, the moov atom, first) cut in the middle,
    and how many frames of it decode."""
    folder = tmp_path_factory.mktemp("truncated")
    whole = _write_clip(folder / "whole.mp4", options={"movflags": "faststart"})
    with open_source(whole) as source:
        assert source.frames_expected == 100 and len(list(source)) == 100
    cut = _cut_in_half(whole, folder / "cut.mp4")
    with open_source(cut, allow_truncated=True) as source:
        readable = len(list(source))
    assert 30 < readable < 70
    return cut, readable


def test_truncated_video_is_an_error_and_writes_nothing(cut_mp4, tmp_path):
    from pyfame.errors import FileReadError

    cut, readable = cut_mp4
    before = cut.read_bytes()
    with pytest.raises(FileReadError, match=rf"cut\.mp4 is truncated: {readable} of 100 frames"):
        pf.apply_layers(cut, tmp_path, [], landmark_cache=False)
    assert list(tmp_path.iterdir()) == []
    assert cut.read_bytes() == before
    with open_source(cut) as source, pytest.raises(FileReadError, match=f"{readable} of 100"):
        list(source)


def test_truncated_video_allowed_is_recorded(cut_mp4, tmp_path):
    from pyfame.pipeline.file_pass import Targets, Work, run_file
    from pyfame.pipeline.run_options import RunOptions

    cut, readable = cut_mp4
    out = tmp_path / "cut.mp4"
    result = run_file(cut, Targets(out), Work(), RunOptions(allow_truncated=True, landmark_cache=False))
    assert result.frames == result.frames_written == readable
    assert _sidecar(out)["truncated"] == {"frames_expected": 100, "frames_read": readable}
    with open_source(cut, allow_truncated=True) as source:
        assert len(list(source)) == readable
        assert source.truncation == {"frames_expected": 100, "frames_read": readable}


def test_truncated_shuffle_is_refused_before_decoding(cut_mp4):
    from pyfame.errors import FileReadError
    from pyfame.io.planned_video_source import PlannedVideoSource

    with pytest.raises(FileReadError, match="cut.mp4 is truncated"):
        PlannedVideoSource(cut_mp4[0], [1, 0])


def test_truncated_webm_is_found_by_its_duration(tmp_path):
    from pyfame.errors import FileReadError

    whole = _write_clip(tmp_path / "whole.mkv", fmt="matroska")
    with open_source(whole) as source:
        assert len(list(source)) == 100 and source.truncation is None
    cut = _cut_in_half(whole, tmp_path / "cut.mkv")
    with open_source(cut) as source, pytest.raises(FileReadError, match=r"cut\.mkv is truncated: \d+ of 100"):
        list(source)


def test_trimmed_by_an_edit_list_is_not_truncated(tmp_path):
    """A stream copy that starts mid-GOP keeps the frames before the cut in the file, hidden
    by an edit list: fewer frames decode than the index lists, and none is missing."""
    import subprocess

    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")
    whole = _write_clip(tmp_path / "long_gop.mp4", preset="medium")
    trimmed = tmp_path / "trimmed.mp4"
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-ss", "1.3", "-i", str(whole), "-c", "copy",
                    str(trimmed)], check=True, timeout=60)
    with open_source(trimmed) as source:
        frames = list(source)
        assert source.frames_expected > len(frames) > 50 and source.truncation is None


# ---- 4. RGBA stills keep their alpha channel --------------------------------------------------


@pytest.fixture(scope="module")
def rgba_face(tmp_path_factory):
    """The astronaut as an RGBA PNG whose alpha runs from 40 (left) to 255 (right)."""
    import cv2
    from skimage.data import astronaut

    rgb = astronaut()
    alpha = np.tile(np.linspace(40, 255, rgb.shape[1]).round().astype(np.uint8), (rgb.shape[0], 1))
    path = tmp_path_factory.mktemp("rgba") / "astronaut.png"
    cv2.imwrite(str(path), np.dstack([cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), alpha]))
    return path, alpha


@pytest.mark.parametrize("layer, image_format", [
    (pf.ColorShift(shift_color="red", shift_magnitude=12.0), None),
    (pf.Blur(k_size=21), None),
    (pf.Blur(k_size=21), "tiff"),
], ids=["color-shift", "blur", "blur-to-tiff"])
def test_rgba_still_keeps_its_alpha(rgba_face, tmp_path, layer, image_format):
    from pyfame.io import read_image, read_image_with_alpha

    path, alpha = rgba_face
    (result,) = pf.apply_layers(path, tmp_path, [layer], image_format=image_format, landmark_cache=False)
    assert result.error is None and result.frames_with_face == 1
    rgb_out, alpha_out = read_image_with_alpha(result.output)
    assert alpha_out is not None and np.array_equal(alpha_out, alpha)
    assert not np.array_equal(rgb_out, read_image(path))  # the layer did act


def test_rgba_still_alpha_combines_with_a_layers_own(rgba_face, tmp_path):
    from pyfame.io import read_image_with_alpha

    path, alpha = rgba_face
    mask = pf.Mask(transparent=True)
    (result,) = pf.apply_layers(path, tmp_path, [mask], landmark_cache=False)
    _, alpha_out = read_image_with_alpha(result.output)
    layer_alpha = mask.alpha()
    assert 0 < (layer_alpha > 0).mean() < 1
    expected = np.rint(alpha.astype(np.float32) * (layer_alpha.astype(np.float32) / 255.0)).astype(np.uint8)
    assert np.abs(alpha_out.astype(int) - expected).max() <= 1
    assert (alpha_out[layer_alpha == 0] == 0).all()


def test_rgba_still_to_jpeg_drops_alpha(rgba_face, tmp_path):
    from pyfame.io import read_image_with_alpha

    path, _ = rgba_face
    (result,) = pf.apply_layers(path, tmp_path, [pf.Blur()], image_format="jpg", landmark_cache=False)
    assert result.error is None and read_image_with_alpha(result.output)[1] is None


# ---- 5. NumPy scalars are numbers; NaN and infinity are not --------------------------------


def _numeric_parameters() -> list[tuple[type, str, object]]:
    """(class, parameter, default) for every int, float and bool parameter of every layer and
    probe that pyfame.core exports and that can be made with its defaults."""
    import inspect

    from pyfame.pipeline.layer import Layer, Probe

    found = []
    for name in pf.__all__:
        cls = getattr(pf, name)
        if not (inspect.isclass(cls) and issubclass(cls, (Layer, Probe)) and not inspect.isabstract(cls)):
            continue
        params = inspect.signature(cls).parameters.values()
        if any(p.default is inspect.Parameter.empty and p.kind is p.POSITIONAL_OR_KEYWORD for p in params):
            continue  # needs another object (a probe of a layer)
        found += [(cls, p.name, p.default) for p in params if type(p.default) in (int, float, bool)]
    return found


NUMERIC_PARAMETERS = _numeric_parameters()
_IDS = [f"{cls.__name__}.{name}" for cls, name, _ in NUMERIC_PARAMETERS]


def test_the_sweep_covers_the_layers():
    classes = {cls.__name__ for cls, _, _ in NUMERIC_PARAMETERS}
    assert {"ColorShift", "Blur", "Noise", "Bubbles", "Mask", "GridScramble", "PointLightDisplay",
            "OpticalFlow"} <= classes
    assert len(NUMERIC_PARAMETERS) > 40


@pytest.mark.parametrize("cls, name, default", NUMERIC_PARAMETERS, ids=_IDS)
def test_numpy_scalars_are_accepted(cls, name, default):
    if isinstance(default, bool):
        values = [np.bool_(default)]
    elif isinstance(default, int):
        values = [np.int64(default), np.int32(default), np.uint16(default)]
    else:
        values = [np.float32(default), np.float64(default), np.float16(default)]
        if float(default).is_integer():
            values.append(np.int64(int(default)))
    for value in values:
        layer = cls(**{name: value})
        record = json.dumps(layer.params(), default=lambda v: pytest.fail(f"{name}: {v!r} left in params()"))
        assert record


@pytest.mark.parametrize("cls, name, default", [p for p in NUMERIC_PARAMETERS if type(p[2]) is float],
                         ids=[i for i, p in zip(_IDS, NUMERIC_PARAMETERS) if type(p[2]) is float])
@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf"), np.float32("nan"), np.float64("inf")],
                         ids=["nan", "inf", "-inf", "np-nan", "np-inf"])
def test_nan_and_infinity_are_refused(cls, name, default, bad):
    from pyfame.errors import PyfameValueError

    with pytest.raises(PyfameValueError, match=name) as caught:
        cls(**{name: bad})
    assert caught.value.param == name


@pytest.mark.parametrize("cls, name, default", [p for p in NUMERIC_PARAMETERS if type(p[2]) is not float],
                         ids=[i for i, p in zip(_IDS, NUMERIC_PARAMETERS) if type(p[2]) is not float])
def test_wrong_kinds_name_the_parameter(cls, name, default):
    from pyfame.errors import PyfameError

    if cls.__name__ in ("LandmarkOverlay", "LandmarkProbe") and isinstance(default, bool):
        pytest.skip("takes any truth value")
    with pytest.raises(PyfameError) as caught:
        cls(**{name: "seven" if isinstance(default, bool) else float("nan")})
    assert isinstance(caught.value, TypeError) and caught.value.param == name


@pytest.mark.parametrize("timing_func, kwargs", [
    ("linear", {"ramp_in": np.float32(0.2), "ramp_out": np.int64(0)}),
    ("sigmoid", {"k": np.float32(2.5), "ramp_in": np.float64(0.1)}),
    ("gaussian", {"mean": np.float32(0.5), "sigma": np.int64(1)}),
])
def test_timing_parameters_take_numpy_scalars(timing_func, kwargs):
    layer = pf.ColorShift(timing_func=timing_func, offset_t=2.0, **kwargs)
    layer.start(pf.SourceInfo("video", 64, 48, 25.0, 50, 2.0))
    assert 0.0 <= layer.weight(np.float64(0.5)) <= 1.0


@pytest.mark.parametrize("timing_func, name", [("linear", "ramp_in"), ("linear", "ramp_out"), ("sigmoid", "k"),
                                               ("gaussian", "mean"), ("gaussian", "sigma")])
@pytest.mark.parametrize("bad", [float("nan"), float("inf"), np.float32("-inf")], ids=["nan", "inf", "-inf"])
def test_timing_parameters_refuse_nan_and_infinity(timing_func, name, bad):
    from pyfame.errors import PyfameValueError
    from pyfame.utils import timing_functions

    with pytest.raises(PyfameValueError, match=name) as caught:
        pf.ColorShift(timing_func=timing_func, **{name: bad})  # refused when the layer is made
    assert caught.value.param == name
    with pytest.raises(PyfameValueError, match=name):
        getattr(timing_functions, timing_func)(0.5, onset=0.0, offset=1.0, **{name: bad})  # and when called


def test_a_timing_function_may_return_a_numpy_number():
    layer = pf.ColorShift(timing_func=lambda t, **kw: np.float32(0.25), offset_t=1.0)
    layer.start(pf.SourceInfo("video", 64, 48, 25.0, 25, 1.0))
    assert layer.weight(0.5) == 0.25


def test_numpy_scalars_in_checks_and_regions():
    from pyfame.utils.landmarks import resolve_regions
    from pyfame.validation import check_bool, check_choice, check_color, check_float, check_int

    assert check_int(np.int64(8), "n") == 8 and type(check_int(np.uint8(8), "n")) is int
    assert check_float(np.float32(0.5), "x") == 0.5 and type(check_float(np.int16(2), "x")) is float
    assert check_bool(np.bool_(True), "b") is True
    assert check_choice(np.int64(pf.COLOR_RED), "shift_color", {pf.COLOR_RED: "red", "red": "red"}) == "red"
    assert check_color(np.array([1, 2, 3]), "fill") == (1, 2, 3)
    assert pf.create_path([np.int64(1), 12, np.int32(20)]) == [(1, 12), (12, 20), (20, 1)]
    assert resolve_regions(np.int64(pf.FACE_OVAL_MASK))[0].name == "face_oval"


def test_every_check_names_its_parameter():
    from pyfame.errors import PyfameError
    from pyfame import validation as v

    calls = [
        (v.check_float, ("x", "shift_magnitude")), (v.check_float, (float("nan"), "shift_magnitude")),
        (v.check_float, (10**400, "shift_magnitude")),
        (v.check_float, (5.0, "shift_magnitude"), {"high": 1.0}), (v.check_int, (1.5, "k_size")),
        (v.check_int, (0, "k_size"), {"low": 1}), (v.check_bool, (1, "redraw")),
        (v.check_choice, ("purple", "shift_color", {"red": 1})), (v.check_choice, (True, "shift_color", {"red": 1})),
        (v.check_choice, (1.5, "shift_color", {"red": 1})), (v.check_color, ("red", "fill")),
        (v.check_color, ((1, 2), "fill")), (v.check_color, ((1, 2, 300), "fill")),
        (v.check_callable, (3, "timing_func")), (v.check_seed, (-1, "rand_seed")),
        (v.check_existing_path, (3, "input_dir")), (v.check_existing_path, ("/no/such/file", "input_dir")),
        (v.check_output_dir, ("/no/such/folder", "output_dir")), (v.check_output_dir, (__file__, "output_dir")),
    ]
    for func, args, *kw in calls:
        with pytest.raises(PyfameError) as caught:
            func(*args, **(kw[0] if kw else {}))
        assert caught.value.param == args[1], (func.__name__, args)


# ---- 6. the landmark cache uses only consistent entries ---------------------------------------


def _faces_per_frame(n_frames: int = 3) -> list:
    from pyfame.face.faces import Faces

    lm = np.random.default_rng(0).random((2, 478, 3)).astype(np.float32) * 100
    return [Faces.from_landmarks(lm[: i % 3], (200, 200, 3)) for i in range(n_frames)]


def _rewrite_entry(path: Path, **changes) -> None:
    """Rewrite a cache entry with some arrays replaced (None: removed)."""
    with np.load(path, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    for name, value in changes.items():
        if value is None:
            arrays.pop(name)
        else:
            arrays[name] = value
    with open(path, "wb") as handle:
        np.savez(handle, **arrays)


SHA_A, SHA_B = "a" * 64, "b" * 64


@pytest.fixture()
def cache_entry(tmp_path):
    from pyfame.face.landmark_cache import LandmarkCache

    cache = LandmarkCache(tmp_path)
    key = cache.key(SHA_A, {"num_faces": 2})
    path = cache.save(key, _faces_per_frame(3), input_sha256=SHA_A, source_frame_count=3)
    back = cache.load(key, input_sha256=SHA_A, frame_count=3)
    assert back is not None and [f.count for f in back] == [0, 1, 2]
    return cache, key, path


def _nan_landmarks(path: Path) -> dict:
    with np.load(path) as data:
        landmarks = data["landmarks"].copy()
    landmarks[0, 5, 1] = np.nan
    return {"landmarks": landmarks}


def _inf_boxes(path: Path) -> dict:
    with np.load(path) as data:
        return {"boxes": np.full(data["boxes"].shape, np.inf, np.float32)}


@pytest.mark.parametrize("damage", [
    "nan landmarks", "infinite boxes", "counts cut short", "counts longer", "counts negative",
    "landmarks of another shape", "no input hash", "old format", "truncated npz", "not a zip",
])
def test_a_damaged_cache_entry_is_a_miss(cache_entry, caplog, damage):
    cache, key, path = cache_entry
    if damage == "nan landmarks":
        _rewrite_entry(path, **_nan_landmarks(path))
    elif damage == "infinite boxes":
        _rewrite_entry(path, **_inf_boxes(path))
    elif damage == "counts cut short":
        _rewrite_entry(path, counts=np.array([0, 1], np.int32))
    elif damage == "counts longer":
        _rewrite_entry(path, counts=np.array([0, 1, 2, 0], np.int32))
    elif damage == "counts negative":
        _rewrite_entry(path, counts=np.array([1, -1, 3], np.int32))
    elif damage == "landmarks of another shape":
        _rewrite_entry(path, landmarks=np.zeros((3, 468, 3), np.float32))
    elif damage == "no input hash":
        _rewrite_entry(path, input_sha256=None)
    elif damage == "old format":
        _rewrite_entry(path, format=np.array(1, np.int32))
    elif damage == "truncated npz":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    else:
        path.write_bytes(b"garbage")
    with caplog.at_level("WARNING", logger="pyfame.face.landmark_cache"):
        assert cache.load(key, input_sha256=SHA_A, frame_count=3) is None
    assert "ignoring landmark cache entry" in caplog.text


def test_a_cache_entry_of_another_input_or_frame_count_is_a_miss(cache_entry):
    cache, key, _ = cache_entry
    assert cache.load(key, input_sha256=SHA_B, frame_count=3) is None
    assert cache.load(key, input_sha256=SHA_A, frame_count=4) is None
    assert cache.load(key, input_sha256=SHA_A, frame_count=3) is not None


def test_the_pipeline_tracks_again_past_a_bad_entry(talking_video, tmp_path):
    from pyfame.core.analysis.landmark_probe import LandmarkProbe
    from pyfame.face.landmark_cache import LandmarkCache
    from pyfame.pipeline.file_pass import Targets, Work, run_file
    from pyfame.pipeline.run_options import RunOptions

    path, _ = talking_video
    other = tmp_path / "other.mp4"
    write_moving_face_video(other, n_frames=12, fps=12, size=(160, 120), motion="translate", audio=False)
    options = RunOptions(landmark_cache=tmp_path / "cache", seed=1)
    fresh = run_file(other, Targets(), Work([], [LandmarkProbe()]), RunOptions(landmark_cache=False))
    first = run_file(path, Targets(), Work([], [LandmarkProbe()]), options)
    (entry,) = (tmp_path / "cache").glob("*.npz")
    # another input's entry under this input's key: not used, the input is tracked
    other_key = LandmarkCache.key(_sha256(other), options.tracker.as_dict())
    shutil.copy(entry, tmp_path / "cache" / f"{other_key}.npz")
    again = run_file(other, Targets(), Work([], [LandmarkProbe()]), options)
    assert not again.cache_hit and again.tables["landmarks"].equals(fresh.tables["landmarks"])
    # NaN landmarks in the input's own entry: tracked again, and the entry is replaced
    _rewrite_entry(entry, **_nan_landmarks(entry))
    second = run_file(path, Targets(), Work([], [LandmarkProbe()]), options)
    assert not second.cache_hit and second.tables["landmarks"].equals(first.tables["landmarks"])
    third = run_file(path, Targets(), Work([], [LandmarkProbe()]), options)
    assert third.cache_hit and third.tables["landmarks"].equals(first.tables["landmarks"])


# ---- 7. experiment files: no alias expansion, a bounded plan ---------------------------------

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""

_LOAD_EXPERIMENT = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))  # the file expanded would need far more
from pyfame.experiment import Experiment, ExperimentError
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    Experiment.from_yaml(sys.argv[1])
    outcome = "loaded"
except ExperimentError as exc:
    outcome = "refused: " + str(exc)
except BaseException as exc:
    outcome = "failed: " + type(exc).__name__
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"outcome": outcome, "added_mb": (after - before) / 1024}))
"""


def test_billion_laughs_is_refused_at_the_first_anchor(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "laughs.yaml"
    path.write_text(BILLION_LAUGHS)
    assert path.stat().st_size < 400
    done = subprocess.run([sys.executable, "-c", _LOAD_EXPERIMENT, str(path)], capture_output=True, text=True,
                          timeout=600)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["outcome"].startswith("refused: ") and "laughs.yaml line 1" in report["outcome"]
    assert "anchor &a" in report["outcome"]
    assert report["added_mb"] < 50


@pytest.mark.parametrize("text, line, what", [
    ("inputs: x\nconditions: &c [*c]\n", 2, "anchor &c"),  # a list that holds itself
    ("inputs: x\noutput_dir: out\nbase: &base {type: blur}\n", 3, "anchor &base"),
    ("inputs: x\noutput_dir: out\nconditions:\n  - name: a\n    layers: [*blur]\n", 5, "alias *blur"),
    ("inputs: x\noutput_dir: out\nconditions:\n  - <<: *x\n", 4, "alias *x"),
], ids=["recursive", "anchor", "alias", "merge-key"])
def test_yaml_anchors_and_aliases_are_refused_with_their_line(tmp_path, text, line, what):
    from pyfame.experiment import Experiment, ExperimentError

    path = tmp_path / "exp.yaml"
    path.write_text(text)
    with pytest.raises(ExperimentError, match=rf"exp\.yaml line {line}: .*\({re.escape(what)}\)"):
        Experiment.from_yaml(path)


def _experiment_dir(tmp_path) -> Path:
    from pyfame.samples import write_sample_image

    (tmp_path / "in").mkdir()
    for name in ("a.png", "b.png", "c.png"):
        write_sample_image(tmp_path / "in" / name)
    return tmp_path


def test_a_huge_vary_product_is_refused_before_planning(tmp_path, monkeypatch):
    from pyfame.experiment import Experiment, ExperimentError
    from pyfame.experiment import experiment as experiment_module

    def no_planning(*args, **kwargs):
        raise AssertionError("a layer was built: planning started")

    monkeypatch.setattr(experiment_module, "build", no_planning)
    folder = _experiment_dir(tmp_path)
    values = ", ".join(str(v) for v in range(1, 41))
    (folder / "exp.yaml").write_text(
        "inputs: [in/*.png]\noutput_dir: out\nconditions:\n  - name: flush\n    vary:\n"
        f"      magnitude: [{values}]\n      feather: [{values}]\n      onset: [{values}]\n      offset: [{values}]\n"
        "    layers:\n      - {type: color_shift, shift_magnitude: '{magnitude}'}\n"
    )  # 40^4 combinations x 3 inputs = 7.7 million jobs
    with pytest.raises(ExperimentError, match=r"exp\.yaml line 5: conditions\[0\]\.vary: .*7,680,000 jobs.*10,000"):
        Experiment.from_yaml(folder / "exp.yaml")


def test_the_job_limit_is_a_setting(tmp_path):
    from pyfame.experiment import Experiment, ExperimentError

    folder = _experiment_dir(tmp_path)
    body = ("inputs: [in/*.png]\noutput_dir: out\n{limits}conditions:\n  - name: flush\n    vary:\n"
            "      color: [red, green]\n    layers:\n      - {{type: color_shift, shift_color: '{{color}}'}}\n")
    path = folder / "exp.yaml"
    path.write_text(body.format(limits=""))
    assert len(Experiment.from_yaml(path).jobs()) == 6
    path.write_text(body.format(limits="limits: {max_jobs: 5}\n"))
    with pytest.raises(ExperimentError, match="6 jobs.*limit of 5"):
        Experiment.from_yaml(path)
    assert len(Experiment.from_yaml(path, max_jobs=6).jobs()) == 6
    with pytest.raises(ExperimentError, match="limit of 3"):
        Experiment.from_yaml(folder / "exp.yaml", max_jobs=3)
    for bad in ("0", "many", "[1]"):
        path.write_text(body.format(limits=f"limits: {{max_jobs: {bad}}}\n"))
        with pytest.raises(ExperimentError, match=r"line 3: limits\.max_jobs"):
            Experiment.from_yaml(path)


# ---- 8. workers end when the main process is killed --------------------------------------------

_SLEEPER = '''
import os, time
def work(folder):
    with open(os.path.join(folder, f"{os.getpid()}.pid"), "w") as handle:
        handle.write("started")
    time.sleep(600)
'''

_POOL_OWNER = '''
import sys
import sleeper
from pyfame.pipeline.process_pool import map_in_processes
map_in_processes(sleeper.work, [sys.argv[1]] * 2, workers=2)
'''


def _running(pid: int) -> bool:
    """The process exists and is not a zombie (an exited orphan nobody has reaped yet)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states from /proc")
def test_workers_exit_when_the_main_process_is_killed(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    (tmp_path / "sleeper.py").write_text(_SLEEPER)
    pids_dir = tmp_path / "pids"
    pids_dir.mkdir()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")]))}
    owner = subprocess.Popen([sys.executable, "-c", _POOL_OWNER, str(pids_dir)], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 120
        while len(workers) < 2 and time.monotonic() < deadline and owner.poll() is None:
            time.sleep(0.1)
            workers = [int(p.stem) for p in pids_dir.glob("*.pid")]
        assert len(workers) == 2, "the workers did not start"
        assert all(_running(pid) for pid in workers)
        owner.send_signal(signal.SIGKILL)
        owner.wait(timeout=30)
        deadline = time.monotonic() + 15
        while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert [pid for pid in workers if _running(pid)] == []
    finally:
        if owner.poll() is None:
            owner.kill()
            owner.wait(timeout=30)
        for pid in workers:  # only the workers this test started
            if _running(pid):
                os.kill(pid, signal.SIGKILL)


# ---- 9. outputs get the mode the umask gives ---------------------------------------------------


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o027, 0o640)], ids=["022", "027"])
def test_outputs_get_the_mode_of_the_umask(two_clips, tmp_path, umask, mode):
    import os
    import stat

    from pyfame.samples import write_sample_image

    clip, _ = two_clips
    still = write_sample_image(tmp_path / "face.png")
    out, cache = tmp_path / "out", tmp_path / "cache"
    out.mkdir()
    old = os.umask(umask)
    try:
        pf.apply_layers(still, out, [pf.Blur()], [pf.ColorMeansProbe()], landmark_cache=cache)
        pf.apply_layers(clip, out, [], landmark_cache=False)
    finally:
        os.umask(old)
    made = sorted(p for p in [*out.rglob("*"), *cache.rglob("*")] if p.is_file())
    names = {p.name for p in made}
    assert {"face.png", "face.png.pyfame.json", "a.mp4", "a.mp4.pyfame.json"} <= names
    assert any(n.endswith(".csv") for n in names) and any(n.endswith(".npz") for n in names)
    assert {p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in made} == {p.name: oct(mode) for p in made}


# ---- 10. temporary files of killed processes are removed by the next run ---------------------


def test_stale_temp_files_are_removed_by_the_next_run(two_clips, tmp_path):
    import os
    import subprocess
    import time

    from pyfame.io.atomic_write import host_label

    clip, _ = two_clips
    out = tmp_path / "out"
    out.mkdir()
    gone = subprocess.Popen(["sleep", "0"])
    gone.wait()  # a process that has ended: its pid is no longer running
    alive = subprocess.Popen(["sleep", "120"])
    host = host_label()
    day_ago = time.time() - 2 * 24 * 3600
    files = {
        "dead": out / f".a.pyfame-tmp-{host}-{gone.pid}-k3j9x_2a.mp4",
        "live": out / f".b.pyfame-tmp-{host}-{alive.pid}-q8w7e6r5.mp4",
        "other host, recent": out / f".c.pyfame-tmp-elsewhere_1-{gone.pid}-a1b2c3d4.mp4",
        "other host, old": out / f".d.pyfame-tmp-elsewhere_1-{gone.pid}-e5f6g7h8.mp4",
        "no owner, recent": out / ".e.pyfame-tmp-zz9y8x7w.mp4",
        "no owner, old": out / ".f.pyfame-tmp-vv6u5t4s.mp4",
    }
    try:
        for path in files.values():
            path.write_bytes(b"partial")
        for key in ("other host, old", "no owner, old"):
            os.utime(files[key], (day_ago, day_ago))
        (result,) = pf.apply_layers(clip, out, [], landmark_cache=False)
        assert result.error is None and (out / "a.mp4").is_file()
        still_there = {key for key, path in files.items() if path.exists()}
        assert still_there == {"live", "other host, recent", "no owner, recent"}
    finally:
        alive.kill()
        alive.wait()


def test_temp_names_carry_host_and_pid(tmp_path):
    import os

    from pyfame.io.atomic_write import host_label, temp_path_beside

    tmp = temp_path_beside(tmp_path / "clip.mp4")
    assert tmp.name.startswith(f".clip.pyfame-tmp-{host_label()}-{os.getpid()}-") and tmp.suffix == ".mp4"


# ---- 9. experiments set the reading limits too ------------------------------------------------


@pytest.fixture(scope="module")
def cut_face_clip(tmp_path_factory):
    """The sample face in a faststart MP4 of 40 frames (its index first), cut in the middle."""
    import av
    import cv2

    from pyfame.io import read_image
    from pyfame.samples import write_sample_image

    folder = tmp_path_factory.mktemp("cut_face")
    face = cv2.resize(read_image(write_sample_image(folder / "face.png")), (192, 192), interpolation=cv2.INTER_AREA)
    whole = folder / "whole.mp4"
    with av.open(str(whole), "w", options={"movflags": "faststart"}) as container:
        stream = container.add_stream("libx264", rate=25, options={"preset": "ultrafast"})
        stream.width, stream.height, stream.pix_fmt = 192, 192, "yuv420p"
        noise = np.random.default_rng(2)
        for i in range(40):
            pixels = np.clip(face.astype(np.int16) + noise.integers(-8, 9, face.shape), 0, 255).astype(np.uint8)
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts = i
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    (folder / "in").mkdir()
    _cut_in_half(whole, folder / "in" / "cut.mp4")
    return folder / "in" / "cut.mp4"


def _limits_experiment(folder: Path, clip: Path, keys: str = "") -> Path:
    from pyfame.samples import write_sample_image

    (folder / "in").mkdir()
    shutil.copy(clip, folder / "in" / "cut.mp4")
    write_sample_image(folder / "in" / "face.png")
    path = folder / "exp.yaml"
    path.write_text("inputs: [in/cut.mp4, in/face.png]\noutput_dir: out\nlandmark_cache: false\n" + keys +
                    "conditions: [{name: red, layers: [{type: color_shift}]}]\n")
    return path


def test_an_experiment_refuses_a_truncated_input_unless_allowed(cut_face_clip, tmp_path):
    from click.testing import CliRunner

    from pyfame.cli import main
    from pyfame.experiment import Experiment

    path = _limits_experiment(tmp_path, cut_face_clip)
    report = Experiment.from_yaml(path).run(executor="serial")
    (failed,) = report.failed
    assert failed["input"].endswith("cut.mp4") and re.search(r"FileReadError: .*cut\.mp4 is truncated: \d+ of 40",
                                                              failed["error"])
    assert not (tmp_path / "out" / "red" / "cut.mp4").exists()
    result = CliRunner().invoke(main, ["-q", "run", str(path), "--executor", "serial", "--allow-truncated"])
    assert result.exit_code == 0, result.output
    truncated = _sidecar(tmp_path / "out" / "red" / "cut.mp4")["truncated"]
    assert truncated["frames_expected"] == 40 and 10 < truncated["frames_read"] < 30
    path.write_text(path.read_text().replace("landmark_cache: false\n", "landmark_cache: false\nallow_truncated: true\n"))
    assert Experiment.from_yaml(path).run(executor="serial").count("skipped") == 2  # the file's key: the same


def test_an_experiment_sets_the_pixel_limit(cut_face_clip, tmp_path):
    from click.testing import CliRunner

    from pyfame.cli import main
    from pyfame.experiment import Experiment, ExperimentError

    path = _limits_experiment(tmp_path, cut_face_clip, "allow_truncated: true\nmax_pixels: 40000\n"
                                                       "operations: [{type: average_faces, input_dir: [in/face.png, "
                                                       "in/face.png]}]\n")
    report = Experiment.from_yaml(path).run(executor="serial")
    errors = {Path(r["input"]).name: r["error"] for r in report.failed}
    assert errors.keys() == {"face.png"} and len(report.failed) == 2  # the still (512 x 512) and the average
    assert all("ImageShapeError" in r["error"] and "40,000" in r["error"] for r in report.failed)
    assert report.count("made") == 1  # the clip (192 x 192) is under the limit
    result = CliRunner().invoke(main, ["-q", "run", str(path), "--executor", "serial", "--max-pixels", "300000"])
    assert result.exit_code == 0, result.output
    path.write_text(path.read_text().replace("max_pixels: 40000", "max_pixels: 0"))
    with pytest.raises(ExperimentError, match=r"line 5: max_pixels"):
        Experiment.from_yaml(path)


# ---- 10. a logging configuration runs no code ---------------------------------------------------


@pytest.mark.parametrize("handler, key", [
    ("{'()': subprocess.call, args: [touch, MARK]}", r"handlers\.h\.\(\)"),
    ("{class: os.system, command: touch MARK}", r"handlers\.h\.class"),
    ("{class: subprocess.Popen, args: [touch, MARK]}", r"handlers\.h\.class"),
    ("{class: logging.StreamHandler, stream: 'ext://os.system'}", r"handlers\.h\.stream"),
    ("{class: logging.StreamHandler, formatter: f}\nformatters: {f: {'()': os.system}}", r"formatters\.f\.\(\)"),
    ("{class: logging.StreamHandler, filters: [x]}\nfilters: {x: {'()': os.system}}", r"filters\.x\.\(\)"),
], ids=["factory", "class-os-system", "class-popen", "ext-object", "formatter-factory", "filter-factory"])
def test_a_logging_configuration_runs_no_code(tmp_path, handler, key):
    from pyfame.errors import PyfameValueError
    from pyfame.utils import setup_logging

    mark = tmp_path / "pwned"
    path = tmp_path / "logging.yaml"
    path.write_text(f"version: 1\nhandlers:\n  h: {handler.replace('MARK', str(mark))}\n")
    with pytest.raises(PyfameValueError, match=key) as caught:
        setup_logging(path)
    assert caught.value.param == "config_path" and not mark.exists()


def test_a_logging_configuration_expands_no_alias(tmp_path):
    from pyfame.errors import PyfameValueError
    from pyfame.utils import setup_logging

    path = tmp_path / "logging.yaml"
    lines = ["version: 1", 'x0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"x{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(PyfameValueError, match=r"logging\.yaml line 2: YAML anchors and aliases are not allowed"):
        setup_logging(path)


def test_a_plain_logging_configuration_still_works(tmp_path):
    import logging

    from pyfame.utils import setup_logging

    log_file = tmp_path / "pyfame.log"
    path = tmp_path / "logging.yaml"
    path.write_text("version: 1\ndisable_existing_loggers: false\nformatters: {plain: {format: '%(message)s', "
                    "class: logging.Formatter}}\nhandlers:\n  file: {class: logging.handlers.RotatingFileHandler, "
                    f"filename: '{log_file}', formatter: plain, maxBytes: 1000}}\n"
                    "  err: {class: logging.StreamHandler, stream: 'ext://sys.stderr'}\n"
                    "loggers: {pyfame.test: {level: INFO, handlers: [file, err], propagate: false}}\n")
    setup_logging(path)
    logging.getLogger("pyfame.test").info("hello")
    for handler in logging.getLogger("pyfame.test").handlers:
        handler.close()
    assert log_file.read_text() == "hello\n"


# ---- 11. operations carry a still's alpha channel, or say why not -------------------------------


@pytest.fixture(scope="module")
def rgba_pair(tmp_path_factory):
    """Two RGBA faces whose alpha channel is a copy of their green channel, and opaque RGB copies.

    Warping the alpha "like a colour channel" means an output's alpha equals its green channel
    (the same transform, interpolation, mixing and rounding; the background is black, as
    transparent as the canvas outside an input): any other handling of the alpha breaks that.
    """
    import cv2
    from skimage.data import astronaut

    folder = tmp_path_factory.mktemp("rgba_pair")
    a = cv2.resize(astronaut()[:400, 50:450], (256, 256), interpolation=cv2.INTER_AREA)
    turn = cv2.getRotationMatrix2D((128.0, 128.0), 8.0, 0.9)
    b = cv2.warpAffine(a, turn, (256, 256), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    for name, rgb in (("a", a), ("b", b)):
        bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
        (folder / "rgba").mkdir(exist_ok=True)
        (folder / "rgb").mkdir(exist_ok=True)
        cv2.imwrite(str(folder / "rgba" / f"{name}.png"), np.dstack([bgr, rgb[..., 1]]))
        cv2.imwrite(str(folder / "rgb" / f"{name}.png"), bgr)
    return folder


_CANVAS = {"size": (160, 160), "background_color": "black"}
_ALPHA_CASES = {
    "align": lambda d, out: pf.align_faces(d, out, **_CANVAS),
    "average": lambda d, out: pf.average_faces(d, out, **_CANVAS),
    "morph": lambda d, out: pf.morph_faces(d / "a.png", d / "b.png", out, weights=(0.3,), texture_weights=0.6,
                                           **_CANVAS),
    "caricature": lambda d, out: pf.caricature_faces(d / "a.png", out, d / "b.png", strength=1.8),
    "composite": lambda d, out: pf.composite_faces(d / "a.png", d / "b.png", out, misalign=0.3, gap_px=3, **_CANVAS),
    "vignette": lambda d, out: pf.align_faces(d / "a.png", out, vignette=True, **_CANVAS),
}


@pytest.mark.parametrize("case", list(_ALPHA_CASES))
def test_a_geometry_operation_warps_the_alpha_channel_with_the_face(rgba_pair, tmp_path, case):
    from pyfame.io import read_image_with_alpha

    made = {}
    for kind in ("rgba", "rgb"):
        out = tmp_path / kind
        out.mkdir()
        results = _ALPHA_CASES[case](rgba_pair / kind, out)
        made[kind] = [r.output for r in results if r.output.suffix == ".png"]
    assert made["rgba"]
    for with_alpha, opaque in zip(made["rgba"], made["rgb"]):
        rgb, alpha = read_image_with_alpha(with_alpha)
        assert alpha is not None, with_alpha.name
        assert np.array_equal(rgb, read_image_with_alpha(opaque)[0])  # the alpha changes no colour
        assert np.abs(alpha.astype(int) - rgb[..., 1]).max() <= 1  # moved exactly as a colour channel
        assert alpha.std() > 10  # a real, varying transparency came through
        assert "warped with the face" in _sidecar(with_alpha)["made"]["alpha"]
        assert read_image_with_alpha(opaque)[1] is None and "made" not in _sidecar(opaque) or \
            "alpha" not in _sidecar(opaque).get("made", {})


def test_matching_statistics_keeps_the_alpha_channel(rgba_pair, tmp_path):
    from pyfame.io import read_image_with_alpha

    results = pf.match_face_statistics(rgba_pair / "rgba", tmp_path, method="luminance", target={"mean": 40.0, "sd": 20.0})
    for r in (r for r in results if r.output.name in ("a.png", "b.png")):
        rgb, alpha = read_image_with_alpha(r.output)
        source_rgb, source_alpha = read_image_with_alpha(rgba_pair / "rgba" / r.output.name)
        assert np.array_equal(alpha, source_alpha) and not np.array_equal(rgb, source_rgb)
        assert _sidecar(r.output)["made"]["alpha"].startswith("kept")


def test_a_hybrid_keeps_the_low_faces_alpha_and_refuses_a_transparent_high_face(rgba_pair, tmp_path):
    from pyfame.errors import ImageShapeError
    from pyfame.io import read_image_with_alpha

    (r,) = pf.hybrid_faces(rgba_pair / "rgba" / "a.png", rgba_pair / "rgb" / "b.png", tmp_path, cutoff_cpf=6)
    assert np.array_equal(read_image_with_alpha(r.output)[1], read_image_with_alpha(rgba_pair / "rgba" / "a.png")[1])
    assert "low face's alpha" in _sidecar(r.output)["made"]["alpha"]
    (tmp_path / "x").mkdir()
    with pytest.raises(ImageShapeError, match="b.png is transparent where the hybrid uses it") as caught:
        pf.hybrid_faces(rgba_pair / "rgb" / "a.png", rgba_pair / "rgba" / "b.png", tmp_path / "x", cutoff_cpf=6)
    assert caught.value.param == "high_face"


def test_reverse_correlation_refuses_a_transparent_base(rgba_pair, tmp_path):
    from pyfame.errors import ImageShapeError

    with pytest.raises(ImageShapeError, match="transparent") as caught:
        pf.generate_rc_stimuli(rgba_pair / "rgba" / "a.png", tmp_path, n_trials=2)
    assert caught.value.param == "base_face" and list(tmp_path.iterdir()) == []
