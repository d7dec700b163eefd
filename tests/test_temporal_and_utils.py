"""Frame shuffling (frames in the mapped order, bounded memory) and the seed's utilities."""

from __future__ import annotations

import logging

import cv2
import numpy as np
import pytest

import pyfame as pf
from pyfame.core.temporal_transforms.block_order import block_layout, frame_map, order_blocks
from pyfame.errors import ImageShapeError, PyfamePathError, PyfameTypeError, PyfameValueError
from pyfame.io import media_info, open_source, read_image, write_image
from pyfame.provenance import read_sidecar
from pyfame.samples import sample_face, write_moving_face_video

from .conftest import listing


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    """5 s at 10 fps, a face that moves enough for every frame to differ."""
    path = tmp_path_factory.mktemp("clip") / "clip.mp4"
    write_moving_face_video(path, n_frames=53, fps=10, size=(160, 120), motion="translate", audio=True,
                            dx_per_frame=1.0, crf=4)
    with open_source(path) as s:
        return path, [f.pixels.astype(np.int16) for f in s]


@pytest.mark.parametrize("method", ["random", "random with replacement", "reverse", "right cyclic shift",
                                    "left cyclic shift", "palindrome", "interleave"])
def test_shuffled_frames_are_the_input_frames_in_the_mapped_order(clip, tmp_path, method):
    path, frames = clip
    (r,) = pf.shuffle_frame_order(path, tmp_path, method, rand_seed=7, block_duration=1000, crf=4)
    temporal = read_sidecar(r.output)["frame_plan"]
    plan = temporal["output_to_input_frame"]
    assert r.output.parent.name == "Shuffled"
    assert len(plan) == {"palindrome": 90}.get(method, 50)  # 5 full blocks of 10; the 3-frame tail dropped
    with open_source(r.output) as out:
        got = [f.pixels.astype(np.int16) for f in out]
    assert len(got) == len(plan)
    for k, i in enumerate(plan):
        errors = [np.abs(got[k] - frames[j]).mean() for j in range(len(frames))]
        assert int(np.argmin(errors)) == i and errors[i] < 2.0
    info = media_info(r.output)
    assert info["fps"] == 10 and not info["has_audio"]


def test_last_block_kept_and_audio_kept(clip, tmp_path):
    path, frames = clip
    (r,) = pf.shuffle_frame_order(path, tmp_path, "reverse", block_duration=1000, drop_last_block=False, audio="keep")
    plan = read_sidecar(r.output)["frame_plan"]["output_to_input_frame"]
    assert len(plan) == 53 and plan[:3] == [50, 51, 52]
    assert media_info(r.output)["has_audio"]


def test_given_block_order_and_generated_array(clip, tmp_path):
    path, _ = clip
    order, fpb = pf.generate_shuffled_block_array(path, "random", rand_seed=3, block_duration=500)
    assert fpb == 5 and sorted(order) == list(range(10))
    (r,) = pf.shuffle_frame_order(path, tmp_path, block_order=(order, fpb))
    assert read_sidecar(r.output)["frame_plan"]["block_order"] == order


def test_audio_drop_warns(clip, tmp_path, caplog):
    path, _ = clip
    with caplog.at_level(logging.WARNING, logger="pyfame"):
        pf.shuffle_frame_order(path, tmp_path, "reverse")
    assert "audio" in caplog.text


def test_block_orders():
    rng = np.random.default_rng(0)
    assert order_blocks(4, "right cyclic shift", rng) == [3, 0, 1, 2]
    assert order_blocks(4, "left cyclic shift", rng) == [1, 2, 3, 0]
    assert order_blocks(3, "palindrome", rng) == [0, 1, 2, 1, 0]
    assert order_blocks(4, "interleave", rng) == [0, 2, 1, 3]
    assert block_layout(53, 10, 1000, True) == (10, 5) and block_layout(53, 10, 1000, False) == (10, 6)
    assert frame_map([1, 0], 2, 3) == [2, 0, 1]


def test_random_block_orders_are_never_the_original(clip):
    path, _ = clip
    # three blocks of 1.7 s: the case, where 5 seeds of 30 gave back 0, 1, 2
    for seed in range(30):
        order, fpb = pf.generate_shuffled_block_array(path, "random", rand_seed=seed, block_duration=1700)
        assert fpb == 17 and sorted(order) == [0, 1, 2] and order != [0, 1, 2], seed
    for n in (2, 3, 4):
        for seed in range(40):
            for method in ("random", "random with replacement"):
                assert order_blocks(n, method, np.random.default_rng(seed)) != list(range(n)), (n, seed, method)
            plan = pf.FrameShuffle("random", block_duration=1000).plan(10 * n, 10.0, np.random.default_rng(seed))
            assert plan != list(range(10 * n))  # the frame plan of commands, stacks and experiments alike


def test_a_drawn_again_order_is_recorded():
    from pyfame.core.temporal_transforms.block_order import draw_block_order

    for method in ("random", "random with replacement"):
        redrawn = 0
        for seed in range(60):
            d = draw_block_order(2, method, np.random.default_rng(seed))
            assert d.order != [0, 1] and d.orders_drawn == len(d.rejected) + 1
            assert all(r == [0, 1] for r in d.rejected)
            redrawn += bool(d.rejected)
        assert redrawn > 5


def test_a_shuffle_drawn_again_says_so_in_its_sidecar(clip, tmp_path):
    path, _ = clip
    (r,) = pf.shuffle_frame_order(path, tmp_path, "random", rand_seed=1, block_duration=1700)
    record = read_sidecar(r.output)["frame_plan"]
    assert record["rejected_orders"] == [[0, 1, 2]] and record["orders_drawn"] == 2  # seed 1 drew 0, 1, 2 first
    assert record["block_order"] != [0, 1, 2] and record["output_to_input_frame"] != list(range(51))


@pytest.mark.parametrize("method, block_duration, name", [
    ("random", 5000, "block_duration"),  # one block of 50 frames
    ("random with replacement", 5000, "block_duration"),
    ("reverse", 5000, "block_duration"),
    ("interleave", 2500, "shuffle_method"),  # two blocks interleaved are 0, 1
])
def test_orders_that_can_only_be_the_original_are_refused(clip, tmp_path, method, block_duration, name):
    path, _ = clip
    with pytest.raises(PyfameValueError) as caught:
        pf.shuffle_frame_order(path, tmp_path, method, block_duration=block_duration)
    assert caught.value.param == name and name in str(caught.value)
    assert listing(tmp_path) == []
    with pytest.raises(PyfameValueError) as caught:
        pf.generate_shuffled_block_array(path, method, block_duration=block_duration)
    assert caught.value.param == name


@pytest.mark.parametrize(
    "kwargs, error, name",
    [
        ({"shuffle_method": "sideways"}, PyfameValueError, "shuffle_method"),
        ({"block_duration": 0}, PyfameValueError, "block_duration"),
        ({"block_duration": 60_000}, PyfameValueError, "block_duration"),
        ({"rand_seed": 1.5}, PyfameTypeError, "rand_seed"),
        ({"block_order": [0, 99]}, PyfameValueError, "block_order"),
        ({"block_order": "0,1"}, PyfameTypeError, "block_order"),
        ({"audio": "mute"}, PyfameValueError, "audio"),
        ({"drop_last_block": "yes"}, PyfameTypeError, "drop_last_block"),
    ],
)
def test_shuffle_bad_arguments(clip, tmp_path, kwargs, error, name):
    path, _ = clip
    with pytest.raises(error, match=name):
        pf.shuffle_frame_order(path, tmp_path, **kwargs)
    assert listing(tmp_path) == []


def test_shuffle_refuses_stills(face_image, tmp_path):
    with pytest.raises(PyfameValueError, match="still"):
        pf.shuffle_frame_order(face_image, tmp_path)


def test_transcode_keeps_everything(media_dir, tmp_path):
    import av

    mkv = media_dir / "talk.mkv"
    with av.open(str(mkv), "w") as c:
        s = c.add_stream("mpeg4", rate=20)
        s.width, s.height, s.pix_fmt = 160, 120, "yuv420p"
        face = cv2.resize(sample_face(), (160, 120))
        for i in range(20):
            frame = av.VideoFrame.from_ndarray(face, format="rgb24")
            frame.pts = i
            for p in s.encode(frame):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    (r,) = pf.transcode_video_to_mp4(mkv, tmp_path)
    info = media_info(r.output)
    assert r.output == tmp_path / "Transcoded" / "talk.mp4" and info["video_codec"] == "h264"
    assert (info["width"], info["height"], info["frame_count"], info["fps"]) == (160, 120, 20, 20)


def test_normalize_image_sizes_never_overwrites_by_default(tmp_path):
    face = sample_face()
    folder = tmp_path / "faces"
    folder.mkdir()
    cv2.imwrite(str(folder / "a.png"), face)
    cv2.imwrite(str(folder / "b.png"), face[:300, :400])
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    with pytest.raises(PyfameValueError, match="output_dir"):  # never into the input folder on its own
        pf.normalize_image_sizes(folder)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    (tmp_path / "cropped").mkdir()
    out = pf.normalize_image_sizes(folder, output_dir=tmp_path / "cropped")
    assert {p.read_bytes() for p in folder.glob("*.png")} == set(before.values())
    assert [read_image(p).shape for p in out] == [(300, 400, 3)] * 2
    padded = pf.normalize_image_sizes(folder, method="pad", pad_color=(0, 0, 255), output_dir=tmp_path)
    img = read_image(padded[1])
    assert img.shape == (512, 512, 3) and tuple(img[0, 0]) == (255, 0, 0)  # BGR red pad
    pf.normalize_image_sizes(folder, in_place=True)
    assert {read_image(p).shape for p in folder.glob("*.png")} == {(300, 400, 3)}
    with pytest.raises(PyfameValueError, match="in_place"):
        pf.normalize_image_sizes(folder, in_place=True, output_dir=tmp_path)


def test_moviefy_images(tmp_path):
    face = sample_face()
    folder = tmp_path / "stills"
    folder.mkdir()
    write_image(folder / "1.png", face)
    write_image(folder / "2.png", 255 - face)
    out = pf.moviefy_images(folder, tmp_path, "movie", fps=10, repeat_duration=1000, blended_frames_prop=0.3)
    info = media_info(out)
    assert out.name == "movie.mp4" and info["frame_count"] == 20 and info["fps"] == 10
    with open_source(out) as s:
        frames = [f.pixels.astype(float) for f in s]
    assert np.abs(frames[0] - face).mean() < 3 and np.abs(frames[19] - (255 - face)).mean() < 3
    assert 40 < np.abs(frames[8] - face).mean() < 200  # mid cross-fade
    write_image(folder / "3.png", np.ascontiguousarray(face[:100, :100]))
    with pytest.raises(ImageShapeError, match="normalize"):
        pf.moviefy_images(folder, tmp_path, "bad")
    assert pf.moviefy_images(folder, tmp_path, "ok", normalize=True, fps=5).is_file()


def test_geometry_helpers():
    assert pf.compute_rot_angle(1.0) == pytest.approx(45.0)
    assert pf.compute_rot_angle(1.0, 1.0) == pytest.approx(0.0)
    assert pf.compute_line_intersection((0, 0), (4, 2), 1.0) == (2.0, 1.0)
    assert pf.compute_line_intersection((0, 0), (4, 2), 2.0, vertical=True) == (2.0, 1.0)
    with pytest.raises(PyfameValueError):
        pf.compute_line_intersection((0, 1), (4, 1), 1.0)
    value = object()
    assert pf.get_variable_name(value, {"thing": value}) == "thing"
    assert pf.create_path([1, 2, 3]) == [(1, 2), (2, 3), (3, 1)]


def test_display_options_print(capsys):
    for name in [n for n in dir(pf) if n.startswith("display_") and n.endswith("_options")]:
        getattr(pf, name)()
    text = capsys.readouterr().out
    for constant in ("FACE_OVAL_MASK", "COLOR_RED", "OCCLUSION_FILL_BAR", "BLUR_METHOD_MEDIAN",
                     "NOISE_METHOD_PIXELATE", "COLOR_SPACE_LAB", "LANDMARK_SCRAMBLE", "FRAME_SHUFFLE_PALINDROME",
                     "SHOW_HISTORY_RELATIVE", "DENSE_OPTICAL_FLOW", "sigmoid"):
        assert constant in text


def test_setup_logging_from_yaml(tmp_path):
    config = tmp_path / "log.yml"
    log_file = tmp_path / "pyfame.log"
    config.write_text(f"""
version: 1
handlers:
  file: {{class: logging.FileHandler, filename: {log_file}, level: DEBUG}}
loggers:
  pyfame: {{level: DEBUG, handlers: [file]}}
""")
    pf.setup_logging(config)
    logging.getLogger("pyfame.test").info("hello from the test")
    for h in logging.getLogger("pyfame").handlers:
        h.flush()
    assert "hello from the test" in log_file.read_text()
    with pytest.raises(PyfamePathError):
        pf.setup_logging(tmp_path / "missing.yml")
    (tmp_path / "bad.yml").write_text("just: text\n")
    with pytest.raises(PyfameValueError, match="config_path"):
        pf.setup_logging(tmp_path / "bad.yml")
    pf.setup_logging()
