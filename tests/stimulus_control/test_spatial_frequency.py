"""Spatial-frequency filtering in cycles per face width, and hybrid faces.

Measured on the four tracked faces (face widths 86-99 px in 160x160 boxes), under a Hann
window: a low-pass at c = 4, 8, 12 cycles per face width leaves 1.1-2.6% (Gaussian) and
1.7-3.4% (Butterworth order 2) of the input's energy above 2c in the 8-bit output (the filters'
bounds are 1/16 and 1/17; 8-bit rounding adds a little); asserted < 5%. The masked mean
luminance is kept within 0.002 L* (asserted 0.02).
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from pyfame.errors import ImageShapeError, PyfameTypeError, PyfameValueError
from pyfame.stimulus_control import spatial_frequency as sf
from pyfame.stimulus_control.luminance import luminance, weighted_mean_sd


@pytest.mark.parametrize("kind, bound", [("gaussian", 1 / 16), ("butterworth", 1 / 17)])
def test_cutoff_is_the_half_power_point(kind, bound):
    f = np.array([0.0, 5.0, 10.0, 20.0])
    low, high = sf.low_pass_gain(f, 10.0, kind), sf.high_pass_gain(f, 10.0, kind)
    assert low[2] == pytest.approx(2**-0.5, abs=1e-6) and high[2] == pytest.approx(2**-0.5, abs=1e-6)
    assert np.allclose(low**2 + high**2, 1.0, atol=1e-6)  # power complements
    assert low[3] ** 2 == pytest.approx(bound, abs=1e-6)  # power passed at twice the cut-off


@pytest.mark.parametrize("kind", ["gaussian", "butterworth"])
@pytest.mark.parametrize("cutoff", [4.0, 8.0, 12.0])
def test_low_pass_leaves_little_energy_above_twice_the_cutoff(face_set, kind, cutoff):
    for image, width in zip(face_set.images, face_set.widths):
        out = sf.filter_spatial_frequency(image, width, high_cpf=cutoff, kind=kind)
        kept = sf.band_energy(luminance(out), width, 2 * cutoff) / sf.band_energy(luminance(image), width, 2 * cutoff)
        assert kept < 0.05


def test_high_pass_removes_the_low_frequencies_and_keeps_the_mean(face_set):
    image, mask, width = face_set.images[0], face_set.masks[0], face_set.widths[0]
    out = sf.filter_spatial_frequency(image, width, low_cpf=8.0)
    lum_in, lum_out = luminance(image), luminance(out)
    below = sf.band_energy(lum_out, width, 0.0) - sf.band_energy(lum_out, width, 4.0)
    below_in = sf.band_energy(lum_in, width, 0.0) - sf.band_energy(lum_in, width, 4.0)
    assert below < 0.08 * below_in
    assert abs(float(lum_out.mean()) - float(lum_in.mean())) < 0.02
    masked = sf.filter_spatial_frequency(image, width, low_cpf=8.0, mask=mask)
    assert abs(weighted_mean_sd(luminance(masked), mask)[0] - weighted_mean_sd(lum_in, mask)[0]) < 0.02


@pytest.mark.parametrize("soft", [False, True])
def test_band_pass_with_rms_equated(face_set, soft):
    image, width = face_set.images[1], face_set.widths[1]
    mask = face_set.soft_masks[1] if soft else face_set.masks[1]
    out = sf.filter_spatial_frequency(image, width, low_cpf=4.0, high_cpf=16.0, mask=mask, equate_rms=True)
    before, after = weighted_mean_sd(luminance(image), mask), weighted_mean_sd(luminance(out), mask)
    assert np.abs(np.subtract(before, after)).max() < 0.02
    assert np.array_equal(out[mask == 0], image[mask == 0])


def test_inside_the_mask_it_is_the_same_filter(face_set):
    image, mask, width = face_set.images[2], face_set.masks[2], face_set.widths[2]
    whole = luminance(sf.filter_spatial_frequency(image, width, high_cpf=6.0))
    masked = luminance(sf.filter_spatial_frequency(image, width, high_cpf=6.0, mask=mask))
    inside = mask == 1.0
    difference = masked[inside] - whole[inside]
    # the same picture, up to the constant that keeps the mask's mean, and 8-bit rounding
    assert np.percentile(np.abs(difference - np.median(difference)), 99) < 0.6


def test_cycles_per_face_width_mean_the_same_at_any_size(face_set):
    # the same face at two sizes: a cut-off in cycles per face width keeps the same share of
    # its luminance variance at both
    small, width = face_set.images[0], face_set.widths[0]
    large = cv2.resize(small, (256, 256), interpolation=cv2.INTER_CUBIC)
    mask_small = face_set.masks[0]
    mask_large = cv2.resize(mask_small, (256, 256), interpolation=cv2.INTER_LINEAR)
    shares = []
    for image, mask, w in ((small, mask_small, width), (large, mask_large, width * 1.6)):
        out = sf.filter_spatial_frequency(image, w, high_cpf=6.0)
        shares.append(weighted_mean_sd(luminance(out), mask)[1] / weighted_mean_sd(luminance(image), mask)[1])
    assert abs(shares[0] - shares[1]) < 0.03


def test_gaussian_does_not_ring_and_butterworth_barely():
    step = np.full((64, 64), 60, np.uint8)
    step[:, 32:] = 200
    lo, hi = float(luminance(step).min()), float(luminance(step).max())
    gauss = luminance(sf.filter_spatial_frequency(step, 64.0, high_cpf=4.0))
    assert gauss.min() >= lo - 0.3 and gauss.max() <= hi + 0.3  # rounding only: no overshoot
    butter = luminance(sf.filter_spatial_frequency(step, 64.0, high_cpf=4.0, kind="butterworth"))
    overshoot = max(lo - float(butter.min()), float(butter.max()) - hi)
    assert 0.3 < overshoot < 0.1 * (hi - lo)  # order 2: a small overshoot, no ripples to speak of


def test_hybrid_takes_the_low_of_one_face_and_the_high_of_the_other(face_set):
    # two different pictures (the second face turned upside down), so that what the hybrid
    # shares with each can be told apart
    low_face, high_face = face_set.images[0], np.ascontiguousarray(face_set.images[3][::-1, ::-1])
    mask, width = face_set.masks[0], face_set.widths[0]
    hybrid = sf.hybrid_image(low_face, high_face, cutoff_cpf=8.0, face_width_px=width, mask=mask)
    assert np.array_equal(hybrid[mask == 0], low_face[mask == 0])
    inside = mask == 1.0

    def band(image, low=0.0, high=np.inf):
        # a hard band, to tell the two faces' contributions apart (the hybrid's own filters
        # are soft, so right at the cut-off both faces contribute)
        lum = luminance(image).astype(np.float64)
        f = np.hypot(*np.meshgrid(np.fft.fftfreq(lum.shape[0]), np.fft.fftfreq(lum.shape[1]), indexing="ij")) * width
        return np.fft.ifft2(np.fft.fft2(lum - lum.mean()) * ((f >= low) & (f < high))).real

    def corr(a, b):
        return float(np.corrcoef(a[inside], b[inside])[0, 1])

    # measured: below 4 cpf 0.99 with the low face, 0.12 with the high; above 24 cpf 0.84
    # with the high face, 0.14 with the low
    assert corr(band(hybrid, high=4.0), band(low_face, high=4.0)) > 0.95
    assert abs(corr(band(hybrid, high=4.0), band(high_face, high=4.0))) < 0.3
    assert corr(band(hybrid, low=24.0), band(high_face, low=24.0)) > 0.75
    assert abs(corr(band(hybrid, low=24.0), band(low_face, low=24.0))) < 0.3


def test_bad_input_is_refused(face_set):
    image, width = face_set.images[0], face_set.widths[0]
    with pytest.raises(PyfameValueError, match="low_cpf and high_cpf are both None"):
        sf.filter_spatial_frequency(image, width)
    with pytest.raises(PyfameValueError, match=r"low_cpf \(8.0\) must be below high_cpf \(4.0\)"):
        sf.filter_spatial_frequency(image, width, low_cpf=8.0, high_cpf=4.0)
    with pytest.raises(PyfameValueError, match="high_cpf = 60.0 cycles per face width is at or above the Nyquist"):
        sf.filter_spatial_frequency(image, 100.0, high_cpf=60.0)
    with pytest.raises(PyfameValueError, match="face_width_px must be > 0"):
        sf.filter_spatial_frequency(image, 0.0, high_cpf=4.0)
    with pytest.raises(PyfameTypeError, match="face_width_px must be a number"):
        sf.filter_spatial_frequency(image, True, high_cpf=4.0)
    with pytest.raises(PyfameValueError, match="kind must be one of"):
        sf.filter_spatial_frequency(image, width, high_cpf=4.0, kind="ideal")
    with pytest.raises(ImageShapeError, match="high_face has shape"):
        sf.hybrid_image(image, image[:100], 8.0, width)
