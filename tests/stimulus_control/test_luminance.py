"""Luminance as a quantity: levels, the soft-mask write, the exact gain/offset solver."""

from __future__ import annotations

import numpy as np
import pytest

from pyfame.errors import ImageShapeError, PyfameTypeError, PyfameValueError
from pyfame.stimulus_control import luminance as lu


@pytest.mark.parametrize("space", ["lab", "luma"])
def test_grey_k_is_level_k(space):
    grey = np.repeat(np.arange(256, dtype=np.uint8)[None, :], 2, axis=0)
    assert np.array_equal(lu.quantise_luminance(lu.luminance(grey, space), space)[0], np.arange(256))
    assert np.all(np.diff(lu.luminance_levels(space)) > 0)


def test_levels_are_cielab_lightness():
    levels = lu.luminance_levels("lab")
    assert levels[0] == 0.0 and abs(levels[255] - 100.0) < 1e-3
    # OpenCV's float conversion agrees with the CIE formula on sRGB greys to within 0.19 L*
    g = np.arange(256) / 255.0
    y = np.where(g <= 0.04045, g / 12.92, ((g + 0.055) / 1.055) ** 2.4)
    cie = np.where(y > (6 / 29) ** 3, 116 * np.cbrt(y) - 16, y * (29 / 3) ** 3)
    assert np.abs(levels - cie).max() < 0.19


@pytest.mark.parametrize("space", ["lab", "luma"])
def test_set_luminance_keeps_outside_bit_for_bit_and_chroma_inside(space):
    rng = np.random.default_rng(0)
    image = rng.integers(60, 200, (40, 50, 3), dtype=np.uint8)
    mask = np.zeros((40, 50), np.float32)
    mask[10:30, 10:40] = rng.random((20, 30)).astype(np.float32)
    mask[15:25, 15:35] = 1.0
    lum, chroma = lu.split_luminance(image, space)
    target = lum + (5.0 if space == "lab" else 12.0)
    out = lu.set_luminance(image, target, mask, space)
    assert np.array_equal(out[mask == 0], image[mask == 0])
    new_lum, new_chroma = lu.split_luminance(out, space)
    full = mask == 1.0
    # one 8-bit step in any channel moves L* by < 0.6 and Y' by < 1
    assert np.abs(new_lum[full] - target[full]).max() < (0.6 if space == "lab" else 1.0)
    scale = 1.0 if space == "lab" else 1 / 255  # a*, b* in L* units; Cr, Cb in [0, 1]
    assert np.abs(new_chroma[full] - chroma[full]).max() < 1.5 * scale * (1 if space == "lab" else 2)
    partial = (mask > 0) & (mask < 1)
    expected = lum[partial] + mask[partial] * (target[partial] - lum[partial])
    assert np.abs(new_lum[partial] - expected).max() < (0.6 if space == "lab" else 1.0)


def test_grey_stays_grey():
    grey = np.tile(np.arange(0, 250, 10, dtype=np.uint8), (4, 1))
    out = lu.set_luminance(grey, lu.luminance(grey) + 10.0)
    assert out.ndim == 2 and out.dtype == np.uint8
    assert np.all(out[:, 1:] > grey[:, 1:])


def test_solve_gain_offset_is_exact_for_soft_masks():
    rng = np.random.default_rng(1)
    base = rng.normal(50, 15, (64, 64))
    source = base * 0.7 + rng.normal(0, 3, (64, 64))
    weights = np.clip(rng.normal(0.6, 0.4, (64, 64)), 0, 1)
    a, b = lu.solve_gain_offset(base, source, weights, mean=42.0, sd=11.0)
    out = lu.apply_gain_offset(base, source, weights, a, b).astype(np.float64)
    mean, sd = lu.weighted_mean_sd(out, weights)
    assert abs(mean - 42.0) < 1e-3 and abs(sd - 11.0) < 1e-3
    a, b = lu.solve_gain_offset(base, source, weights, mean=60.0)
    assert a == 1.0
    assert abs(lu.weighted_mean_sd(lu.apply_gain_offset(base, source, weights, a, b), weights)[0] - 60.0) < 1e-3


def test_bad_input_is_typed_and_named():
    with pytest.raises(ImageShapeError, match="image must be uint8"):
        lu.luminance(np.zeros((4, 4, 3), np.float32))
    with pytest.raises(PyfameTypeError, match="image must be a numpy array"):
        lu.luminance([[0, 1]])
    with pytest.raises(ImageShapeError, match="mask must have the image's shape"):
        lu.set_luminance(np.zeros((4, 4, 3), np.uint8), np.zeros((4, 4)), np.ones((3, 4), np.float32))
    with pytest.raises(PyfameValueError, match=r"mask must hold weights in \[0, 1\]"):
        lu.check_mask(np.full((2, 2), -0.5), (2, 2))
    with pytest.raises(PyfameValueError, match="space must be one of"):
        lu.luminance(np.zeros((2, 2), np.uint8), space="hsv")
    with pytest.raises(PyfameValueError, match="mask: the mask is empty"):
        lu.weighted_mean_sd(np.ones(3), np.zeros(3))
