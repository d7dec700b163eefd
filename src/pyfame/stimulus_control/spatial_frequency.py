"""Spatial-frequency filtering of the face in cycles per face width, and hybrid faces.

Units
-----
Frequencies are in **cycles per face width** (cpf): ``f_cpf = f_cycles_per_pixel *
face_width_px``, where the caller measures the face width from the mesh (cheek to cheek,
:func:`pyfame.face.face_frame.face_width`), so one cut-off means the same thing on every
face and every frame whatever the face's size in pixels. A cut-off must lie below the Nyquist
limit, ``face_width_px / 2`` cpf.

Filters
-------
Soft, so that they do not ring (a hard cut in frequency makes ripples around every edge):

``"gaussian"`` (default): low-pass ``G(f) = 2^(-(f/c)^2 / 2)``: no ringing at all.
``"butterworth"``: low-pass ``B(f) = 1 / sqrt(1 + (f/c)^(2n))`` of order ``n``: flatter in the
    pass band and steeper at the cut-off, with a slight overshoot at edges (order 2 by default).

The cut-off ``c`` is the **half-power** frequency of both: the gain there is ``1/sqrt(2)``
(-3 dB). The high-pass of a cut-off is the power complement of the low-pass,
``H(f) = sqrt(1 - L(f)^2)`` (for Butterworth, ``1 / sqrt(1 + (c/f)^(2n))``), so it also has
gain ``1/sqrt(2)`` at ``c``; a band-pass is ``H_low(f) * L_high(f)``. Above twice the cut-off
a low-pass lets through at most 1/16 of the power (Gaussian; 1/17 for Butterworth order 2).

What is filtered
----------------
The luminance of the image given (pass the face's box), chroma kept, written back inside the
mask only (pixels of weight 0 are copied bit for bit). The box is padded by reflection (one
period of the lowest cut-off, at most a quarter of its larger side, each way) before the FFT,
so its edges do not wrap around. The
mask-weighted mean luminance is kept (a high- or band-pass removes the mean, which is put
back); ``equate_rms=True`` also keeps the mask-weighted SD, i.e. the RMS contrast, of the
input. Both hold for soft masks and on the 8-bit result, to 0.01 L* (see
:func:`~pyfame.stimulus_control.luminance.compose_with_statistics`).

Examples
--------
>>> import numpy as np
>>> from pyfame.samples import sample_face
>>> face = sample_face()[60:220, 150:310]
>>> blurred = filter_spatial_frequency(face, face_width_px=90.0, high_cpf=8.0)
>>> sharp = filter_spatial_frequency(face, face_width_px=90.0, low_cpf=8.0)
>>> blurred.shape, sharp.dtype
((160, 160, 3), dtype('uint8'))
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from pyfame.errors import ImageShapeError, PyfameValueError
from pyfame.stimulus_control.luminance import (
    apply_gain_offset,
    check_image,
    check_mask,
    check_space,
    compose,
    compose_with_statistics,
    split_luminance,
    weighted_mean_sd,
)
from pyfame.validation import check_bool, check_choice, check_float, check_int

FILTERS: dict[str, str] = {"gaussian": "gaussian", "butterworth": "butterworth"}


def low_pass_gain(f: np.ndarray, cutoff: float, kind: str = "gaussian", order: int = 2) -> np.ndarray:
    """Gain of the low-pass at frequencies ``f`` (same unit as ``cutoff``): 1 at 0,
    ``1/sqrt(2)`` at the cut-off.

    Examples
    --------
    >>> [round(float(g), 4) for g in low_pass_gain(np.array([0.0, 4.0, 8.0]), 4.0)]
    [1.0, 0.7071, 0.25]
    >>> round(float(low_pass_gain(np.array(8.0), 4.0, "butterworth")), 4)
    0.2425
    """
    r2 = np.square(np.asarray(f, np.float32) * np.float32(1.0 / cutoff))
    if kind == "gaussian":
        return np.exp2(np.float32(-0.5) * r2)
    return 1.0 / np.sqrt(1.0 + r2**order)


def high_pass_gain(f: np.ndarray, cutoff: float, kind: str = "gaussian", order: int = 2) -> np.ndarray:
    """Gain of the high-pass: the power complement of :func:`low_pass_gain`.

    Examples
    --------
    >>> [round(float(g), 4) for g in high_pass_gain(np.array([0.0, 4.0, 8.0]), 4.0)]
    [0.0, 0.7071, 0.9682]
    """
    low = low_pass_gain(f, cutoff, kind, order)
    low *= low
    np.subtract(1.0, low, out=low)
    np.clip(low, 0.0, 1.0, out=low)
    return np.sqrt(low, out=low)


def frequency_gain(
    shape: tuple[int, int],
    face_width_px: float,
    low_cpf: float | None = None,
    high_cpf: float | None = None,
    kind: str = "gaussian",
    order: int = 2,
) -> np.ndarray:
    """The filter's gain on the ``numpy.fft.rfft2`` grid of an ``(H, W)`` image, float32
    ``(H, W // 2 + 1)``: keeps ``low_cpf`` to ``high_cpf`` (either may be ``None``).

    Examples
    --------
    >>> g = frequency_gain((64, 64), face_width_px=64.0, high_cpf=8.0)
    >>> round(float(g[0, 8]), 4), round(float(g[0, 16]), 4)
    (0.7071, 0.25)
    """
    h, w = int(shape[0]), int(shape[1])
    fy = (np.fft.fftfreq(h) * face_width_px).astype(np.float32)[:, None]
    fx = (np.fft.rfftfreq(w) * face_width_px).astype(np.float32)[None, :]
    cpf = np.sqrt(fy * fy + fx * fx)
    gain = np.ones((h, w // 2 + 1), np.float32)
    if high_cpf is not None:
        gain *= low_pass_gain(cpf, high_cpf, kind, order)
    if low_cpf is not None:
        gain *= high_pass_gain(cpf, low_cpf, kind, order)
    return gain


def filter_luminance(
    lum: np.ndarray,
    face_width_px: float,
    low_cpf: float | None = None,
    high_cpf: float | None = None,
    kind: str = "gaussian",
    order: int = 2,
) -> np.ndarray:
    """Filtered luminance (float32, same shape); the mean is whatever the filter leaves (0 for
    a high- or band-pass).

    The image is reflection-padded each way by one period of the lowest cut-off
    (``face_width_px / min(cut-offs)`` pixels, at most a quarter of its larger side), which
    holds the filters' impulse responses, so the box's edges neither wrap around nor ring.

    Examples
    --------
    >>> lum = np.random.default_rng(0).normal(50, 10, (32, 32)).astype(np.float32)
    >>> round(float(filter_luminance(lum, 32.0, high_cpf=4.0).std()), 1) < 10.0
    True
    """
    if low_cpf is None and high_cpf is None:
        raise PyfameValueError("low_cpf and high_cpf are both None: nothing to filter")
    lum = np.ascontiguousarray(lum, np.float32)
    h, w = lum.shape
    lowest = min(c for c in (low_cpf, high_cpf) if c is not None)
    pad = min(max(h, w) // 4, int(np.ceil(face_width_px / lowest)))
    ph, pw = cv2.getOptimalDFTSize(h + 2 * pad), cv2.getOptimalDFTSize(w + 2 * pad)
    top, left = (ph - h) // 2, (pw - w) // 2
    border = cv2.BORDER_REFLECT_101 if min(h, w) > 1 else cv2.BORDER_REPLICATE
    padded = cv2.copyMakeBorder(lum, top, ph - h - top, left, pw - w - left, border)
    gain = frequency_gain((ph, pw), face_width_px, low_cpf, high_cpf, kind, order)
    out = np.fft.irfft2(np.fft.rfft2(padded) * gain, s=(ph, pw))
    return np.ascontiguousarray(out[top:top + h, left:left + w], dtype=np.float32)


def _check_cutoffs(face_width_px: Any, low_cpf: Any, high_cpf: Any, kind: Any, order: Any) -> tuple[float, float | None, float | None, str, int]:
    width = check_float(face_width_px, "face_width_px", low=0.0, low_inclusive=False)
    nyquist = width / 2.0
    low = None if low_cpf is None else check_float(low_cpf, "low_cpf", low=0.0, low_inclusive=False)
    high = None if high_cpf is None else check_float(high_cpf, "high_cpf", low=0.0, low_inclusive=False)
    if low is None and high is None:
        raise PyfameValueError("low_cpf and high_cpf are both None: give high_cpf for a low-pass, "
                               "low_cpf for a high-pass, or both for a band-pass")
    for name, value in (("low_cpf", low), ("high_cpf", high)):
        if value is not None and value >= nyquist:
            raise PyfameValueError(
                f"{name} = {value} cycles per face width is at or above the Nyquist limit of this "
                f"face ({nyquist:g} cpf for a face {width:g} px wide)"
            )
    if low is not None and high is not None and low >= high:
        raise PyfameValueError(f"low_cpf ({low}) must be below high_cpf ({high}) for a band-pass")
    kind = check_choice(kind, "kind", FILTERS)
    order = check_int(order, "order", low=1, high=16)
    return width, low, high, kind, order


def filter_spatial_frequency(
    image: np.ndarray,
    face_width_px: float,
    low_cpf: float | None = None,
    high_cpf: float | None = None,
    mask: np.ndarray | None = None,
    *,
    kind: str = "gaussian",
    order: int = 2,
    equate_rms: bool = False,
    space: str = "lab",
) -> np.ndarray:
    """Low-, high- or band-pass the face's luminance in cycles per face width.

    Parameters
    ----------
    image : numpy.ndarray
        uint8 RGB ``(H, W, 3)`` or grey ``(H, W)``: the face's box.
    face_width_px : float
        The face's width in pixels (cheek to cheek, from the mesh).
    low_cpf, high_cpf : float or None
        The pass band's lower and upper half-power cut-offs in cycles per face width:
        ``high_cpf`` alone is a low-pass, ``low_cpf`` alone a high-pass, both a band-pass.
    mask : numpy.ndarray, optional
        float32 ``(H, W)`` weights in [0, 1]: where the result is written and the mean (and
        SD) kept; ``None`` for the whole image.
    kind : {"gaussian", "butterworth"}
    order : int
        Butterworth order (ignored for Gaussian).
    equate_rms : bool
        Keep the input's RMS contrast (mask-weighted SD of luminance) as well as its mean.
    space : {"lab", "luma"}

    Returns
    -------
    numpy.ndarray
        uint8, the input's shape.

    Examples
    --------
    >>> img = np.random.default_rng(0).integers(0, 256, (64, 64), dtype=np.uint8)
    >>> out = filter_spatial_frequency(img, 64.0, high_cpf=4.0)
    >>> float(out.std()) < float(img.std()) / 4
    True
    """
    space = check_space(space)
    check_image(image)
    width, low, high, kind, order = _check_cutoffs(face_width_px, low_cpf, high_cpf, kind, order)
    weights = check_mask(mask, image.shape)
    equate_rms = check_bool(equate_rms, "equate_rms")
    if not (weights > 0).any():
        raise PyfameValueError("mask is empty (no weight)")
    lum, chroma = split_luminance(image, space)
    filtered = filter_luminance(lum, width, low, high, kind, order)
    mean, sd = weighted_mean_sd(lum, weights)
    return compose_with_statistics(image, lum, filtered, chroma, weights, mean, sd if equate_rms else None, space)


def hybrid_image(
    low_face: np.ndarray,
    high_face: np.ndarray,
    cutoff_cpf: float,
    face_width_px: float,
    mask: np.ndarray | None = None,
    *,
    kind: str = "gaussian",
    order: int = 2,
    space: str = "lab",
) -> np.ndarray:
    """A hybrid face (Schyns & Oliva, 1994): the low frequencies of one face, the high of another.

    Luminance ``low_pass(low_face) + high_pass(high_face)`` at one half-power cut-off, so the
    two faces contribute equal power at ``cutoff_cpf`` (the low-pass and high-pass are power
    complements); the mean luminance and the chroma are the low face's. The two faces must
    already be aligned (same size, same face position: see ``pyfame.face.geometry.alignment``)
    and ``face_width_px`` is their common face width. Outside the mask the low face is kept
    bit for bit.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> a, b = (rng.integers(0, 256, (48, 48, 3), dtype=np.uint8) for _ in range(2))
    >>> hybrid_image(a, b, cutoff_cpf=6.0, face_width_px=48.0).shape
    (48, 48, 3)
    """
    space = check_space(space)
    check_image(low_face, "low_face")
    check_image(high_face, "high_face")
    if high_face.shape != low_face.shape:
        raise ImageShapeError(
            f"high_face has shape {high_face.shape} but low_face {low_face.shape}: a hybrid needs two "
            "aligned faces of one size (align them first; PyFAME does not stretch faces)"
        )
    width, _, cutoff, kind, order = _check_cutoffs(face_width_px, None, cutoff_cpf, kind, order)
    weights = check_mask(mask, low_face.shape)
    low_lum, chroma = split_luminance(low_face, space)
    high_lum, _ = split_luminance(high_face, space)
    hybrid = filter_luminance(low_lum, width, None, cutoff, kind, order)
    hybrid += filter_luminance(high_lum, width, cutoff, None, kind, order)
    return compose(low_face, apply_gain_offset(low_lum, hybrid, weights, 1.0, 0.0), chroma, weights, space)


def band_energy(lum: np.ndarray, face_width_px: float, above_cpf: float, window: bool = True) -> float:
    """Energy (sum of squared amplitude) of a luminance above a frequency in cycles per face
    width, under a Hann window (so the box's edges do not add energy), the mean removed.

    Examples
    --------
    >>> flat = np.full((32, 32), 40.0, np.float32)
    >>> band_energy(flat, 32.0, 2.0)
    0.0
    """
    x = np.asarray(lum, np.float64)
    x = x - x.mean()
    if window:
        h, w = x.shape
        x = x * np.outer(np.hanning(h), np.hanning(w))
    spectrum = np.abs(np.fft.rfft2(x)) ** 2
    h, w = x.shape
    fy = np.fft.fftfreq(h)[:, None]
    fx = np.fft.rfftfreq(w)[None, :]
    cpf = np.sqrt(fy * fy + fx * fx) * face_width_px
    cell = np.full(w // 2 + 1, 2.0)
    cell[0] = 1.0
    if w % 2 == 0:
        cell[-1] = 1.0
    return float((spectrum * cell)[cpf >= above_cpf].sum())


def nyquist_cpf(face_width_px: float) -> float:
    """The highest frequency an image of this face holds, in cycles per face width.

    Examples
    --------
    >>> nyquist_cpf(90.0)
    45.0
    """
    return check_float(face_width_px, "face_width_px", low=0.0, low_inclusive=False) / 2.0


__all__ = [
    "FILTERS",
    "band_energy",
    "filter_luminance",
    "filter_spatial_frequency",
    "frequency_gain",
    "high_pass_gain",
    "hybrid_image",
    "low_pass_gain",
    "nyquist_cpf",
]
