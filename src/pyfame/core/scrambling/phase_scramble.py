"""Phase scrambling of the face region: random Fourier phase, amplitude spectrum and mean colour kept.

Method
------
**Region.** The face region (``landmark_regions``, the face oval by default, its edge
feathered by ``feather_iod``, or ``feather_px``) comes from :func:`pyfame.face.region_mask.region_mask`; its soft
mask ``w`` is the window, as in :mod:`pyfame.stimulus_control.amplitude_spectrum`: what is
scrambled is the region's deviation from its mean colour, ``x = w (I - m)`` per channel, with
``m`` the ``w``-weighted mean colour. Hair and background (``w = 0``) take no part, and the
window has no hard edge to turn into streaks.

**Face coordinates.** On the first frame with a face, the region is put on a square canvas
(its side the next power of two, or three or nine times one, from the region's width or
height plus 20%: 512 or 576 for a face at 720p), at the frame's own scale and shifted by
whole pixels, so a still is not resampled (a region over 1700 px across is shrunk onto the
largest canvas, 2048 px). Every later frame is mapped onto that canvas by the least-squares
similarity (Umeyama, 1991) from its rigid mesh points (the face outline from ear to ear over
the forehead, the nose, the eye corners; not the jaw, lips, lids or brows, which move with
speech and expression) to the first frame's. So the phase field is fixed to the face: on a
still face the scramble stays put, and it moves, turns and scales with the head.

**Phase.** One random phase field ``psi`` is drawn per face and video from the layer's
generator (the phase of the FFT of white noise: odd-symmetric like a real image's, 0 at the
zero frequency). Each channel's phase ``phi`` becomes the weighted circular mean of the
original phase and the random phase ``phi + psi`` (Dakin et al.'s 2002 weighted mean phase),
``angle(c exp(i phi) + (1 - c) exp(i (phi + psi)))`` for ``coherence = c``: ``phi`` turned by
``angle(c + (1 - c) exp(i psi))``, the same turn for every channel, so the channels keep
their phase relations (the colour composition) and each channel's amplitude spectrum on the
canvas is kept exactly. ``c = 0`` is a fully random phase, ``c = 1`` the input. The turn is
computed once per video; a frame costs a forward and an inverse real DFT per channel
(OpenCV's, float32) and a correction (below).

**Back to the frame.** The scrambled deviation ``d`` is written back through the window as
:mod:`pyfame.stimulus_control.statistics_matching` does, ``O = I + w (d - x)``: pixels of
weight 0 stay bit for bit, over the feathered edge the original fades out as the scramble
fades in, and ``c = 1`` is the identity. The random-phase texture fills the whole canvas
while the region covers part of it, so ``d`` is the texture times the one gain (for all
channels) that gives the written region ``w (O - m)`` the energy of ``x`` (the amplitude
spectrum's total power; 1 at ``c = 1``), plus the offset per channel that keeps the region's
``w``-weighted mean colour. A window smears the spectrum it shows, and a random texture
through a window captures its lowest frequencies at random, which the one gain would pass on
to the rest; so before that, once per frame, each radial frequency of the texture is scaled
by the ratio of the rotational averages (power, channels summed) of ``x`` and of the written
region, as SHINE's ``sfMatch`` does (Willenbockel et al., 2010). The canvas is periodic, so
where a turned or nearer face reaches past it the texture wraps around without a seam.

**Range.** Where the scramble leaves 0-255 the value is clipped, and the offset through the
window that restores the region's mean colour after clipping is solved for (Newton's method
over the pixels near 0 or 255).

**Tolerances**, measured (default parameters, five seeds) on 18 frames of two real 720p
talking-face clips and on the tests' faces (the sample face and the astronaut, 150-190 px
wide). The region's ``w``-weighted mean colour: within 0.01 of a level per channel. Its energy
(RMS contrast): 95-100% of the input's (clipping takes the rest). The rotational average of
its amplitude spectrum, per octave and channel: from 2 cycles per face width up, median error
3-6% and 95% of cases within 11% on the clips (18% on the small test faces); below 2 cycles
per face width, structure larger than half the face that a window holds too few cycles of,
up to 45%. Single frequencies are not kept one by one: a random-phase texture seen through a
window smaller than its period has a speckled spectrum, which only iterating
(Gerchberg-Saxton, dozens of DFTs a frame) would undo. Clipped: 1-6% of the region's pixels
on the clips, 6-10% on the bright test faces (their highlights).

Coherence is defined, as Dakin et al. define it, on the Fourier components of the canvas.
Measured through the window on the region itself the phases agree a little more at
intermediate coherences (the window averages neighbouring frequencies): the mean cosine of
the phase change is 0.02 at ``c = 0``, 0.22 at 0.25, 0.72 at 0.5 and 0.96 at 0.75 on the
clips (by definition 0, 0.17, 0.64 and 0.97).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import cv2
import numpy as np

from pyfame.face.faces import Faces
from pyfame.face.geometry.alignment import LEFT_EYE_CORNERS, RIGHT_EYE_CORNERS, similarity_matrix
from pyfame.face.region_mask import RegionMask, region_mask
from pyfame.face.regions import FACE_OVAL_PATH
from pyfame.pipeline.layer import Layer, SourceInfo
from pyfame.pipeline.region_layer import feathering
from pyfame.pipeline.params import Boolean, Number, Param, Regions

DAKIN_2002 = ("Dakin, S. C., Hess, R. F., Ledgeway, T., & Achtman, R. L. (2002). What causes non-monotonic "
              "tuning of fMRI response to noisy images? Current Biology, 12(14), R476-R477.")
SADR_SINHA_2004 = ("Sadr, J., & Sinha, P. (2004). Object recognition and random image structure evolution. "
                   "Cognitive Science, 28(2), 259-287.")
WILLENBOCKEL_2010 = ("Willenbockel, V., Sadr, J., Fiset, D., Horne, G. O., Gosselin, F., & Tanaka, J. W. (2010). "
                     "Controlling low-level image properties: The SHINE toolbox. Behavior Research Methods, 42(3), "
                     "671-684.")
UMEYAMA_1991 = ("Umeyama, S. (1991). Least-squares estimation of transformation parameters between two point "
                "patterns. IEEE Transactions on Pattern Analysis and Machine Intelligence, 13(4), 376-380.")


#: The mesh points the canvas follows: they move with the head but hardly with speech or
#: expression. The face outline from ear to ear over the forehead (234 ... 10 ... 454), the
#: nose (its outline, bridge to nostrils) and the eye corners; not the jaw, lips, lids or brows.
RIGID_POINTS: tuple[int, ...] = tuple(sorted({
    234, 127, 162, 21, 54, 103, 67, 109, 10, 338, 297, 332, 284, 251, 389, 356, 454,
    168, 193, 122, 196, 3, 51, 134, 131, 49, 129, 64, 98, 97, 2, 326, 327, 294, 358, 279, 360, 363, 281, 248,
    419, 351, 417,
    *RIGHT_EYE_CORNERS, *LEFT_EYE_CORNERS,
}))
#: Room left on the canvas around the first frame's region, as a fraction of its size.
CANVAS_MARGIN = 0.2
#: The smallest canvas side, in pixels.
MIN_CANVAS = 32


#: Canvas sides: a power of two, or three or nine times one, the sizes OpenCV's DFT is fastest
#: at (per pixel, 512 and 576 cost the same; the next power of two would cost four times 512).
CANVAS_SIDES: tuple[int, ...] = tuple(sorted({m << a for m in (1, 3, 9) for a in range(1, 12)
                                              if MIN_CANVAS <= (m << a) <= 2048}))


def canvas_side(extent: float) -> tuple[int, float]:
    """The canvas for a region ``extent`` pixels across: ``(side, scale)``, the smallest of
    :data:`CANVAS_SIDES` from ``extent`` plus :data:`CANVAS_MARGIN`, at the frame's scale
    (1); a region too large for the largest (2048 px) is shrunk onto it.

    Examples
    --------
    >>> canvas_side(400), canvas_side(470), canvas_side(600), canvas_side(3)
    ((512, 1.0), (576, 1.0), (768, 1.0), (32, 1.0))
    >>> side, scale = canvas_side(3000); side, round(scale, 3)
    (2048, 0.569)
    """
    need = max(float(extent) * (1.0 + CANVAS_MARGIN), float(MIN_CANVAS))
    side = next((side for side in CANVAS_SIDES if side >= need), CANVAS_SIDES[-1])
    return side, min(1.0, side / need)


def random_phase(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """A random phase field in ``numpy.fft.rfft2`` layout, ``(h, w // 2 + 1)`` float64: the
    phase of the FFT of white noise, so it is odd-symmetric as a real image's phase is, and
    0 at the zero frequency.

    Examples
    --------
    >>> psi = random_phase((8, 8), np.random.default_rng(0))
    >>> psi.shape, float(psi[0, 0])
    ((8, 5), 0.0)
    """
    psi = np.angle(np.fft.rfft2(rng.standard_normal(shape)))
    psi[0, 0] = 0.0
    return psi


def coherence_turn(psi: np.ndarray, coherence: float) -> np.ndarray:
    """The unit phasor each frequency's phase is turned by: ``angle(c + (1 - c) exp(i psi))``
    (Dakin et al.'s weighted mean phase of the original phase ``phi`` and the random phase
    ``phi + psi``, less ``phi``). complex64, the shape of ``psi``.

    Examples
    --------
    >>> psi = np.array([0.0, np.pi / 2, 3.0])
    >>> np.angle(coherence_turn(psi, 0.0)).astype(float).round(4).tolist()   # the random phase
    [0.0, 1.5708, 3.0]
    >>> np.angle(coherence_turn(psi, 0.5)).astype(float).round(4).tolist()   # half the random turn
    [0.0, 0.7854, 1.5]
    >>> np.angle(coherence_turn(psi, 1.0)).astype(float).round(4).tolist()   # the original
    [0.0, 0.0, 0.0]
    """
    z = coherence + (1.0 - coherence) * np.exp(1j * psi)
    size = np.abs(z)
    turn = np.divide(z, size, out=np.ones_like(z), where=size > 1e-12)  # c = 0.5, psi = pi: no mean; keep phi
    return turn.astype(np.complex64)


#: ``cv2.dft`` flags of the inverse transform back to a real image.
_INVERSE = cv2.DFT_INVERSE | cv2.DFT_REAL_OUTPUT | cv2.DFT_SCALE


def pack_turn(turn: np.ndarray) -> np.ndarray:
    """A phase turn in ``numpy.fft.rfft2`` layout (complex, ``(n, n // 2 + 1)``, ``n`` even) as
    OpenCV's packed spectrum of a real ``(n, n)`` image (CCS, float32), for
    ``cv2.mulSpectrums``: OpenCV's float32 real DFTs in that layout cost a fraction of NumPy's.

    Examples
    --------
    >>> packed = pack_turn(np.ones((8, 5), np.complex64))   # no turn: the spectrum of a delta
    >>> packed.shape, float(np.abs(packed[:, ::2][:, 1:]).max().round(6))   # imaginary parts 0
    ((8, 8), 0.0)
    """
    side = turn.shape[0]
    return cv2.dft(np.fft.irfft2(turn, s=(side, side)).astype(np.float32))


def turn_phase(x: np.ndarray, turn: np.ndarray) -> np.ndarray:
    """Turn the Fourier phase of each channel of ``x`` (float32 ``(c, n, n)``, ``n`` even) by
    ``turn`` (``numpy.fft.rfft2`` layout): the amplitude spectrum of every channel is kept.

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=(2, 16, 16)).astype(np.float32)
    >>> turn = coherence_turn(random_phase((16, 16), np.random.default_rng(1)), 0.0)
    >>> y = turn_phase(x, turn)
    >>> bool(np.allclose(np.abs(np.fft.fft2(y)), np.abs(np.fft.fft2(x)), atol=1e-3))
    True
    """
    packed = pack_turn(turn)
    return np.stack([cv2.dft(cv2.mulSpectrums(cv2.dft(np.ascontiguousarray(c)), packed, 0), flags=_INVERSE)
                     for c in x])


@lru_cache(maxsize=4)
def _packed_bins(side: int) -> tuple[np.ndarray, int]:
    """The radial frequency bin (as :func:`~pyfame.stimulus_control.amplitude_spectrum.radial_bins`)
    of every entry of OpenCV's packed spectrum of a ``side`` x ``side`` image (``side`` even).

    In the packed layout the first and last columns hold frequency columns 0 and ``side / 2``
    (row 0, then real and imaginary parts of rows 1, 2, ..., then row ``side / 2``); the other
    columns hold the real and imaginary parts of columns 1 to ``side / 2 - 1``, all rows.
    """
    r, c = np.arange(side)[:, None], np.arange(side)[None, :]
    edge = (c == 0) | (c == side - 1)
    k = np.where(c == 0, 0, np.where(c == side - 1, side // 2, (c + 1) // 2))
    j_edge = np.where(r == 0, 0, np.where(r == side - 1, side // 2, (r + 1) // 2))
    j = np.where(edge, j_edge, np.where(r <= side // 2, r, r - side))
    bins = np.rint(np.hypot(j, k)).astype(np.int64)
    return np.ascontiguousarray(bins.ravel()), int(bins.max()) + 1


def _radial_power(packed: np.ndarray) -> np.ndarray:
    """Power per radial bin of a packed spectrum (each stored frequency once)."""
    bins, count = _packed_bins(packed.shape[0])
    return np.bincount(bins, (packed * packed).ravel(), count)


def _dots(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per-channel sums of products of ``(c, ...)`` arrays (``b`` may lack the channel axis), float64."""
    axes = "ijk"[: a.ndim - 1]
    spec = f"c{axes},c{axes}->c" if b.ndim == a.ndim else f"c{axes},{axes}->c"
    return np.einsum(spec, a, b).astype(np.float64)


class _Window:
    """A window ``w`` on the canvas, cut to the box where it is not 0 (sums need no more)."""

    def __init__(self, w: np.ndarray) -> None:
        rows, cols = np.flatnonzero(w.any(axis=1)), np.flatnonzero(w.any(axis=0))
        if rows.size == 0:
            rows = cols = np.zeros(1, np.int64)
        self.slices = (slice(int(rows[0]), int(rows[-1]) + 1), slice(int(cols[0]), int(cols[-1]) + 1))
        crop = w[self.slices]
        self.w2 = crop * crop
        self.rest = 1.0 - self.w2
        self.total = float(self.w2.sum(dtype=np.float64))
        self.total4 = float((self.w2 * self.w2).sum(dtype=np.float64))

    def crop(self, a: np.ndarray) -> np.ndarray:
        """``(c, n, n)`` -> a view of the box, ``(c, h, w)``."""
        return a[:, self.slices[0], self.slices[1]]


class _Region:
    """A region's deviation ``x`` on a window, cut to the window's box, with the sums of it
    that :func:`_gain` needs (per channel)."""

    def __init__(self, x: np.ndarray, window: _Window) -> None:
        self.x = x  # (c, h, w), the box
        self.outer = x * window.rest  # (1 - w^2) x
        self.mean = _dots(x, window.w2) / window.total if window.total > 0.0 else np.zeros(len(x))  # e
        self.mixed = _dots(self.outer, window.w2)  # sum (1 - w^2) w^2 x
        self.outer_energy = _dots(self.outer, self.outer)  # sum (1 - w^2)^2 x^2
        self.energy = _dots(x, x)


def _gain(region: _Region, s: np.ndarray, window: _Window) -> tuple[float, np.ndarray]:
    """``(k, offset)`` with ``d = k s + offset`` the deviation :func:`written_deviation` gives
    for a prepared region (``s`` whole, ``(c, n, n)``).

    The sums are expanded so that only ``w^2 s`` is formed: with ``v = w^2 (s - mu)`` and
    ``keep = (1 - w^2) x + w^2 e``, ``sum v^2``, ``sum keep v`` and ``sum keep^2`` come from
    ``sum w^4 s^2``, ``sum w^4 s``, ``sum (1 - w^2) w^2 x s`` and sums of ``x`` and ``w``.
    """
    if window.total <= 0.0:
        return 0.0, np.zeros(len(s), np.float32)
    t = window.crop(s) * window.w2  # w^2 s
    mu = np.einsum("cij->c", t).astype(np.float64) / window.total
    w4s = _dots(t, window.w2)
    w4s2 = _dots(t, t)
    mixed_s = _dots(t, region.outer)
    e, n4 = region.mean, window.total4
    a = float((w4s2 - 2.0 * mu * w4s + mu * mu * n4).sum())
    b = 2.0 * float((mixed_s - mu * region.mixed + e * w4s - e * mu * n4).sum())
    c0 = float((region.outer_energy + 2.0 * e * region.mixed + e * e * n4 - region.energy).sum())
    k = 0.0
    if a > 1e-12:  # a k^2 + b k + c0 = 0, the positive root (c0 <= 0 unless the region is all feather)
        k = max((-b + math.sqrt(max(b * b - 4.0 * a * c0, 0.0))) / (2.0 * a), 0.0)
    return k, (e - k * mu).astype(np.float32)


def written_deviation(x: np.ndarray, s: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The deviation ``d = k (s - mean) + e`` to write back through the window ``w`` as
    ``O = I + w (d - x)``, for the region's deviation ``x = w (I - m)`` and the scrambled one
    ``s`` (float32 ``(c, n, n)``).

    ``e`` (per channel) keeps the ``w^2``-weighted mean of ``d`` at that of ``x``, which keeps
    the ``w``-weighted mean colour of ``O``; the gain ``k`` (one for all channels) gives the
    written region ``w (O - m) = (1 - w^2) x + w^2 d`` the energy of ``x``. Where ``s = x``
    (coherence 1) that is ``k = 1`` and ``d = x``: the identity.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> w = np.zeros((8, 8), np.float32); w[2:6, 2:6] = 1.0
    >>> x = (rng.normal(size=(1, 8, 8)) * w).astype(np.float32)
    >>> bool(np.allclose(written_deviation(x, x, w), x, atol=1e-5))
    True
    """
    window = _Window(w)
    k, offset = _gain(_Region(window.crop(x), window), s, window)
    return s * np.float32(k) + offset[:, None, None]


def scramble_region(x: np.ndarray, w: np.ndarray, turn: np.ndarray) -> np.ndarray:
    """The scrambled deviation ``d`` of a region ``x = w (I - m)`` (float32 ``(c, n, n)``, ``n``
    square) seen through the window ``w``, to be written back as ``O = I + w (d - x)``.

    The phase of every channel is turned by ``turn`` (the amplitude spectrum kept on the
    canvas), and :func:`written_deviation` scales and shifts the result for the region's
    energy and mean. The window then smears the spectrum it shows, so one correction comes
    first: on the sum of the channels, each radial frequency bin of the scrambled field is
    scaled by the ratio of the rotational averages (power) of ``x`` and of the written region,
    once, as SHINE's ``sfMatch`` does (Willenbockel et al., 2010); the same gains then apply
    to every channel. Where ``turn`` is 1 everything is the identity.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> w = np.zeros((32, 32), np.float32); w[8:24, 8:24] = 1.0
    >>> x = (rng.normal(size=(3, 32, 32)) * w).astype(np.float32)
    >>> bool(np.allclose(scramble_region(x, w, np.ones((32, 17), np.complex64)), x, atol=1e-4))
    True
    """
    scrambled, k, offset = _scramble_packed(x, _Window(w), pack_turn(turn))
    return scrambled * np.float32(k) + offset[:, None, None]


def _scramble_packed(x: np.ndarray, window: _Window, packed_turn: np.ndarray) -> tuple[np.ndarray, float, np.ndarray]:
    """:func:`scramble_region` with the window prepared and the turn packed (:func:`pack_turn`),
    as ``(s, k, offset)``: the deviation is ``k s + offset`` (applied by the caller, on less)."""
    shape = x.shape[-2:]
    region = _Region(window.crop(x), window)
    spectra = [cv2.dft(channel) for channel in x]
    together = spectra[0].copy()
    for spectrum in spectra[1:]:
        together += spectrum
    summed = _Region(region.x.sum(axis=0)[None], window)
    s_sum = cv2.dft(cv2.mulSpectrums(together, packed_turn, 0), flags=_INVERSE)[None]
    k, offset = _gain(summed, s_sum, window)
    written = np.zeros(shape, np.float32)
    seen = written[window.slices]
    np.multiply(window.crop(s_sum)[0], np.float32(k), out=seen)
    seen += offset[0]
    seen *= window.w2
    seen += summed.outer[0]
    target, got = _radial_power(together), _radial_power(cv2.dft(written))
    gain = np.sqrt(np.divide(target, got, out=np.ones_like(target), where=got > 0.0))
    gain = np.clip(gain, 0.25, 4.0)
    gain[0] = 1.0
    bins, _ = _packed_bins(shape[0])
    per_entry = packed_turn * gain.astype(np.float32)[bins].reshape(shape)  # both parts of a frequency: scaled
    scrambled = np.empty_like(x)
    for c, spectrum in enumerate(spectra):
        cv2.dft(cv2.mulSpectrums(spectrum, per_entry, 0), dst=scrambled[c], flags=_INVERSE)
    return (scrambled, *_gain(region, scrambled, window))


def blend_keeping_mean(frame: np.ndarray, mask: RegionMask, replacement: np.ndarray, reach: float = 8.0) -> np.ndarray:
    """Blend ``replacement`` (float ``(h, w, c)`` over the mask's box; ``c = 1`` for a grey
    frame) into ``frame`` through the mask, as :meth:`RegionMask.blend` does, plus the offset
    per channel that keeps the mask-weighted mean colour when the result is clipped to 0-255
    (a scramble's extremes would otherwise shift it). Pixels of weight 0 stay bit for bit.

    The offset solves ``sum(alpha * clip(O + alpha * offset)) = sum(alpha * frame)`` (``O``
    the blend) by Newton's method over the pixels within ``reach`` levels of 0 or 255, the
    only ones an offset up to ``reach`` can clip (all pixels if it goes further).

    Examples
    --------
    >>> mask = RegionMask((0, 0, 4, 1), np.ones((1, 4), np.float32), (1, 5))
    >>> frame = np.full((1, 5, 1), 200, np.uint8)
    >>> rep = np.array([[[300.0], [100.0], [250.0], [150.0]]], np.float32)   # mean 200, clipped 187.5
    >>> out = blend_keeping_mean(frame, mask, rep)
    >>> out[0, :, 0].tolist(), float(out[0, :4].mean())
    ([255, 120, 255, 170, 200], 200.0)
    """
    out = frame if frame.flags.writeable else frame.copy()
    c = replacement.shape[2]
    before = out[mask.slices][..., :c].astype(np.float32)
    weights = _per_channel(mask.alpha, c)
    blended = replacement - before
    blended *= weights
    blended += before
    target = np.array(cv2.sumElems(before * weights)[:c])
    return _write_keeping_mean(out, mask, blended, target, reach, weights)


def _scalar(values: np.ndarray) -> tuple[float, ...]:
    """Per-channel values as an OpenCV scalar (four numbers)."""
    return (*(float(v) for v in values), *(0.0,) * (4 - len(values)))


def _per_channel(alpha: np.ndarray, channels: int) -> np.ndarray:
    """``alpha`` repeated for each channel, ``(h, w, channels)`` contiguous (NumPy broadcasts a
    trailing axis of 1 slowly)."""
    return cv2.merge([alpha] * channels).reshape(*alpha.shape, channels)


def _write_keeping_mean(out: np.ndarray, mask: RegionMask, blended: np.ndarray, target: np.ndarray,
                        reach: float = 8.0, weights: np.ndarray | None = None) -> np.ndarray:
    """Write ``blended`` (float32 ``(h, w, c)``, the mask's box) into ``out``, rounded and
    clipped to 0-255, after adding the offset through the mask that makes the mask-weighted
    channel sums ``target`` (see :func:`blend_keeping_mean`); ``weights`` is the mask per
    channel if already made."""
    c = blended.shape[2]
    alpha = mask.alpha
    total = cv2.sumElems(alpha)[0]
    if total > 0.0:
        if weights is None:
            weights = _per_channel(alpha, c)
        linear = np.array(cv2.sumElems(blended * weights)[:c])  # the sums with no clipping, at offset 0
        a2 = cv2.sumElems(alpha * alpha)[0]
        offset = np.zeros(c, np.float64)
        for wide in (False, True):
            near = alpha > 0.0
            if not wide:  # a pixel with a channel within reach of 0 or 255
                inside = cv2.inRange(blended, (reach,) * c, (255.0 - reach,) * c)
                near &= inside.reshape(alpha.shape) == 0
            o, w = blended[near].astype(np.float64), alpha[near].astype(np.float64)[:, None]
            for _ in range(20):
                moved = o + w * offset
                error = linear + offset * a2 + (w * (np.clip(moved, 0.0, 255.0) - moved)).sum(axis=0) - target
                if np.abs(error).max() < 1e-4 * total:
                    break
                slope = a2 - (w * w * ((moved <= 0.0) | (moved >= 255.0))).sum(axis=0)
                offset -= np.divide(error, slope, out=np.zeros_like(error), where=slope > 0.0)
            if np.abs(offset).max() <= reach:
                break
        if offset.any():
            blended += cv2.multiply(weights, _scalar(offset)).reshape(blended.shape)
    np.maximum(blended, 0.0, out=blended)
    written = cv2.convertScaleAbs(blended)  # rounded to nearest (even), saturated at 255
    out[mask.slices] = written.reshape(blended.shape)  # one channel (grey): the same in all three
    return out


@dataclass
class _Canvas:
    """One face's canvas: its side, the first frame's rigid points in the frame and on the
    canvas, the first frame's transform, the phase turn."""

    side: int
    first: np.ndarray  # the first frame's rigid points, float64 (n, 2)
    reference: np.ndarray  # the same on the canvas
    start: np.ndarray  # the first frame's transform (a scale of 1 and a whole-pixel shift, but for huge faces)
    turn: np.ndarray  # the phase turn, packed (:func:`pack_turn`)

    def matrix(self, landmarks: np.ndarray) -> np.ndarray:
        """Frame pixels -> canvas pixels (2x3 float64) for a face's landmarks."""
        points = landmarks[list(RIGID_POINTS), :2].astype(np.float64)
        if np.array_equal(points, self.first):  # the first frame, and stills: not resampled
            return self.start.copy()
        return similarity_matrix(points, self.reference)


class PhaseScramble(Layer):
    """Replace the Fourier phase of the face region by a random phase, fixed to the face.

    The region (the face oval by default) is scrambled on a canvas that follows the face,
    with one random phase field for all channels (drawn once per face and video from the
    seeded generator) mixed with the original phase by ``coherence``, Dakin et al.'s (2002)
    weighted mean phase: 0 is a fully random phase, 1 the input. The region's amplitude
    spectrum and mean colour are kept; pixels outside the feathered region stay bit for bit.
    On video the scramble moves with the head and does not change on a still face. See
    :mod:`pyfame.core.scrambling.phase_scramble` for the method and its tolerances.

    Examples
    --------
    >>> import numpy as np
    >>> from pyfame.samples import sample_face
    >>> from pyfame.face.tracker import FaceTracker
    >>> face = sample_face()
    >>> with FaceTracker(mode="image") as tracker:
    ...     faces = tracker.track(face)
    >>> out = PhaseScramble(coherence=0.2).apply(face.copy(), faces, 0.0, np.random.default_rng(0))
    >>> bool((out[:20] == face[:20]).all()), bool((out != face).any())   # the top rows are not face
    (True, True)
    """

    name = "phase_scramble"
    subfolder = "Scrambled"
    output_tag = "phase"
    references = (DAKIN_2002, SADR_SINHA_2004, WILLENBOCKEL_2010, UMEYAMA_1991)

    coherence: float = Param(Number(0.0, 1.0), default=0.0, unit="fraction",
                             help="Phase coherence (Dakin et al., 2002): 0 a fully random phase, 1 the input's.")
    landmark_regions: list = Param(Regions(), default=FACE_OVAL_PATH, help="The region scrambled.",
                                   cli_names=("--region",))
    feather_px, feather_iod = feathering(0.1)
    out_grayscale: bool = Param(Boolean(), default=False, help="Write the whole frame in grey.",
                                cli_names=("--grayscale",))

    def __post_init__(self) -> None:
        self._canvases: dict[int, _Canvas] = {}

    def start(self, info: SourceInfo) -> None:
        self._canvases = {}

    def covered_regions(self) -> list[Any] | None:
        return None if self.out_grayscale else self.landmark_regions

    def _canvas(self, landmarks: np.ndarray, mask: RegionMask, rng: np.random.Generator) -> _Canvas:
        ys, xs = np.nonzero(mask.alpha)
        x0, y0 = mask.box[0] + int(xs.min()), mask.box[1] + int(ys.min())
        x1, y1 = mask.box[0] + int(xs.max()) + 1, mask.box[1] + int(ys.max()) + 1
        side, scale = canvas_side(max(x1 - x0, y1 - y0))
        start = np.array([[scale, 0.0, side // 2 - round(scale * (x0 + x1) / 2)],
                          [0.0, scale, side // 2 - round(scale * (y0 + y1) / 2)]])
        first = landmarks[list(RIGID_POINTS), :2].astype(np.float64)
        reference = first @ start[:, :2].T + start[:, 2]
        turn = pack_turn(coherence_turn(random_phase((side, side), rng), self.coherence))
        return _Canvas(side, first, reference, start, turn)

    def _scramble(self, out: np.ndarray, landmarks: np.ndarray, mask: RegionMask, canvas: _Canvas) -> None:
        n = canvas.side
        m = canvas.matrix(landmarks)
        x0, y0 = mask.box[:2]
        m_box = m.copy()
        m_box[:, 2] += m[:, :2] @ np.array([x0, y0], np.float64)  # mask-box pixels -> canvas
        channels = 1 if self.out_grayscale else 3
        w = cv2.warpAffine(mask.alpha, m_box, (n, n), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
        total = float(w.sum(dtype=np.float64))
        if total <= 0.0:
            return
        window = _Window(w)
        rows, cols = window.slices
        m_window = m.copy()  # frame pixels -> the window's box on the canvas: only that is needed
        m_window[:, 2] -= (cols.start, rows.start)
        source = out if channels == 3 else np.ascontiguousarray(out[..., 0])
        image = cv2.warpAffine(source, m_window, (cols.stop - cols.start, rows.stop - rows.start),
                               flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
        x = np.zeros((channels, n, n), np.float32)
        box = x[:, rows, cols]  # the deviation is 0 outside the window's box
        for c, plane in enumerate(cv2.split(image) if channels == 3 else [image]):
            box[c] = plane
        mean = _dots(box, w[window.slices]) / total
        box -= mean.astype(np.float32)[:, None, None]
        box *= w[window.slices]
        scrambled, k, offset = _scramble_packed(x, window, canvas.turn)
        # back to the frame: the deviation over the mask's box (the canvas is periodic: wrap);
        # warping is linear, so the gain and offset apply after it, on the smaller box
        bw, bh = mask.alpha.shape[1], mask.alpha.shape[0]
        d_box = cv2.warpAffine(cv2.merge(list(scrambled)) if channels == 3 else scrambled[0], m_box, (bw, bh),
                               flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_WRAP)
        d_box = d_box.reshape(bh, bw, channels)
        d_box *= np.float32(k)
        cv2.add(d_box, _scalar(offset), dst=d_box)  # OpenCV: NumPy broadcasts a 3-long last axis slowly
        # O = I + w (d - x) with x = w (I - m), the region's mean m measured on the frame
        roi = out[mask.slices][..., :channels].astype(np.float32)
        weights = _per_channel(mask.alpha, channels)
        target = np.array(cv2.sumElems(roi * weights)[:channels])  # the sums that keep the mean colour
        mean = (target / cv2.sumElems(mask.alpha)[0]).astype(np.float32)
        d_box *= weights
        deviation = cv2.subtract(roi, _scalar(mean)).reshape(roi.shape)
        deviation *= weights
        deviation *= weights
        d_box -= deviation
        d_box += roi
        _write_keeping_mean(out, mask, d_box, target, weights=weights)

    def apply(self, frame: np.ndarray, faces: Faces, t: float, rng: np.random.Generator) -> np.ndarray:
        out = frame if frame.flags.writeable else frame.copy()
        if self.out_grayscale:
            out[:] = cv2.cvtColor(cv2.cvtColor(out, cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB)
        if self.coherence == 1.0:
            return out
        for k in range(faces.count):
            one = faces.subset(k)
            mask = region_mask(one, self.landmark_regions, out.shape, self.feather_px, self.feather_iod)
            if mask.empty:
                continue
            if k not in self._canvases:
                self._canvases[k] = self._canvas(one.landmarks[0], mask, rng)
            self._scramble(out, one.landmarks[0], mask, self._canvases[k])
        return out

    def draws(self) -> dict[str, Any]:
        return {"canvases": [{"face": k, "side_px": c.side, "first_frame_to_canvas": c.start.round(6).tolist()}
                             for k, c in sorted(self._canvases.items())]}
