"""Amplitude spectra of a masked luminance: the window, the radial bins, the rotational average.

Windowing
---------
Spectra are taken on the image as given (the caller passes the face's box) with the mask as
the window: ``x = (L - m) * w``, where ``m`` is the mask-weighted mean luminance and ``w`` the
mask. Subtracting the mean first makes the outside of the mask exactly 0 and removes the
step the mask would otherwise cut into the mean, so the spectrum describes the face's
luminance variations and not the mask's outline or the box's edges (a feathered mask is a
smoother window and leaks less). The zero frequency (the mean) is therefore ~0 and is left
out of every spectral statistic.

Frequencies
-----------
``numpy.fft.fft2`` layout (not shifted). The radial frequency of bin ``(ky, kx)`` is
``rho = sqrt((ky / H)^2 + (kx / W)^2)`` cycles per pixel (``ky``, ``kx`` signed); the radial
bin is ``round(rho * min(H, W))``, i.e. cycles per image along the shorter side for a square
image. The rotational average of a bin is the mean amplitude over the frequencies in it.

Examples
--------
>>> import numpy as np
>>> lum = np.random.default_rng(0).normal(50, 10, (32, 32)).astype(np.float32)
>>> amp, phase = masked_spectrum(lum, np.ones((32, 32), np.float32))
>>> amp.shape, int(radial_bins((32, 32)).max())
((32, 32), 23)
>>> rotational_average(amp).shape
(24,)
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from pyfame.errors import PyfameValueError


def windowed(lum: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, float]:
    """``((L - m) * w, m)``: the mask-windowed luminance deviation and the weighted mean.

    Examples
    --------
    >>> x, m = windowed(np.array([[1.0, 3.0], [5.0, 9.0]]), np.array([[1.0, 1.0], [0.0, 0.0]]))
    >>> x.tolist(), m
    ([[-1.0, 1.0], [0.0, 0.0]], 2.0)
    """
    w = np.asarray(weights, np.float32)
    total = float(np.add.reduce(w, axis=None, dtype=np.float64))
    if not total > 0.0:
        raise PyfameValueError("mask: the mask is empty (its weights sum to 0)")
    lum = np.asarray(lum, np.float32)
    mean = float(np.add.reduce(lum * w, axis=None, dtype=np.float64)) / total
    x = lum - np.float32(mean)
    x *= w
    return x, mean


def masked_spectrum(lum: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Amplitude and phase (float32, fft2 layout) of the mask-windowed luminance.

    Examples
    --------
    >>> amp, _ = masked_spectrum(np.full((4, 4), 7.0), np.ones((4, 4)))
    >>> float(amp.max())
    0.0
    """
    x, _ = windowed(lum, weights)
    spectrum = np.fft.fft2(x)
    return np.abs(spectrum).astype(np.float32), np.angle(spectrum).astype(np.float32)


@lru_cache(maxsize=8)
def _bins(shape: tuple[int, int]) -> np.ndarray:
    h, w = shape
    fy = np.fft.fftfreq(h)[:, None]
    fx = np.fft.fftfreq(w)[None, :]
    rho = np.sqrt(fy * fy + fx * fx)
    bins = np.rint(rho * min(h, w)).astype(np.int64)
    bins.setflags(write=False)
    return bins


def radial_bins(shape: tuple[int, int]) -> np.ndarray:
    """Radial bin of every frequency of an ``(H, W)`` fft2 grid (int64, read-only).

    Examples
    --------
    >>> radial_bins((4, 4)).tolist()
    [[0, 1, 2, 1], [1, 1, 2, 1], [2, 2, 3, 2], [1, 1, 2, 1]]
    """
    return _bins((int(shape[0]), int(shape[1])))


def radial_frequencies(shape: tuple[int, int]) -> np.ndarray:
    """Centre frequency of each radial bin in cycles per pixel: ``bin / min(H, W)``.

    Examples
    --------
    >>> radial_frequencies((4, 8)).tolist()
    [0.0, 0.25, 0.5, 0.75]
    """
    n = int(radial_bins(shape).max()) + 1
    return np.arange(n, dtype=np.float64) / min(int(shape[0]), int(shape[1]))


def rotational_average(amplitude: np.ndarray) -> np.ndarray:
    """Mean amplitude per radial bin, float64 ``(n_bins,)``.

    Examples
    --------
    >>> rotational_average(np.ones((4, 4))).tolist()
    [1.0, 1.0, 1.0, 1.0]
    """
    bins = radial_bins(amplitude.shape)
    sums = np.bincount(bins.ravel(), weights=np.asarray(amplitude, np.float64).ravel())
    counts = np.bincount(bins.ravel())
    return sums / np.maximum(counts, 1)


def from_amplitude_phase(amplitude: np.ndarray, phase: np.ndarray) -> np.ndarray:
    """The real image (float32) whose fft2 has this amplitude and phase.

    The imaginary residue left by an amplitude that is not exactly Hermitian-symmetric
    (radial bins are symmetric, so only rounding) is dropped.

    Examples
    --------
    >>> x = np.random.default_rng(1).normal(size=(8, 8))
    >>> f = np.fft.fft2(x)
    >>> bool(np.allclose(from_amplitude_phase(np.abs(f), np.angle(f)), x, atol=1e-5))
    True
    """
    return np.fft.ifft2(amplitude * np.exp(1j * phase)).real.astype(np.float32)


@lru_cache(maxsize=8)
def _half(shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    h, w = shape
    bins = np.ascontiguousarray(radial_bins(shape)[:, : w // 2 + 1])
    # each column of the half plane but the first (and the last, for an even width) stands for
    # itself and its mirror image
    weights = np.full(w // 2 + 1, 2.0)
    weights[0] = 1.0
    if w % 2 == 0:
        weights[-1] = 1.0
    cell = np.broadcast_to(weights, bins.shape)
    counts = np.bincount(bins.ravel(), weights=cell.ravel())
    for a in (bins, counts):
        a.setflags(write=False)
    return bins, np.ascontiguousarray(cell), counts


def half_spectrum(x: np.ndarray) -> np.ndarray:
    """``numpy.fft.rfft2`` of a real float32 image (complex64, ``(H, W // 2 + 1)``): the half of
    the spectrum that determines the rest, at a quarter of the cost of :func:`numpy.fft.fft2`.

    Examples
    --------
    >>> half_spectrum(np.ones((4, 6), np.float32)).shape
    (4, 4)
    """
    return np.fft.rfft2(np.asarray(x, np.float32))


def half_radial_bins(shape: tuple[int, int]) -> np.ndarray:
    """:func:`radial_bins` of the half plane that :func:`half_spectrum` returns.

    Examples
    --------
    >>> half_radial_bins((4, 4)).tolist()
    [[0, 1, 2], [1, 1, 2], [2, 2, 3], [1, 1, 2]]
    """
    return _half((int(shape[0]), int(shape[1])))[0]


def half_rotational_average(half_amplitude: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """:func:`rotational_average` of the full spectrum, from the half plane of an image of
    ``shape`` (the same numbers: the missing half mirrors the given one).

    Examples
    --------
    >>> x = np.random.default_rng(2).normal(size=(6, 8)).astype(np.float32)
    >>> full = rotational_average(np.abs(np.fft.fft2(x)))
    >>> half = half_rotational_average(np.abs(half_spectrum(x)), x.shape)
    >>> bool(np.allclose(full, half, rtol=1e-5))
    True
    """
    bins, cell, counts = _half((int(shape[0]), int(shape[1])))
    sums = np.bincount(bins.ravel(), weights=(np.asarray(half_amplitude, np.float64) * cell).ravel())
    return sums / np.maximum(counts, 1)


def spectral_slope(amplitude: np.ndarray) -> float:
    """Slope of log amplitude against log frequency (the ``alpha`` of ``A ~ f^alpha``).

    Ordinary least squares on the rotational average, one point per radial bin from 1 cycle
    per image to the Nyquist limit (``min(H, W) / 2``; the corners beyond it are left out).
    Natural images give about -1 to -1.4.

    Examples
    --------
    >>> bins = radial_bins((64, 64)).astype(float)
    >>> amp = np.where(bins > 0, bins, 1.0) ** -1.5
    >>> round(spectral_slope(amp), 6)
    -1.5
    """
    rot = rotational_average(amplitude)
    n = min(amplitude.shape[:2])
    k = np.arange(len(rot))
    keep = (k >= 1) & (k <= n // 2) & (rot > 0)
    if keep.sum() < 2:
        return float("nan")
    slope, _ = np.polyfit(np.log(k[keep]), np.log(rot[keep]), 1)
    return float(slope)


__all__ = [
    "from_amplitude_phase",
    "half_radial_bins",
    "half_rotational_average",
    "half_spectrum",
    "masked_spectrum",
    "radial_bins",
    "radial_frequencies",
    "rotational_average",
    "spectral_slope",
    "windowed",
]
