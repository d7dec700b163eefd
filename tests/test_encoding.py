"""The default encoding and the named encoder profiles: size, fidelity, stream compatibility,
and the profile in Python, on the command line, in experiment files, sidecars and methods."""

from __future__ import annotations

import textwrap

import av
import numpy as np
import pytest
from click.testing import CliRunner

import pyfame as pf
from pyfame.cli import main
from pyfame.errors import PyfameValueError
from pyfame.io import Frame, VideoSink, open_source
from pyfame.io.yuv420 import rgb_to_i420
from pyfame.provenance import read_sidecar
from pyfame.samples import write_moving_face_video
from pyfame.samples.moving_face import moving_face_transforms, render_frame


@pytest.fixture(scope="module")
def camera_clip(tmp_path_factory):
    """A camera-like input: H.264 High with B-frames at 0.41 bits per pixel (the RAVDESS
    clips: 0.30 and 0.36), the face large and so smooth, as a camera's optics and encoder
    leave it, with AAC audio."""
    path = tmp_path_factory.mktemp("camera") / "camera.mp4"
    write_moving_face_video(path, n_frames=24, fps=30, size=(320, 240), motion="talk", crf=10, face_height=360)
    return path


def _luma_psnr(output, reference):
    with open_source(reference) as source:
        want = np.stack([rgb_to_i420(f.pixels)[: f.pixels.shape[0]] for f in source]).astype(np.float64)
    with av.open(str(output)) as container:
        got = np.stack([f.to_ndarray()[: want.shape[1]] for f in container.decode(video=0)]).astype(np.float64)
    return 10 * np.log10(255.0**2 / np.mean((got - want) ** 2))


def test_the_default_writes_at_most_half_a_camera_clips_bytes(camera_clip, tmp_path):
    """Issue 16: the default wrote about as many bytes as the camera file (0.3.0's ultrafast at
    CRF 15: 1.28x this input). Now at most half (0.40x), audio included, at a luma PSNR against
    the frames computed of at least 40 dB here (41.4). The generated face is harder to code
    than the camera clips of the benchmark, where the same setting gives 45.2-46.6 dB at 23-24%
    of the bytes (docs/benchmarks.md)."""
    (result,) = pf.transcode_video_to_mp4(camera_clip, tmp_path)
    assert result.output.stat().st_size <= 0.5 * camera_clip.stat().st_size
    assert _luma_psnr(result.output, camera_clip) >= 40.0
    encoder = read_sidecar(result.output)["encoder"]
    assert (encoder["profile"], encoder["preset"], encoder["crf"]) == ("small", "ultrafast", 25)


def test_the_default_stream_is_constrained_baseline_4_2_0_without_b_frames(tmp_path):
    """What web browsers and experiment software decode everywhere: Constrained Baseline,
    yuv420p, level 3.1 at 720p30, frames stored in display order (no B-frames)."""
    size = (1280, 720)
    frames = [render_frame(m, size) for m in moving_face_transforms(4, size, "talk", 2)]
    with VideoSink(tmp_path / "d.mp4", *size, 30) as sink:
        for i, pixels in enumerate(frames):
            sink.write(Frame(i, i / 30, pixels))
    with av.open(str(tmp_path / "d.mp4")) as container:
        stream = container.streams.video[0]
        context = stream.codec_context
        assert (context.profile, context.pix_fmt) == ("Constrained Baseline", "yuv420p")
        assert context.level <= 31
        packets = [p for p in container.demux(stream) if p.size]
    assert [p.pts for p in packets] == sorted(p.pts for p in packets)


def test_the_index_comes_before_the_media_data_for_web_playback(camera_clip, tmp_path):
    """A browser playing the file from a URL reads its index (moov) before any frame; with
    the index at the end ("fast start" off, 0.3.0) it must fetch the end of the file first,
    with a range request, or download all of it where the server has none."""
    import struct

    (result,) = pf.transcode_video_to_mp4(camera_clip, tmp_path)
    data, atoms, at = result.output.read_bytes(), [], 0
    while at < len(data):
        size, kind = struct.unpack(">I4s", data[at:at + 8])
        atoms.append(kind.decode())
        at += size
    assert atoms.index("moov") < atoms.index("mdat"), atoms
    with open_source(result.output) as source:
        assert len(list(source)) == 24


@pytest.fixture(scope="module")
def small_clip(tmp_path_factory):
    path = tmp_path_factory.mktemp("small") / "talk.mp4"
    write_moving_face_video(path, n_frames=6, fps=12, size=(160, 120), motion="talk", audio=False)
    return path


def _encoder(path):
    e = read_sidecar(path)["encoder"]
    return e["profile"], e["preset"], e["crf"]


def test_a_profile_is_chosen_by_name_and_a_given_preset_or_crf_wins(small_clip, tmp_path):
    from pyfame.methods import methods_paragraph

    for name in "abc":
        (tmp_path / name).mkdir()
    (a,) = pf.transcode_video_to_mp4(small_clip, tmp_path / "a", encoder_profile="fidelity")
    (b,) = pf.transcode_video_to_mp4(small_clip, tmp_path / "b", encoder_profile="fidelity", crf=18)
    (c,) = pf.transcode_video_to_mp4(small_clip, tmp_path / "c", preset="superfast")
    assert _encoder(a.output) == ("fidelity", "ultrafast", 15)
    assert _encoder(b.output) == (None, "ultrafast", 18)  # not the profile's settings any more
    assert _encoder(c.output) == (None, "superfast", 25)
    assert a.output.stat().st_size > 1.5 * c.output.stat().st_size
    assert "'fidelity' encoder profile" in methods_paragraph(a.output)
    assert "x264 options mbtree=0:cpu-independent=1" in methods_paragraph(c.output)


def test_the_fast_profile_is_the_fastest_setting_that_keeps_the_fidelity_floor():
    """Speed over size: no preset is faster than ultrafast, and at one preset a lower CRF
    (a larger file) costs more CPU, so the fast profile is the default's setting, by name."""
    from pyfame.io.video_sink import ENCODER_PROFILES, X264_PRESETS, encoder_settings

    assert encoder_settings("fast") == ENCODER_PROFILES["small"] and X264_PRESETS[0] == "ultrafast"
    assert encoder_settings("fast")[0] == X264_PRESETS[0]


def test_an_unknown_profile_is_refused_before_anything_is_written(small_clip, tmp_path):
    with pytest.raises(PyfameValueError) as err:
        pf.blur_face_region(small_clip, tmp_path, encoder_profile="quick")
    assert err.value.param == "encoder_profile" and "'small', 'fast', 'fidelity'" in str(err.value)
    assert not any(tmp_path.iterdir())


def test_the_profile_on_the_command_line(small_clip, tmp_path):
    def run(*args):
        return CliRunner().invoke(main, ["--quiet", *[str(a) for a in args]])

    result = run("blur", small_clip, tmp_path / "a", "--encoder-profile", "fidelity")
    assert result.exit_code == 0, result.output
    assert _encoder(tmp_path / "a" / "Blurred" / "talk.mp4") == ("fidelity", "ultrafast", 15)
    result = run("transcode", small_clip, tmp_path / "b", "--encoder-profile", "fidelity", "--crf", "20")
    assert result.exit_code == 0, result.output
    assert _encoder(tmp_path / "b" / "Transcoded" / "talk.mp4") == (None, "ultrafast", 20)
    result = run("blur", small_clip, tmp_path / "c", "--encoder-profile", "quick")
    assert result.exit_code != 0 and "--encoder-profile" in result.output


def test_the_profile_in_an_experiment_file(small_clip, tmp_path):
    from pyfame.experiment import Experiment, ExperimentError

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "talk.mp4").write_bytes(small_clip.read_bytes())
    text = """\
        inputs: [in/talk.mp4]
        output_dir: out
        seed: 1
        encoding: {encoder_profile: fidelity}
        conditions:
          - name: blurred
            layers:
              - type: blur
        """
    (tmp_path / "exp.yaml").write_text(textwrap.dedent(text))
    Experiment.from_yaml(tmp_path / "exp.yaml").run()
    (made,) = (tmp_path / "out").rglob("*.mp4")
    assert _encoder(made) == ("fidelity", "ultrafast", 15)
    (tmp_path / "bad.yaml").write_text(textwrap.dedent(text).replace("fidelity", "quick"))
    with pytest.raises(ExperimentError, match="encoder_profile"):
        Experiment.from_yaml(tmp_path / "bad.yaml")
