"""Before/after statistics: SSIM against scikit-image, the histogram distance, the spectral slope,
the table and its plot."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from skimage.metrics import structural_similarity

from pyfame.errors import ImageShapeError, PyfameValueError
from pyfame.stimulus_control import statistics_table as st
from pyfame.stimulus_control.statistics_matching import match_statistics


def distortions(grey: np.ndarray) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    g = grey.astype(np.float32)
    return {
        "noise": np.clip(g + rng.normal(0, 20, g.shape), 0, 255),
        "blur": cv2.GaussianBlur(g, (0, 0), 2.0),
        "gamma": 255 * (g / 255) ** 1.6,
        "shift": np.roll(g, 3, axis=1),
    }


def test_ssim_agrees_with_scikit_image(face_set):
    grey = cv2.cvtColor(face_set.images[0], cv2.COLOR_RGB2GRAY)
    for name, other in distortions(grey).items():
        ours = st.ssim(grey.astype(np.float32), other.astype(np.float32), data_range=255.0)
        theirs = structural_similarity(
            grey.astype(np.float64), other.astype(np.float64), data_range=255.0,
            gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
        )
        assert abs(ours - theirs) < 1e-5, name


def test_ssim_in_a_mask_is_the_weighted_map(face_set):
    grey = cv2.cvtColor(face_set.images[0], cv2.COLOR_RGB2GRAY).astype(np.float32)
    other = distortions(grey)["noise"].astype(np.float32)
    mask = face_set.soft_masks[0]
    full = st.ssim_map(grey, other, 255.0)
    assert abs(st.ssim(grey, other, 255.0, mask) - float((full * mask).sum() / mask.sum())) < 1e-6
    assert st.ssim(grey, grey, 255.0, mask) == pytest.approx(1.0)


def test_histogram_distance_is_the_earth_movers_distance():
    a = np.zeros(256)
    a[[10, 50]] = [3, 1]
    b = np.zeros(256)
    b[[30, 70]] = [3, 1]
    assert st.histogram_distance(a, b, "luma") == pytest.approx(20.0)  # every pixel moves 20 levels
    assert st.histogram_distance(a, a, "lab") == 0.0
    c = np.zeros(256)
    c[[10, 200]] = [1, 1]
    assert st.histogram_distance(a, c, "lab") == pytest.approx(st.histogram_distance(c, a, "lab"))


@pytest.mark.parametrize("alpha", [-1.0, -2.0])
def test_spectral_slope_of_power_law_noise(alpha):
    rng = np.random.default_rng(1)
    n = 128
    f = np.hypot(*np.meshgrid(np.fft.fftfreq(n), np.fft.fftfreq(n)))
    amplitude = np.where(f > 0, f, 1.0) ** alpha
    noise = np.fft.ifft2(amplitude * np.exp(2j * np.pi * rng.random((n, n)))).real
    image = np.clip(128 + noise / noise.std() * 25, 0, 255).astype(np.uint8)
    slope = st.image_statistics(image)["spectral_slope"]
    assert abs(slope - alpha) < 0.15  # 8-bit quantisation noise flattens the steepest spectra a little


def test_table_before_and_after_matching(face_set, tmp_path):
    result = match_statistics(face_set.images, face_set.masks, "histogram")
    table = st.before_after_table(face_set.images, result.images, face_set.masks,
                                target_histogram=result.target["histogram"],
                                labels=[f"face{i}" for i in range(4)])
    assert list(table.columns) == st.COLUMNS and len(table) == 8
    before, after = table[table.stage == "before"], table[table.stage == "after"]
    assert before["histogram_emd"].min() > 1.0  # L* units
    assert after["histogram_emd"].max() < 0.05  # only the rounding of counts to whole pixels
    assert after["ssim"].between(0.5, 1.0).all() and before["ssim"].isna().all()
    assert before["spectral_slope"].between(-3.0, -0.5).all()
    fig = st.plot_statistics(table, tmp_path / "stats.png")
    assert (tmp_path / "stats.png").stat().st_size > 10_000 and len(fig.axes) == 6


def test_table_per_frame_and_its_plot(face_set, tmp_path):
    frames = [face_set.images[0]] * 3 + [face_set.images[1]] * 3
    table = st.before_after_table(frames, masks=[face_set.masks[0]] * 3 + [face_set.masks[1]] * 3,
                                labels=["a"] * 3 + ["b"] * 3, frames=[0, 1, 2] * 2)
    assert table["frame"].tolist() == [0, 1, 2, 0, 1, 2] and (table.stage == "before").all()
    st.plot_statistics(table, tmp_path / "video.png")
    assert (tmp_path / "video.png").is_file()


def test_table_bad_input(face_set):
    with pytest.raises(PyfameValueError, match="after must hold one image per input"):
        st.before_after_table(face_set.images, face_set.images[:2])
    with pytest.raises(ImageShapeError, match=r"after\[1\] has shape"):
        st.before_after_table(face_set.images[:2], [face_set.images[0], face_set.images[1][:50]])
    with pytest.raises(PyfameValueError, match="not a statistics table"):
        st.plot_statistics(st.before_after_table(face_set.images[:1]).drop(columns="ssim"))
