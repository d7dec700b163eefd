"""Matching luminance, histograms and spectra over a set of tracked faces, inside their masks.

Figures measured on the four-face set of conftest.py (160x160 boxes, face-oval masks of about
9000 pixels), and the tolerances asserted:

- luminance: the re-measured mask means and SDs of the 8-bit outputs are within 0.003 L* of
  the target (asserted: 0.02 L*), with crisp and with 6-px feathered masks;
- histogram: the 8-bit outputs' quantised-luminance histograms equal the specified counts
  exactly (0 pixels off), identical across images that share a mask; grey images: identical
  8-bit histograms;
- sf: rotational averages within 1.5-4.6% RMS of the target per radial bin (asserted: 6%),
  from 27-32% before;
- spectrum: full amplitude spectra within 8-11% (relative L2) of the target (asserted: 13%),
  from 25-43% before (a masked spectrum cannot be matched exactly: see the module).
"""

from __future__ import annotations

import numpy as np
import pytest

from pyfame.errors import ImageShapeError, PyfameTypeError, PyfameValueError
from pyfame.stimulus_control import statistics_matching as sm
from pyfame.stimulus_control.luminance import luminance, quantise_luminance, weighted_mean_sd

from .conftest import ellipse_mask


def mask_stats(images, masks, space="lab"):
    return np.array([weighted_mean_sd(luminance(im, space), m) for im, m in zip(images, masks)])


def outside_unchanged(before, after, masks):
    return all(np.array_equal(a[m == 0], b[m == 0]) for a, b, m in zip(before, after, masks))


@pytest.mark.parametrize("soft", [False, True])
def test_luminance_equal_mean_and_sd(face_set, soft):
    masks = face_set.soft_masks if soft else face_set.masks
    before = mask_stats(face_set.images, masks)
    assert np.ptp(before[:, 0]) > 10 and np.ptp(before[:, 1]) > 5  # the set really differs
    result = sm.match_statistics(face_set.images, masks, "luminance")
    after = mask_stats(result.images, masks)
    assert np.abs(after[:, 0] - result.target["mean"]).max() < 0.02
    assert np.abs(after[:, 1] - result.target["sd"]).max() < 0.02
    assert abs(result.target["mean"] - before[:, 0].mean()) < 1e-9
    assert outside_unchanged(face_set.images, result.images, masks)


def test_luminance_to_given_numbers_and_to_a_reference(face_set):
    result = sm.match_statistics(face_set.images, face_set.masks, "luminance", target={"mean": 55, "sd": 12.5})
    after = mask_stats(result.images, face_set.masks)
    assert np.abs(after - [55, 12.5]).max() < 0.02
    reference, ref_mask = face_set.images[2], face_set.masks[2]
    result = sm.match_statistics(face_set.images[:2], face_set.masks[:2], "luminance", target=reference, target_mask=ref_mask)
    assert np.abs(mask_stats(result.images, face_set.masks[:2]) - mask_stats([reference], [ref_mask])).max() < 0.02
    # one image is a valid set when the target is given
    assert len(sm.match_statistics(face_set.images[:1], face_set.masks[:1], target={"mean": 50, "sd": 10}).images) == 1


def test_histogram_exact_on_the_8bit_outputs(face_set):
    result = sm.match_statistics(face_set.images, face_set.masks, "histogram")
    for image, out, mask in zip(face_set.images, result.images, face_set.masks):
        support = mask >= sm.HISTOGRAM_SUPPORT
        got = np.bincount(quantise_luminance(luminance(out))[support], minlength=256)
        want = sm.largest_remainder_counts(result.target["histogram"], int(support.sum()))
        assert np.array_equal(got, want)
        assert np.array_equal(out[~support], image[~support])  # histogram pixels only
    # a few pixels are out of gamut at their new luminance and lose chroma to reach it
    assert max(result.desaturated_pixels) < 0.01 * min(int((m >= 0.5).sum()) for m in face_set.masks)


def test_histogram_identical_with_one_mask(face_set):
    mask = ellipse_mask(face_set.images[0].shape[:2])
    result = sm.match_statistics(face_set.images, mask, "histogram")
    hists = [np.bincount(quantise_luminance(luminance(o))[mask >= 0.5], minlength=256) for o in result.images]
    assert all(np.array_equal(h, hists[0]) for h in hists)


def test_histogram_identical_on_grey_images(face_set):
    greys = [np.rint(im.mean(axis=2)).astype(np.uint8) for im in face_set.images]
    result = sm.match_statistics(greys, face_set.masks[0], "histogram")
    support = face_set.masks[0] >= 0.5
    hists = [np.bincount(o[support], minlength=256) for o in result.images]
    assert all(np.array_equal(h, hists[0]) for h in hists)
    assert all(o.ndim == 2 for o in result.images)


def test_coltuc_ordering_breaks_ties_by_local_means():
    # a flat grey field: every pixel ties on its own value; the local means rank them by
    # their neighbourhood, so a 3-level target puts the darkest neighbourhoods lowest
    image = np.full((9, 9), 100, np.uint8)
    image[0, 0] = 0
    image[8, 8] = 255
    result = sm.match_statistics([image], None, "histogram", target={"histogram": np.eye(256)[10] + np.eye(256)[20] + np.eye(256)[30]})
    out = result.images[0]
    assert out[0, 1] == 10 and out[1, 0] == 10  # next to the dark pixel
    assert out[7, 8] == 30 and out[8, 7] == 30  # next to the light one


def _sf_error(images, masks, target):
    return [sm.spectral_error(luminance(im), m, target, "sf") for im, m in zip(images, masks)]


def test_sf_equal_rotational_average(face_set):
    result = sm.match_statistics(face_set.images, face_set.masks, "sf")
    before = _sf_error(face_set.images, face_set.masks, result.target["sf"])
    after = _sf_error(result.images, face_set.masks, result.target["sf"])
    assert max(before) > 0.15
    assert max(after) < 0.06
    assert outside_unchanged(face_set.images, result.images, face_set.masks)


def test_spectrum_closer_to_the_mean_spectrum(face_set):
    result = sm.match_statistics(face_set.images, face_set.masks, "spectrum")
    target = result.target["spectrum"]
    before = [sm.spectral_error(luminance(im), m, target, "spectrum") for im, m in zip(face_set.images, face_set.masks)]
    after = [sm.spectral_error(luminance(im), m, target, "spectrum") for im, m in zip(result.images, face_set.masks)]
    assert max(after) < 0.13
    assert all(a < 0.7 * b for a, b in zip(after, before))
    assert outside_unchanged(face_set.images, result.images, face_set.masks)


def test_histogram_then_sf_alternation(face_set):
    result = sm.match_statistics(face_set.images, face_set.masks, "histogram+sf", iterations=2)
    assert max(_sf_error(result.images, face_set.masks, result.target["sf"])) < 0.06
    result = sm.match_statistics(face_set.images, face_set.masks, "sf+histogram", iterations=2)
    for out, mask in zip(result.images, face_set.masks):
        support = mask >= 0.5
        got = np.bincount(quantise_luminance(luminance(out))[support], minlength=256)
        assert np.array_equal(got, sm.largest_remainder_counts(result.target["histogram"], int(support.sum())))


def test_luma_space(face_set):
    result = sm.match_statistics(face_set.images, face_set.masks, "luminance", space="luma")
    after = mask_stats(result.images, face_set.masks, "luma")
    assert np.ptp(after[:, 0]) < 0.05 and np.ptp(after[:, 1]) < 0.05


# ----------------------------------------------------------------------------- bad input


@pytest.fixture
def no_work(monkeypatch):
    """Fail the test if any luminance is computed: errors must come before the work."""

    def refuse(*args, **kwargs):
        raise AssertionError("work started before the input was checked")

    monkeypatch.setattr(sm, "split_luminance", refuse)


def test_bad_input_refused_before_work(face_set, no_work):
    ims, masks = face_set.images, face_set.masks
    with pytest.raises(PyfameValueError, match="images must hold at least 2 images"):
        sm.match_statistics(ims[:1], masks[:1])
    with pytest.raises(ImageShapeError, match=r"images\[1\] has shape \(80, 160, 3\)"):
        sm.match_statistics([ims[0], ims[1][:80]], None)
    with pytest.raises(PyfameTypeError, match="images must be a list or tuple"):
        sm.match_statistics(np.stack(ims))
    with pytest.raises(ImageShapeError, match=r"masks\[1\] must have the image's shape"):
        sm.match_statistics(ims[:2], [masks[0], masks[1][:10]])
    with pytest.raises(PyfameValueError, match="masks must hold one mask per image"):
        sm.match_statistics(ims, masks[:2])
    with pytest.raises(PyfameValueError, match=r"masks\[0\] is empty"):
        sm.match_statistics(ims[:2], [np.zeros_like(masks[0]), masks[1]])
    with pytest.raises(PyfameValueError, match=r"masks\[1\] is empty \(no pixel of weight >= 0.5\)"):
        sm.match_statistics(ims[:2], [masks[0], masks[1] * 0.4], "histogram")
    with pytest.raises(PyfameValueError, match="method must be one of"):
        sm.match_statistics(ims, masks, "contrast")
    with pytest.raises(PyfameValueError, match="iterations must be >= 1"):
        sm.match_statistics(ims, masks, iterations=0)
    with pytest.raises(PyfameValueError, match=r"target must hold \['mean', 'sd'\]"):
        sm.match_statistics(ims, masks, target={"mean": 50})
    with pytest.raises(PyfameValueError, match=r"target\['histogram'\] must be 256"):
        sm.match_statistics(ims, masks, "histogram", target={"histogram": [1, 2, 3]})
    with pytest.raises(PyfameValueError, match=r"target\['sf'\] must be"):
        sm.match_statistics(ims, masks, "sf", target={"sf": np.ones(3)})
    with pytest.raises(ImageShapeError, match="target .a reference image. has shape"):
        sm.match_statistics(ims, masks, target=ims[0][:100])
    with pytest.raises(PyfameValueError, match="target_mask is given but target is not"):
        sm.match_statistics(ims, masks, target_mask=masks[0])
