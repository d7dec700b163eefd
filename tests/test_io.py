"""Sources and sinks: formats, sizes, timing, audio, rotation, atomic writes, bad files."""

from __future__ import annotations

import shutil
import subprocess
from fractions import Fraction

import av
import cv2
import numpy as np
import pytest

from pyfame.errors import FileReadError, FileWriteError, PyfamePathError, UnrecognizedExtensionError
from pyfame.io import (
    Frame,
    VideoSink,
    atomic_output,
    media_info,
    open_source,
    read_image,
    read_image_with_alpha,
    write_image,
)
from pyfame.samples import sample_face, write_moving_face_video

from .conftest import listing, write_audio_only


@pytest.mark.parametrize("ext", [".png", ".jpg", ".bmp", ".tiff", ".webp"])
def test_image_round_trip(tmp_path, ext):
    face = sample_face()
    path = write_image(tmp_path / f"face{ext}", face)
    back = read_image(path)
    assert back.shape == face.shape and back.dtype == np.uint8
    lossless = ext in (".png", ".bmp", ".tiff")
    assert (np.array_equal(back, face) if lossless else np.abs(back.astype(int) - face).mean() < 4)
    assert listing(tmp_path) == [f"face{ext}"]


def test_grey_rgba_and_16_bit_images(tmp_path):
    face = sample_face()
    grey = cv2.cvtColor(face, cv2.COLOR_RGB2GRAY)
    cv2.imwrite(str(tmp_path / "grey.png"), grey)
    g = read_image(tmp_path / "grey.png")
    assert g.shape == (512, 512, 3) and np.array_equal(g[..., 0], grey)
    rgba = np.dstack([cv2.cvtColor(face, cv2.COLOR_RGB2BGR), np.full((512, 512), 200, np.uint8)])
    cv2.imwrite(str(tmp_path / "rgba.png"), rgba)
    rgb, alpha = read_image_with_alpha(tmp_path / "rgba.png")
    assert np.array_equal(rgb, face) and (alpha == 200).all()
    sixteen = cv2.cvtColor(face, cv2.COLOR_RGB2BGR).astype(np.uint16) * 257
    cv2.imwrite(str(tmp_path / "deep.png"), sixteen)
    assert np.array_equal(read_image(tmp_path / "deep.png"), face)


def test_video_round_trip_keeps_everything(talking_video, tmp_path):
    path, _ = talking_video
    with open_source(path) as source:
        frames = list(source)
        with VideoSink(tmp_path / "copy.mp4", source.width, source.height, source.fps,
                       time_base=source.time_base, audio_from=path, crf=12) as sink:
            for f in frames:
                sink.write(f)
    a, b = media_info(path), media_info(tmp_path / "copy.mp4")
    for key in ("width", "height", "fps", "frame_count", "has_audio", "audio_codec"):
        assert a[key] == b[key], key
    assert abs(a["duration_s"] - b["duration_s"]) < 0.05
    with open_source(tmp_path / "copy.mp4") as copy:
        copied = list(copy)
    assert [f.t for f in copied] == pytest.approx([f.t for f in frames], abs=1e-6)
    assert np.mean([np.abs(x.pixels.astype(int) - y.pixels).mean() for x, y in zip(frames, copied)]) < 2.0
    # the audio packets are copied, not re-encoded: same bytes
    def audio_bytes(p):
        with av.open(str(p)) as c:
            return b"".join(bytes(k) for k in c.demux(c.streams.audio[0]) if k.size)
    assert audio_bytes(path) == audio_bytes(tmp_path / "copy.mp4")
    assert listing(tmp_path) == ["copy.mp4"]


def test_odd_size_and_no_audio(tmp_path):
    path = tmp_path / "odd.mp4"
    write_moving_face_video(path, n_frames=10, fps=25, size=(321, 241), audio=False)
    info = media_info(path)
    assert (info["width"], info["height"], info["frame_count"], info["has_audio"]) == (321, 241, 10, False)
    assert info["pix_fmt"] == "yuv444p"
    with open_source(path) as s:
        assert next(iter(s)).pixels.shape == (241, 321, 3)


@pytest.mark.parametrize("size", [(96, 64), (97, 65)])
def test_video_colours_come_back_and_the_stream_says_how(tmp_path, size):
    """Flat colour patches survive the RGB -> YUV -> RGB trip (4:2:0 through OpenCV, 4:4:4
    through swscale), and the stream carries the BT.601 / limited-range tags that decode them."""
    w, h = size
    colours = [(230, 40, 40), (40, 200, 60), (30, 60, 220), (240, 220, 30), (128, 128, 128), (20, 20, 20)]
    frame = np.zeros((h, w, 3), np.uint8)
    band = w // len(colours)
    for i, c in enumerate(colours):
        frame[:, i * band:(i + 1) * band] = c
    with VideoSink(tmp_path / "c.mp4", w, h, 25, crf=0) as sink:
        for i in range(3):
            sink.write(Frame(i, i / 25, frame))
    with av.open(str(tmp_path / "c.mp4")) as c:
        cc = c.streams.video[0].codec_context
        assert (cc.colorspace, cc.color_range, cc.color_primaries, cc.color_trc) == (6, 1, 1, 1)  # smpte170m, tv
    with open_source(tmp_path / "c.mp4") as s:
        back = next(iter(s)).pixels
    for i, c in enumerate(colours):
        # the middle of each patch, away from chroma blending at the edges
        patch = back[h // 4: 3 * h // 4, i * band + 4:(i + 1) * band - 4].reshape(-1, 3).astype(int)
        assert np.abs(patch - c).max() <= 3, (c, patch.mean(axis=0))


def test_rgb_to_i420_matches_bt601_with_block_mean_chroma():
    """Luma per pixel and chroma of each 2x2 block's mean colour, BT.601 limited range, within
    rounding of the exact values (OpenCV's own I420 takes the top-left pixel's chroma)."""
    from pyfame.io.yuv420 import rgb_to_i420

    rgb = np.random.default_rng(5).integers(0, 256, (48, 64, 3), dtype=np.uint8)
    f = rgb.astype(np.float64)
    y = 16 + (65.481 * f[..., 0] + 128.553 * f[..., 1] + 24.966 * f[..., 2]) / 255
    m = f.reshape(24, 2, 32, 2, 3).mean(axis=(1, 3))
    cb = 128 + (-37.797 * m[..., 0] - 74.203 * m[..., 1] + 112 * m[..., 2]) / 255
    cr = 128 + (112 * m[..., 0] - 93.786 * m[..., 1] - 18.214 * m[..., 2]) / 255
    out = rgb_to_i420(rgb).reshape(-1).astype(np.float64)
    planes = (out[:48 * 64].reshape(48, 64), out[48 * 64:48 * 64 + 24 * 32].reshape(24, 32),
              out[48 * 64 + 24 * 32:].reshape(24, 32))
    for got, want in zip(planes, (y, cb, cr)):
        assert np.abs(got - want).max() <= 1.0


def test_one_pixel_colour_detail_keeps_its_colour_in_video(tmp_path):
    """A red pixel in the bottom-right of every 2x2 block of grey: the written video must
    carry the blocks' mean colour, not drop the red (point-sampled chroma did)."""
    frame = np.full((64, 96, 3), 128, np.uint8)
    frame[1::2, 1::2] = (255, 0, 0)
    with VideoSink(tmp_path / "dots.mp4", 96, 64, 25, crf=0) as sink:
        sink.write(Frame(0, 0.0, frame))
    with open_source(tmp_path / "dots.mp4") as s:
        back = next(iter(s)).pixels.astype(float)
    blocks = back.reshape(32, 2, 48, 2, 3).mean(axis=(1, 3))[4:-4, 4:-4]
    want = frame.astype(float).reshape(32, 2, 48, 2, 3).mean(axis=(1, 3))[4:-4, 4:-4]
    assert np.abs(blocks - want).max() < 4, (blocks.mean(axis=(0, 1)), want.mean(axis=(0, 1)))


@pytest.mark.parametrize("preset", ["ultrafast", "superfast", "veryfast"])
def test_encoded_bytes_do_not_depend_on_the_cpu(tmp_path, monkeypatch, preset):
    """The same frames give the same bytes on every run and every machine. Machines differ in
    which assembly x264 runs; with ``asm=0`` it runs its portable C code, so bytes equal to the
    C code's are the bytes any CPU writes. Without ``cpu-independent`` the SSSE3/AVX intra
    searches of ``superfast`` and slower presets chose other modes than the C code did."""
    import hashlib

    import pyfame.io.video_sink as video_sink
    from pyfame.samples.moving_face import moving_face_transforms, render_frame

    frames = [render_frame(m, (192, 144)) for m in moving_face_transforms(8, (192, 144), "talk", 1)]

    def encode(name: str) -> str:
        with VideoSink(tmp_path / name, 192, 144, 25, preset=preset, crf=20) as sink:
            for i, pixels in enumerate(frames):
                sink.write(Frame(i, i / 25, pixels))
        return hashlib.sha256((tmp_path / name).read_bytes()).hexdigest()

    native, again = encode("native.mp4"), encode("again.mp4")
    options = video_sink.x264_options
    monkeypatch.setattr(video_sink, "x264_options",
                        lambda crf, p: {**options(crf, p), "x264-params": options(crf, p)["x264-params"] + ":asm=0"})
    assert native == again == encode("portable_c.mp4")


def test_variable_frame_rate_keeps_real_times(tmp_path):
    times = [0.0, 0.04, 0.10, 0.12, 0.30, 0.31, 0.50]
    face = sample_face()
    with VideoSink(tmp_path / "vfr.mp4", 512, 512, 25, time_base=Fraction(1, 1000)) as sink:
        for i, t in enumerate(times):
            sink.write(Frame(i, t, face))
    with open_source(tmp_path / "vfr.mp4") as s:
        assert [round(f.t, 3) for f in s] == times


def test_rotation_flag_is_applied(tmp_path):
    ffmpeg = pytest.importorskip("imageio_ffmpeg").get_ffmpeg_exe()
    plain = tmp_path / "plain.mp4"
    write_moving_face_video(plain, n_frames=5, fps=10, size=(320, 240), motion="still", audio=True)
    rotated = tmp_path / "rotated.mp4"
    subprocess.run([ffmpeg, "-y", "-loglevel", "error", "-display_rotation", "90", "-i", str(plain),
                    "-c", "copy", str(rotated)], check=True)
    info = media_info(rotated)
    assert info["rotation"] == 90 and (info["width"], info["height"]) == (240, 320)
    with open_source(plain) as p, open_source(rotated) as r:
        upright = next(iter(p)).pixels
        turned = next(iter(r)).pixels
    assert np.abs(np.rot90(upright, 1).astype(int) - turned).mean() < 1.0


def test_atomic_output_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "table.csv"
    with pytest.raises(RuntimeError), atomic_output(target) as tmp:
        tmp.write_text("partial")
        raise RuntimeError("boom")
    assert listing(tmp_path) == []
    with pytest.raises(KeyboardInterrupt), atomic_output(target) as tmp:
        tmp.write_text("partial")
        raise KeyboardInterrupt
    assert listing(tmp_path) == []


def test_video_sink_abort_leaves_nothing(tmp_path):
    face = sample_face()
    with pytest.raises(ValueError), VideoSink(tmp_path / "x.mp4", 512, 512, 30) as sink:
        sink.write(Frame(0, 0.0, face))
        raise ValueError("stop")
    assert listing(tmp_path) == []
    with pytest.raises(FileWriteError, match="missing"):
        VideoSink(tmp_path / "missing" / "x.mp4", 512, 512, 30)


@pytest.mark.parametrize(
    "name, data, error",
    [
        ("empty.mp4", b"", FileReadError),
        ("text.mp4", b"not a video at all " * 50, FileReadError),
        ("empty.jpg", b"", FileReadError),
        ("text.webp", b"nope" * 10, FileReadError),
        ("notes.txt", b"hi", UnrecognizedExtensionError),
    ],
)
def test_bad_files(tmp_path, name, data, error):
    (tmp_path / name).write_bytes(data)
    with pytest.raises(error, match=name):
        open_source(tmp_path / name)


def test_missing_and_folder_paths(tmp_path):
    with pytest.raises(PyfamePathError, match="does not exist"):
        open_source(tmp_path / "gone.mp4")
    (tmp_path / "folder.mp4").mkdir()
    with pytest.raises(PyfamePathError, match="folder"):
        open_source(tmp_path / "folder.mp4")


def test_truncated_video_yields_what_decodes_or_fails_clearly(talking_video, tmp_path):
    path, _ = talking_video
    data = path.read_bytes()
    for fraction in (0.2, 0.5, 0.9):
        cut = tmp_path / f"cut{int(fraction * 10)}.mp4"
        cut.write_bytes(data[: int(len(data) * fraction)])
        try:
            with open_source(cut) as s:
                n = sum(1 for _ in s)
        except FileReadError as exc:
            assert cut.name in str(exc)
        else:
            assert 0 < n <= 48


def test_video_without_video_stream(tmp_path):
    audio_only = write_audio_only(tmp_path / "audio.mp4")
    with pytest.raises(FileReadError, match="no video stream"):
        open_source(audio_only)


def test_input_is_never_modified(talking_video, tmp_path):
    import pyfame as pf

    path, _ = talking_video
    copy = tmp_path / "in.mp4"
    shutil.copy(path, copy)
    before = copy.read_bytes()
    (tmp_path / "out").mkdir()
    pf.apply_layers(copy, tmp_path / "out", [pf.ColorShift()])
    assert copy.read_bytes() == before


@pytest.mark.parametrize("ext", [".avi", ".mov"])
def test_pcm_audio_is_reencoded_to_aac(tmp_path, ext):
    """Lab recordings often carry PCM sound in AVI or MOV; MP4 cannot hold it as it is."""
    path = tmp_path / f"clip{ext}"
    face = cv2.resize(sample_face(), (160, 120))
    with av.open(str(path), "w") as c:
        v = c.add_stream("mpeg4", rate=10)
        v.width, v.height, v.pix_fmt = 160, 120, "yuv420p"
        a = c.add_stream("pcm_s16le", rate=16000)
        a.layout = "mono"
        for i in range(10):
            frame = av.VideoFrame.from_ndarray(face, format="rgb24")
            frame.pts = i
            for p in v.encode(frame):
                c.mux(p)
        tone = (np.sin(np.arange(16000) * 2 * np.pi * 440 / 16000) * 8000).astype(np.int16)
        for k in range(0, 16000, 1000):
            chunk = av.AudioFrame.from_ndarray(tone[None, k:k + 1000], format="s16", layout="mono")
            chunk.sample_rate = 16000
            chunk.pts = k
            for p in a.encode(chunk):
                c.mux(p)
        for p in [*a.encode(None), *v.encode(None)]:
            c.mux(p)
    with open_source(path) as source, VideoSink(tmp_path / "out.mp4", 160, 120, source.fps,
                                                time_base=source.time_base, audio_from=path) as sink:
        for f in source:
            sink.write(f)
    info = media_info(tmp_path / "out.mp4")
    assert info["audio_codec"] == "aac" and info["frame_count"] == 10
    assert info["duration_s"] == pytest.approx(1.0, abs=0.1)
