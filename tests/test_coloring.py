"""Colour, saturation and brightness shifts: the shift is what the parameters say, where
they say, when they say; bad arguments are refused before any work."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

import pyfame.core as pf
from pyfame.errors import PyfamePathError, PyfameTypeError, PyfameValueError
from pyfame.face.region_mask import region_mask
from pyfame.face.tracker import FaceTracker
from pyfame.io import open_source, read_image
from pyfame.pipeline.layer import SourceInfo
from pyfame.pipeline.region_layer import SHIFT_FEATHER_IOD
from pyfame.utils.timing_functions import linear

from .conftest import listing


def lab(rgb):
    return cv2.cvtColor(rgb.astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab)


def interior(faces, region, shape, erode=1):
    """Pixels the shift reaches at full strength (inside its feathered edge), less a margin."""
    m = region_mask(faces, region, shape, feather_px=None, feather_iod=SHIFT_FEATHER_IOD).full() >= 0.999
    return cv2.erode(m.astype(np.uint8), np.ones((2 * erode + 1,) * 2, np.uint8)).astype(bool)


def outside(faces, region, shape, feather_iod=SHIFT_FEATHER_IOD):
    """Pixels beyond the reach of a shift's feathered edge (the layers' default feather)."""
    m = region_mask(faces, region, shape, feather_px=None, feather_iod=feather_iod).full() > 0
    return ~cv2.dilate(m.astype(np.uint8), np.ones((7, 7), np.uint8)).astype(bool)


@pytest.mark.parametrize("color, channel, sign", [("red", 1, 1), ("green", 1, -1), ("yellow", 2, 1), ("blue", 2, -1)])
def test_still_shift_moves_the_right_lab_axis_by_the_magnitude(face_image, tmp_path, color, channel, sign):
    (r,) = pf.face_color_shift(face_image, tmp_path, shift_magnitude=8.0, shift_color=color,
                               landmark_regions=pf.CHEEKS_PATH)
    assert r.output == tmp_path / "Color_Shifted" / "astronaut.png"
    before, after = read_image(face_image), read_image(r.output)
    with FaceTracker(mode="image") as tracker:
        faces = tracker.track(before)
    inside = interior(faces, pf.CHEEKS_PATH, before.shape)
    delta = lab(after)[..., channel][inside].mean() - lab(before)[..., channel][inside].mean()
    assert delta == pytest.approx(sign * 8.0, abs=1.0)
    other = 3 - channel  # the other chroma axis barely moves
    assert abs(lab(after)[..., other][inside].mean() - lab(before)[..., other][inside].mean()) < 1.0
    out = outside(faces, pf.CHEEKS_PATH, before.shape)
    assert np.array_equal(after[out], before[out])  # a lossless still: untouched, bit for bit


def test_video_shift_follows_the_timing_curve(talking_video, tmp_path):
    path, _ = talking_video
    onset, offset, magnitude = 0.4, 1.6, 8.0
    (r,) = pf.face_color_shift(path, tmp_path, onset_t=onset, offset_t=offset, shift_magnitude=magnitude,
                               shift_color=pf.COLOR_RED, landmark_regions=pf.FACE_SKIN_PATH, crf=8)
    measured, expected, leak = [], [], []
    with open_source(path) as a, open_source(r.output) as b, FaceTracker(mode="video") as tracker:
        for fa, fb in zip(a, b):
            faces = tracker.track(fa.pixels, fa.t)
            inside = interior(faces, pf.FACE_SKIN_PATH, fa.pixels.shape)
            measured.append(lab(fb.pixels)[..., 1][inside].mean() - lab(fa.pixels)[..., 1][inside].mean())
            w = 0.0 if not onset <= fa.t <= offset else linear(fa.t, onset=onset, offset=offset)
            expected.append(magnitude * w)
            out = outside(faces, pf.FACE_SKIN_PATH, fa.pixels.shape)
            leak.append(np.abs(fb.pixels[out].astype(int) - fa.pixels[out]).mean())
    measured, expected = np.array(measured), np.array(expected)
    assert np.abs(measured - expected).max() < 1.0, str(np.c_[expected, measured].round(2).tolist())
    assert measured.max() == pytest.approx(magnitude, abs=1.0)
    # outside the region: codec noise only, the same while the shift is on as while it is off
    leak, off = np.array(leak), expected == 0
    assert leak[~off].mean() < leak[off].mean() + 0.2 and leak.max() < 2.0


def test_saturation_and_brightness(face_image, tmp_path):
    with FaceTracker(mode="image") as tracker:
        before = read_image(face_image)
        faces = tracker.track(before)
    inside = interior(faces, pf.FACE_SKIN_PATH, before.shape)
    (sat,) = pf.face_saturation_shift(face_image, tmp_path, shift_magnitude=-20.0)
    hsv_b = cv2.cvtColor(before.astype(np.float32) / 255, cv2.COLOR_RGB2HSV)
    hsv_a = cv2.cvtColor(read_image(sat.output).astype(np.float32) / 255, cv2.COLOR_RGB2HSV)
    assert (hsv_a[..., 1][inside].mean() - hsv_b[..., 1][inside].mean()) * 100 == pytest.approx(-20, abs=1.5)
    assert sat.output.parent.name == "Sat_Shifted"
    (bright,) = pf.face_brightness_shift(face_image, tmp_path, shift_magnitude=10.0)
    delta = lab(read_image(bright.output))[..., 0][inside].mean() - lab(before)[..., 0][inside].mean()
    assert delta == pytest.approx(10.0, abs=1.0)
    assert bright.output.parent.name == "Brightness_Shifted"


def test_layers_in_one_pass_equal_files_one_after_another(face_image, tmp_path):
    layers = [pf.ColorShift(shift_color="yellow", shift_magnitude=6), pf.BrightnessShift(shift_magnitude=-8)]
    (one_pass,) = pf.apply_layers(face_image, tmp_path, layers, subfolder="both")
    (first,) = pf.face_color_shift(face_image, tmp_path, shift_color="yellow", shift_magnitude=6)
    (second,) = pf.face_brightness_shift(first.output, tmp_path, shift_magnitude=-8)
    # the second file run tracks the already shifted face, so its masks can differ by a
    # fraction of a pixel at the edges; everywhere else the two results are the same
    diff = np.abs(read_image(one_pass.output).astype(int) - read_image(second.output))
    assert diff.mean() < 0.05 and np.mean(diff > 2) < 0.002, (diff.mean(), np.mean(diff > 2))


def test_weight_zero_outside_the_window_and_full_on_stills():
    layer = pf.ColorShift(onset_t=1.0, offset_t=3.0, timing_func=pf.constant)
    layer.start(SourceInfo("video", 64, 64, 30.0, 150, 5.0))
    assert [layer.weight(t) for t in (0.5, 1.0, 2.0, 3.0, 3.5)] == [0, 1, 1, 1, 0]
    open_ended = pf.ColorShift(onset_t=1.0)
    open_ended.start(SourceInfo("video", 64, 64, 30.0, 150, 5.0))
    assert open_ended.weight(4.9) > 0 and open_ended.weight(5.1) == 0
    layer.start(SourceInfo("image", 64, 64, None, 1, 0.0))
    assert layer.weight(0.0) == 1.0


def test_custom_timing_function_and_kwargs(talking_video, tmp_path):
    path, _ = talking_video
    seen = {}

    def ramp(t, onset, offset, slope=1.0):
        seen["slope"] = slope
        return min(1.0, slope * (t - onset))

    pf.face_color_shift(path, tmp_path, timing_func=ramp, slope=0.5, shift_magnitude=4)
    assert seen["slope"] == 0.5


def test_timing_function_out_of_range_is_an_error_and_writes_nothing(talking_video, tmp_path):
    path, _ = talking_video
    with pytest.raises(PyfameValueError, match=r"returned 2\.0"):
        pf.face_color_shift(path, tmp_path, timing_func=lambda t, **kw: 2.0)
    assert listing(tmp_path) == []


@pytest.mark.parametrize(
    "kwargs, error, name",
    [
        ({"onset_t": "1"}, PyfameTypeError, "onset_t"),
        ({"onset_t": -1.0}, PyfameValueError, "onset_t"),
        ({"onset_t": 2.0, "offset_t": 1.0}, PyfameValueError, "offset_t"),
        ({"shift_magnitude": True}, PyfameTypeError, "shift_magnitude"),
        ({"shift_magnitude": float("nan")}, PyfameValueError, "shift_magnitude"),
        ({"shift_color": "purple"}, PyfameValueError, "shift_color"),
        ({"shift_color": 99}, PyfameValueError, "shift_color"),
        ({"shift_color": 1.5}, PyfameTypeError, "shift_color"),
        ({"timing_func": 3}, PyfameTypeError, "timing_func"),
        ({"timing_func": "cubic"}, PyfameValueError, "timing_func"),
        ({"landmark_regions": 5.5}, PyfameTypeError, "landmark_regions"),
        ({"landmark_regions": "ears"}, PyfameValueError, "landmark_regions"),
        ({"with_sub_dirs": "yes"}, PyfameTypeError, "with_sub_dirs"),
        ({"min_detection_confidence": 2}, PyfameValueError, "min_detection_confidence"),
        ({"min_tracking_confidence": None}, PyfameTypeError, "min_tracking_confidence"),
        ({"crf": 70}, PyfameValueError, "crf"),
    ],
)
def test_bad_arguments_are_refused_before_any_work(face_image, tmp_path, kwargs, error, name):
    with pytest.raises(error, match=name):
        pf.face_color_shift(face_image, tmp_path, **kwargs)
    assert listing(tmp_path) == []


def test_bad_paths(face_image, tmp_path):
    with pytest.raises(PyfamePathError, match="input_dir"):
        pf.face_color_shift(tmp_path / "nope.png", tmp_path)
    with pytest.raises(PyfamePathError, match="output_dir"):
        pf.face_saturation_shift(face_image, tmp_path / "nope")
    with pytest.raises(PyfameTypeError, match="input_dir"):
        pf.face_brightness_shift(42, tmp_path)
    assert isinstance(PyfamePathError("x"), OSError)


def test_a_keyword_no_one_takes_names_the_function_and_the_timing_function(face_image, tmp_path):
    """Extra keywords of a shift go to its timing function; one that neither takes is blamed on
    the function that was called (a seed keyword of another function, say), not only the curve."""
    with pytest.raises(PyfameTypeError) as err:
        pf.face_color_shift(face_image, tmp_path, rand_seed=1)
    assert err.value.param == "rand_seed"
    assert "face_color_shift() has no parameter 'rand_seed'" in str(err.value) and "'seed'" in str(err.value)
    assert not any(tmp_path.iterdir())
