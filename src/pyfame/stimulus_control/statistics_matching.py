"""Equate low-level statistics of the face over a set of images (SHINE's operations, in a mask).

Each image comes with a mask (float32 weights in [0, 1], see
:mod:`pyfame.stimulus_control.luminance`); only luminance changes, chroma is kept, and pixels
of weight 0 are returned bit for bit. Methods (``method=``), after SHINE (Willenbockel et al.,
2010):

``"luminance"`` (lumMatch)
    The same mask-weighted mean and standard deviation of luminance in every image. Solved
    exactly for soft masks (:func:`~pyfame.stimulus_control.luminance.solve_gain_offset`), then
    corrected on the 8-bit result (:func:`~pyfame.stimulus_control.luminance.compose_with_statistics`), so the statistics of the *returned* images
    (re-measured) are equal to the target within about 0.003 L* (see the tests).
``"histogram"`` (histMatch, exact)
    Exact histogram specification of the quantised luminance (256 levels, level ``k`` = the
    luminance of grey ``k``) over the pixels of weight >= 0.5 (a histogram is a statement about
    a set of pixels, so a feathered mask is thresholded there). Pixels are ranked by luminance,
    ties broken by the local-mean ordering of Coltuc, Bolon & Chassery (2006): the means over
    five growing neighbourhoods (3x3 cross, 3x3, 5x5 diamond, 5x5 without corners, 5x5), and
    what is still tied by raster order; the first ``c_0`` ranked pixels get level 0, the next
    ``c_1`` level 1, and so on, where ``c_k`` are the target proportions times the image's
    pixel count, rounded by largest remainder (ties to the lower level). So two images with
    the same number of mask pixels get *identical* histograms, and any image's count per
    level is within one pixel of its share.

    "Exactly" after conversion to 8-bit RGB: the histogram is exact on the quantised luminance
    *re-measured from the returned 8-bit image*. A grey ``(H, W)`` image's level is its grey
    value, so its 8-bit histogram is the specified one. In colour, a pixel whose rounded RGB
    falls on a neighbouring level (about 10% of them, OpenCV's conversions being approximate)
    is moved to the 8-bit colour within +-1 (else +-2) per channel that has the assigned level
    and the nearest chroma; the rare pixel for which none exists (its colour is outside the sRGB gamut
    at that luminance, so it was clipped) loses as much chroma as it takes to reach the level
    (counted in :attr:`MatchResult.desaturated_pixels`; a few dozen in a face of 9000).
``"sf"`` (sfMatch)
    The same rotational average of the amplitude spectrum (mean amplitude per radial
    frequency bin), phases kept. On the test faces each image ends within 1.5-4.6% (RMS over
    the radial bins) of the target, from 27-32% before.
``"spectrum"`` (specMatch)
    The same full 2-D amplitude spectrum, phases kept. Within 8-11% (relative L2) of the
    target on the test faces, from 25-43%: a masked face cannot take any amplitude spectrum
    whatever, because the pixels outside its mask are fixed.

Spectra are taken on the image as given (pass the face's box) with the mask as the window
(see :mod:`pyfame.stimulus_control.amplitude_spectrum`): ``x = (L - mean) * w``. The new
deviation ``x'`` is written back as ``L + w (x' - x)``: the identity when nothing changes, the
mean kept, nothing outside the mask touched. Writing back through the window is not the
inverse of windowing (what the new spectrum puts outside the mask is cut off), so each
spectral step repeats this up to :data:`SPECTRAL_PASSES` times, while a pass still lowers the
difference by 2%, and keeps the best pass; 8-bit rounding and clipping follow.
:func:`spectral_error` measures what was reached.

Combinations, as SHINE's modes 5-8: ``"histogram+sf"``, ``"histogram+spectrum"``,
``"sf+histogram"``, ``"spectrum+histogram"``: the steps run in the order written, ``iterations``
times, on the floating-point luminance; the last step is the one that holds best at the end
(the histogram exactly when it is last). Targets are computed once from the inputs.

Targets (``target=``): ``None`` for the set's mean (the mean of the images' means and SDs, of
their normalised histograms, of their rotational averages or of their amplitude spectra); a
mapping of numbers (``{"mean": 50.0, "sd": 12.0}``, ``{"histogram": 256 counts or
proportions}``, ``{"sf": rotational average}``, ``{"spectrum": (H, W) amplitude}``); or a
reference 8-bit image (with ``target_mask=``) whose statistics are the target.

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> a = rng.integers(40, 120, (32, 32, 3), dtype=np.uint8)
>>> b = rng.integers(90, 250, (32, 32, 3), dtype=np.uint8)
>>> result = match_statistics([a, b], method="luminance")
>>> from pyfame.stimulus_control.luminance import luminance
>>> [round(float(luminance(im).mean()), 1) for im in result.images]
[52.4, 52.4]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from pyfame.errors import ImageShapeError, PyfameTypeError, PyfameValueError
from pyfame.stimulus_control.amplitude_spectrum import (
    half_radial_bins,
    half_rotational_average,
    half_spectrum,
    radial_bins,
    rotational_average,
    windowed,
)
from pyfame.stimulus_control.luminance import (
    apply_gain_offset,
    check_image,
    check_mask,
    check_space,
    compose,
    compose_with_statistics,
    luminance,
    luminance_levels,
    quantise_luminance,
    solve_gain_offset,
    split_luminance,
    weighted_mean_sd,
)
from pyfame.validation import check_choice, check_int

#: Accepted methods: SHINE's four operations and its four combinations.
METHODS: tuple[str, ...] = (
    "luminance",
    "histogram",
    "sf",
    "spectrum",
    "histogram+sf",
    "histogram+spectrum",
    "sf+histogram",
    "spectrum+histogram",
)
#: Keys a ``target`` mapping must hold for each step.
TARGET_KEYS: dict[str, tuple[str, ...]] = {
    "luminance": ("mean", "sd"),
    "histogram": ("histogram",),
    "sf": ("sf",),
    "spectrum": ("spectrum",),
}
#: Passes of one spectral step at most, the error at which it stops, and the relative
#: improvement a pass must bring for another to follow.
SPECTRAL_PASSES = 10
SPECTRAL_TOLERANCE = 0.002
SPECTRAL_MIN_GAIN = 0.02
#: Weight from which a pixel belongs to the histogram's pixel set.
HISTOGRAM_SUPPORT = 0.5

# Coltuc, Bolon & Chassery (2006): neighbourhoods of growing size for the local means
_R = np.add.outer(np.abs(np.arange(-2, 3)), np.abs(np.arange(-2, 3)))
_CHEB = np.maximum.outer(np.abs(np.arange(-2, 3)), np.abs(np.arange(-2, 3)))
_NEIGHBOURHOODS = (
    (_R <= 1) & (_CHEB <= 1),  # 3x3 cross, 5 pixels
    _CHEB <= 1,  # 3x3 square, 9
    _R <= 2,  # 5x5 diamond, 13
    ~((_CHEB == 2) & (_R == 4)),  # 5x5 without its corners, 21
    _CHEB <= 2,  # 5x5 square, 25
)
_KERNELS = tuple((k / k.sum()).astype(np.float32) for k in _NEIGHBOURHOODS)


@dataclass
class MatchResult:
    """What :func:`match_statistics` made and the targets it used.

    Attributes
    ----------
    images : list of numpy.ndarray
        The matched images, uint8, each the shape of its input.
    method, space : str
        As given.
    iterations : int
        Passes made.
    target : dict
        The statistics matched to: ``mean``/``sd`` (floats), ``histogram`` (float64 ``(256,)``
        proportions), ``sf`` (float64 rotational average), ``spectrum`` (float32 ``(H, W)``),
        whichever the method uses. Enough to match another set to the same numbers.
    desaturated_pixels : list of int
        Per image, pixels of the histogram's set that were outside the sRGB gamut at their
        assigned luminance and lost chroma to reach it (only when the histogram step is last;
        else 0).

    Examples
    --------
    >>> ims = [np.full((4, 4), v, np.uint8) for v in (50, 150)]
    >>> r = match_statistics(ims, target={"mean": 60.0, "sd": 0.0})
    >>> r.method, [int(im[0, 0]) for im in r.images]
    ('luminance', [145, 145])
    """

    images: list[np.ndarray]
    method: str
    space: str
    iterations: int
    target: dict[str, Any]
    desaturated_pixels: list[int] = field(default_factory=list)


# ----------------------------------------------------------------------------- checks


def check_image_set(images: Any, name: str = "images", *, min_count: int = 2) -> list[np.ndarray]:
    """A list of at least ``min_count`` 8-bit images of one shape; a typed error otherwise.

    Images of different sizes are refused, never resized.

    Examples
    --------
    >>> check_image_set([np.zeros((4, 4, 3), np.uint8)])
    Traceback (most recent call last):
    ...
    pyfame.errors.PyfameValueError: images must hold at least 2 images to match to their mean, got 1
    """
    if isinstance(images, np.ndarray) or not isinstance(images, Sequence):
        raise PyfameTypeError(
            f"{name} must be a list or tuple of images, got {type(images).__name__}"
        )
    items = list(images)
    if len(items) < min_count:
        raise PyfameValueError(
            f"{name} must hold at least {min_count} images to match to their mean, got {len(items)}"
            if min_count > 1
            else f"{name} is empty"
        )
    for i, image in enumerate(items):
        check_image(image, f"{name}[{i}]")
        if image.shape != items[0].shape:
            raise ImageShapeError(
                f"{name}[{i}] has shape {image.shape} but {name}[0] has {items[0].shape}: "
                "every image of a set must have the same size (crop or align them first; "
                "PyFAME does not stretch faces)"
            )
    return items


def check_mask_set(masks: Any, images: list[np.ndarray], name: str = "masks") -> list[np.ndarray]:
    """One float32 mask per image: ``None`` (whole images), one array shared, or a sequence.

    Examples
    --------
    >>> ims = [np.zeros((2, 2), np.uint8)] * 2
    >>> len(check_mask_set(None, ims)), check_mask_set([None, np.zeros((2, 2))], ims)[1].sum()
    (2, np.float32(0.0))
    """
    shape = images[0].shape[:2]
    if masks is None or isinstance(masks, np.ndarray):
        shared = check_mask(masks, shape, name)
        return [shared] * len(images)
    if not isinstance(masks, Sequence):
        raise PyfameTypeError(
            f"{name} must be None, one array or a list of arrays, got {type(masks).__name__}"
        )
    if len(masks) != len(images):
        raise PyfameValueError(f"{name} must hold one mask per image ({len(images)}), got {len(masks)}")
    return [check_mask(m, shape, f"{name}[{i}]") for i, m in enumerate(masks)]


def _check_not_empty(weights: list[np.ndarray], name: str, threshold: float = 0.0) -> None:
    for i, w in enumerate(weights):
        if not ((w >= threshold).any() if threshold > 0 else (w > 0).any()):
            what = "no weight" if threshold == 0 else f"no pixel of weight >= {threshold}"
            raise PyfameValueError(f"{name}[{i}] is empty ({what})")


def _check_target(
    target: Any, steps: list[str], shape: tuple[int, ...], target_mask: Any
) -> tuple[dict[str, Any] | None, np.ndarray | None, np.ndarray | None]:
    """(numbers, reference image, reference mask); at most one of the first two is set."""
    if target is None:
        if target_mask is not None:
            raise PyfameValueError("target_mask is given but target is not a reference image")
        return None, None, None
    if isinstance(target, np.ndarray):
        check_image(target, "target")
        if target.shape[:2] != shape[:2]:
            raise ImageShapeError(
                f"target (a reference image) has shape {target.shape}, the images {shape}: "
                "the reference must have the images' size"
            )
        ref_mask = check_mask(target_mask, target.shape, "target_mask")
        _check_not_empty([ref_mask], "target_mask")
        return None, target, ref_mask
    if not isinstance(target, Mapping):
        raise PyfameTypeError(
            "target must be None (the set's mean), a mapping of numbers or a reference image, "
            f"got {type(target).__name__}"
        )
    numbers: dict[str, Any] = {}
    for step in steps:
        for key in TARGET_KEYS[step]:
            if key not in target:
                raise PyfameValueError(
                    f"target must hold {list(TARGET_KEYS[step])} for {step!r} matching; "
                    f"missing {key!r}"
                )
    h, w = int(shape[0]), int(shape[1])
    n_bins = int(radial_bins((h, w)).max()) + 1
    for key, value in target.items():
        if key in ("mean", "sd"):
            if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
                raise PyfameTypeError(f"target[{key!r}] must be a number, got {type(value).__name__}")
            v = float(value)
            if not np.isfinite(v) or (key == "sd" and v < 0):
                raise PyfameValueError(f"target[{key!r}] must be finite{' and >= 0' if key == 'sd' else ''}, got {value!r}")
            numbers[key] = v
        elif key == "histogram":
            hist = np.asarray(value, np.float64)
            if hist.shape != (256,) or not np.isfinite(hist).all() or (hist < 0).any() or hist.sum() <= 0:
                raise PyfameValueError(
                    "target['histogram'] must be 256 non-negative counts or proportions, not all 0"
                )
            numbers[key] = hist / hist.sum()
        elif key == "sf":
            sf = np.asarray(value, np.float64)
            if sf.shape != (n_bins,) or not np.isfinite(sf).all() or (sf < 0).any():
                raise PyfameValueError(
                    f"target['sf'] must be {n_bins} non-negative amplitudes (one per radial bin of "
                    f"a {h}x{w} image), got shape {sf.shape}"
                )
            numbers[key] = sf
        elif key == "spectrum":
            spec = np.asarray(value, np.float32)
            if spec.shape != (h, w) or not np.isfinite(spec).all() or (spec < 0).any():
                raise PyfameValueError(
                    f"target['spectrum'] must be a non-negative ({h}, {w}) amplitude spectrum, "
                    f"got shape {spec.shape}"
                )
            numbers[key] = spec
        else:
            raise PyfameValueError(
                f"target has an unknown key {key!r}; known: mean, sd, histogram, sf, spectrum"
            )
    return numbers, None, None


# ----------------------------------------------------------------------------- statistics


def quantised_histogram(lum: np.ndarray, weights: np.ndarray, space: str = "lab") -> np.ndarray:
    """Pixel counts (float64 ``(256,)``) of the quantised luminance over the pixels of weight
    >= 0.5 (the histogram's pixel set).

    Examples
    --------
    >>> from pyfame.stimulus_control.luminance import luminance_levels
    >>> lum = luminance_levels()[[3, 3, 7, 9]].reshape(2, 2)
    >>> h = quantised_histogram(lum, np.array([[1, 1], [1, 0.2]], np.float32))
    >>> h[3], h[7], h[9]
    (np.float64(2.0), np.float64(1.0), np.float64(0.0))
    """
    support = weights >= HISTOGRAM_SUPPORT
    return np.bincount(quantise_luminance(lum[support], space), minlength=256).astype(np.float64)


def _rotational(lum: np.ndarray, weights: np.ndarray) -> np.ndarray:
    x, _ = windowed(lum, weights)
    return rotational_average(np.abs(np.fft.fft2(x)))


def _amplitude(lum: np.ndarray, weights: np.ndarray) -> np.ndarray:
    x, _ = windowed(lum, weights)
    return np.abs(np.fft.fft2(x)).astype(np.float32)


def set_statistics(
    lums: list[np.ndarray], weights: list[np.ndarray], steps: list[str], space: str
) -> dict[str, Any]:
    """The set's mean of each statistic the steps need (the default target).

    Examples
    --------
    >>> lums = [np.full((4, 4), 40.0, np.float32), np.full((4, 4), 60.0, np.float32)]
    >>> set_statistics(lums, [np.ones((4, 4), np.float32)] * 2, ["luminance"], "lab")
    {'mean': 50.0, 'sd': 0.0}
    """
    out: dict[str, Any] = {}
    for step in steps:
        if step == "luminance":
            stats = [weighted_mean_sd(lum, w) for lum, w in zip(lums, weights)]
            out["mean"] = float(np.mean([s[0] for s in stats]))
            out["sd"] = float(np.mean([s[1] for s in stats]))
        elif step == "histogram":
            hists = [quantised_histogram(lum, w, space) for lum, w in zip(lums, weights)]
            out["histogram"] = np.mean([h / h.sum() for h in hists], axis=0)
        elif step == "sf":
            out["sf"] = np.mean([_rotational(lum, w) for lum, w in zip(lums, weights)], axis=0)
        elif step == "spectrum":
            total = np.zeros(lums[0].shape, np.float64)
            for lum, w in zip(lums, weights):
                total += _amplitude(lum, w)
            out["spectrum"] = (total / len(lums)).astype(np.float32)
    return out


# ----------------------------------------------------------------------------- steps


def largest_remainder_counts(proportions: np.ndarray, n: int) -> np.ndarray:
    """Integer counts summing to ``n``, each within 1 of ``n * proportion``.

    The floor of every share, then one more pixel to the largest fractional remainders (ties
    to the lower index).

    Examples
    --------
    >>> largest_remainder_counts(np.array([1, 1, 1]) / 3, 10).tolist()
    [4, 3, 3]
    """
    exact = np.asarray(proportions, np.float64) * n
    counts = np.floor(exact).astype(np.int64)
    short = int(n - counts.sum())
    if short > 0:
        order = np.lexsort((np.arange(len(exact)), -(exact - counts)))
        counts[order[:short]] += 1
    return counts


def coltuc_order(lum: np.ndarray, support: np.ndarray) -> np.ndarray:
    """Flat indices of the support's pixels, ranked from darkest to lightest.

    Keys, in priority: the luminance, then its means over the 3x3 cross, 3x3 square, 5x5
    diamond, 5x5 without corners and 5x5 square (Coltuc, Bolon & Chassery 2006; reflected at
    the image border), then raster order.

    Examples
    --------
    >>> lum = np.array([[5, 5, 5], [5, 5, 9], [0, 5, 5]], np.float32)
    >>> coltuc_order(lum, np.ones((3, 3), bool))[:2].tolist()
    [6, 3]
    """
    lum = np.ascontiguousarray(lum, np.float32)
    flat = np.flatnonzero(support)
    keys = [lum.ravel()[flat]]
    for kernel in _KERNELS:
        local = cv2.filter2D(lum, cv2.CV_32F, kernel, borderType=cv2.BORDER_REFLECT_101)
        keys.append(local.ravel()[flat])
    order = np.lexsort(tuple(reversed(keys)))  # np.lexsort: the last key is the primary one
    return flat[order]


def specify_histogram(
    lum: np.ndarray, weights: np.ndarray, proportions: np.ndarray, space: str = "lab"
) -> tuple[np.ndarray, np.ndarray]:
    """Exact histogram specification: ``(new luminance, assigned level per pixel)``.

    The pixels of weight >= 0.5 get level values so that their quantised histogram is
    :func:`largest_remainder_counts` of ``proportions``; the others keep their luminance (their
    assigned level is -1).

    Examples
    --------
    >>> lum = np.arange(16, dtype=np.float32).reshape(4, 4) * 5
    >>> new, levels = specify_histogram(lum, np.ones((4, 4), np.float32), np.eye(256)[10] * 0.5 + np.eye(256)[200] * 0.5)
    >>> np.bincount(levels.ravel(), minlength=256)[[10, 200]].tolist()
    [8, 8]
    """
    support = weights >= HISTOGRAM_SUPPORT
    order = coltuc_order(lum, support)
    counts = largest_remainder_counts(proportions, len(order))
    assigned = np.full(lum.size, -1, np.int16)
    assigned[order] = np.repeat(np.arange(256, dtype=np.int16), counts)
    assigned = assigned.reshape(lum.shape)
    new = np.array(lum, np.float32, copy=True)
    new[support] = luminance_levels(space)[assigned[support]]
    return new, assigned


def spectral_error(lum: np.ndarray, weights: np.ndarray, target: np.ndarray, kind: str) -> float:
    """How far a luminance's spectrum is from a target, as a relative RMS difference.

    ``kind="sf"``: RMS over the radial bins from 1 of ``rot / target - 1`` (the DC bin left
    out); ``kind="spectrum"``: ``||A - T|| / ||T||`` over every frequency but the DC, with
    ``target`` the full ``(H, W)`` amplitude. Spectra of the mask-windowed luminance.

    Examples
    --------
    >>> lum = np.random.default_rng(3).normal(50, 9, (16, 16)).astype(np.float32)
    >>> w = np.ones((16, 16), np.float32)
    >>> x = (lum - lum.mean()) * w
    >>> spectral_error(lum, w, np.abs(np.fft.fft2(x)), "spectrum") < 1e-5
    True
    """
    shape = lum.shape
    x, _ = windowed(lum, weights)
    amp = np.abs(half_spectrum(x))
    return _error(amp, _half_target(target, kind, shape), kind, shape)


def _half_target(target: np.ndarray, kind: str, shape: tuple[int, ...]) -> np.ndarray:
    if kind == "sf":
        return np.asarray(target, np.float64)
    return np.ascontiguousarray(np.asarray(target, np.float32)[:, : shape[1] // 2 + 1])


def _error(amp: np.ndarray, target: np.ndarray, kind: str, shape: tuple[int, ...]) -> float:
    if kind == "sf":
        rot = half_rotational_average(amp, shape)  # type: ignore[arg-type]
        keep = target[1:] > 0
        ratio = rot[1:][keep] / target[1:][keep]
        return float(np.sqrt(np.mean((ratio - 1.0) ** 2))) if keep.any() else 0.0
    cell = _half_cells(shape)
    diff = (amp.astype(np.float64) - target) ** 2 * cell
    norm = target.astype(np.float64) ** 2 * cell
    diff[0, 0] = norm[0, 0] = 0.0
    total = float(norm.sum())
    return float(np.sqrt(diff.sum() / total)) if total > 0 else 0.0


def _half_cells(shape: tuple[int, ...]) -> np.ndarray:
    w = int(shape[1])
    cell = np.full(w // 2 + 1, 2.0)
    cell[0] = 1.0
    if w % 2 == 0:
        cell[-1] = 1.0
    return cell[None, :]


def _spectral_step(
    lum: np.ndarray, weights: np.ndarray, target: np.ndarray, kind: str
) -> np.ndarray:
    """Up to :data:`SPECTRAL_PASSES` passes of: window, set the amplitude (phases kept), write
    the change back through the mask; the best pass is kept."""
    shape = lum.shape
    goal = _half_target(target, kind, shape)
    bins = half_radial_bins(shape)  # type: ignore[arg-type]
    best: tuple[float, np.ndarray] | None = None
    for _ in range(SPECTRAL_PASSES + 1):
        x, _ = windowed(lum, weights)
        spectrum = half_spectrum(x)
        amp = np.abs(spectrum)
        err = _error(amp, goal, kind, shape)
        if best is not None and err >= best[0] * (1.0 - SPECTRAL_MIN_GAIN):
            break  # no longer worth a pass (or worse: the best so far is kept)
        best = (err, lum)
        if err <= SPECTRAL_TOLERANCE:
            break
        if kind == "sf":
            rot = half_rotational_average(amp, shape)  # type: ignore[arg-type]
            gain = np.divide(goal, rot, out=np.ones_like(rot), where=rot > 0)
            gain[0] = 1.0
            new_spectrum = spectrum * gain[bins].astype(np.float32)
        else:  # the target amplitude with the current phase
            new_spectrum = spectrum * (goal / np.maximum(amp, np.float32(1e-12)))
            new_spectrum[0, 0] = spectrum[0, 0]
        new = np.fft.irfft2(new_spectrum, s=shape).astype(np.float32)
        lum = lum + weights * (new - x)
    return best[1]  # type: ignore[index]


def _repair_levels(
    out: np.ndarray, assigned: np.ndarray, chroma: np.ndarray, space: str
) -> tuple[np.ndarray, int]:
    """Give every pixel of the histogram's set its assigned level in the 8-bit image.

    A colour pixel whose rounded RGB falls on another level moves to the 8-bit colour within
    +-1 per channel (else +-2) that has the assigned level, nearest in chroma and luminance. One with
    none there (its colour is outside the gamut at that luminance, so it was clipped) moves
    along the line to the grey of its level, as little as reaches the level: the grey itself
    always does. Returns the image and the number of pixels so desaturated.
    """
    support = assigned >= 0
    out = out.copy()
    if out.ndim == 2:  # grey: level k is grey k
        out[support] = assigned[support].astype(np.uint8)
        return out, 0
    levels_now = quantise_luminance(luminance(out, space), space)
    bad = support & (levels_now.astype(np.int16) != assigned)
    if not bad.any():
        return out, 0
    want = assigned[bad].astype(np.int64)
    rgb = out[bad].astype(np.int16)
    # 1. the nearest 8-bit colour with the level: +-1 per channel first, then +-2 for the rest
    fixed = rgb.astype(np.uint8)
    found = np.zeros(len(want), bool)
    for reach in (1, 2):
        todo = np.flatnonzero(~found)
        if not todo.size:
            break
        steps = np.arange(-reach, reach + 1)
        deltas = np.stack(np.meshgrid(steps, steps, steps, indexing="ij"), axis=-1).reshape(-1, 3)
        candidates = np.clip(rgb[todo][:, None, :] + deltas[None, :, :], 0, 255).astype(np.uint8)
        cand_lum, cand_chroma = split_luminance(candidates, space)
        ok = quantise_luminance(cand_lum, space).astype(np.int64) == want[todo][:, None]
        cost = ((cand_chroma - chroma[bad][todo][:, None, :]) ** 2).sum(axis=2)
        cost += (cand_lum - luminance_levels(space)[want[todo]][:, None]) ** 2
        cost[~ok] = np.inf
        best = np.argmin(cost, axis=1)
        rows = np.arange(len(todo))
        hit = np.isfinite(cost[rows, best])
        fixed[todo[hit]] = candidates[rows[hit], best[hit]]
        found[todo[hit]] = True
    # 2. out of gamut: toward the level's grey, as little as needed (t = 1 is the grey)
    if not found.all():
        lost = ~found
        t = np.linspace(0.0, 1.0, 33, dtype=np.float32)[None, :, None]
        grey = want[lost].astype(np.float32)[:, None, None]
        toward = np.rint(rgb[lost].astype(np.float32)[:, None, :] * (1 - t) + grey * t).astype(np.uint8)
        reached = quantise_luminance(luminance(toward, space), space).astype(np.int64) == want[lost][:, None]
        reached[:, -1] = True
        fixed[lost] = toward[np.arange(int(lost.sum())), np.argmax(reached, axis=1)]
    out[bad] = fixed
    return out, int((~found).sum())


# ----------------------------------------------------------------------------- the function


def match_statistics(
    images: Sequence[np.ndarray],
    masks: np.ndarray | Sequence[np.ndarray | None] | None = None,
    method: str = "luminance",
    target: Mapping[str, Any] | np.ndarray | None = None,
    target_mask: np.ndarray | None = None,
    iterations: int = 1,
    space: str = "lab",
) -> MatchResult:
    """Equate a luminance statistic of a set of images inside their masks (see the module).

    Parameters
    ----------
    images : sequence of numpy.ndarray
        uint8 RGB ``(H, W, 3)`` or grey ``(H, W)``, all of one shape (the faces' boxes, cropped
        or aligned to one size: images of different sizes are refused, never stretched). At
        least two unless ``target`` is given.
    masks : array, sequence of arrays, or None
        float32 weights in [0, 1] ``(H, W)``: one per image, one shared, or ``None`` for whole
        images.
    method : str
        One of :data:`METHODS`.
    target : None, mapping or numpy.ndarray
        ``None``: the set's mean; a mapping of numbers (keys per :data:`TARGET_KEYS`); or a
        reference uint8 image of the same size.
    target_mask : numpy.ndarray, optional
        The reference image's mask.
    iterations : int
        Passes of the method's steps (SHINE's alternation for combinations).
    space : {"lab", "luma"}
        The luminance (see :mod:`pyfame.stimulus_control.luminance`).

    Returns
    -------
    MatchResult

    Raises
    ------
    PyfameValueError, ImageShapeError, PyfameTypeError
        Before any work, naming the parameter: a set of one image with no target, images of
        different sizes, masks of the wrong shape or empty, an unknown method, a target
        missing a statistic.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> ims = [rng.integers(0, 256, (16, 16), dtype=np.uint8) // k for k in (1, 2, 3)]
    >>> res = match_statistics(ims, method="histogram")
    >>> hists = [np.bincount(im.ravel(), minlength=256) for im in res.images]
    >>> all((h == hists[0]).all() for h in hists), hists[0][:3].tolist()
    (True, [2, 3, 3])
    """
    space = check_space(space)
    method = check_choice(method, "method", {m: m for m in METHODS})
    iterations = check_int(iterations, "iterations", low=1)
    steps = method.split("+")
    items = check_image_set(images, "images", min_count=1 if target is not None else 2)
    weights = check_mask_set(masks, items)
    _check_not_empty(weights, "masks", HISTOGRAM_SUPPORT if "histogram" in steps else 0.0)
    numbers, reference, reference_mask = _check_target(target, steps, items[0].shape, target_mask)
    if "histogram" in steps and reference_mask is not None:
        _check_not_empty([reference_mask], "target_mask", HISTOGRAM_SUPPORT)

    # ---- work starts here
    split = [split_luminance(im, space) for im in items]
    original = [lum for lum, _ in split]
    if numbers is not None:
        goal = numbers
    elif reference is not None:
        goal = set_statistics([luminance(reference, space)], [reference_mask], steps, space)  # type: ignore[list-item]
    else:
        goal = set_statistics(original, weights, steps, space)

    lums = [lum.copy() for lum in original]
    assigned: list[np.ndarray | None] = [None] * len(items)
    for _ in range(iterations):
        for step in steps:
            for i, (lum, w) in enumerate(zip(lums, weights)):
                if step == "luminance":
                    a, b = solve_gain_offset(original[i], lum, w, goal["mean"], goal["sd"])
                    lums[i] = apply_gain_offset(original[i], lum, w, a, b)
                elif step == "histogram":
                    lums[i], assigned[i] = specify_histogram(lum, w, goal["histogram"], space)
                else:
                    lums[i] = _spectral_step(lum, w, goal[step], step)

    outputs: list[np.ndarray] = []
    desaturated: list[int] = []
    last = steps[-1]
    for i, image in enumerate(items):
        chroma = split[i][1]
        w = weights[i]
        if steps == ["histogram"]:  # only the histogram's pixels change
            w = (w >= HISTOGRAM_SUPPORT).astype(np.float32)
        if last == "luminance":
            out = compose_with_statistics(image, original[i], original[i], chroma, w, goal["mean"], goal["sd"], space)
            missed = 0
        else:
            out = compose(image, lums[i], chroma, w, space)
            missed = 0
            if last == "histogram":
                out, missed = _repair_levels(out, assigned[i], chroma, space)  # type: ignore[arg-type]
        outputs.append(out)
        desaturated.append(missed)
    return MatchResult(outputs, method, space, iterations, dict(goal), desaturated)


__all__ = [
    "HISTOGRAM_SUPPORT",
    "METHODS",
    "MatchResult",
    "TARGET_KEYS",
    "check_image_set",
    "check_mask_set",
    "coltuc_order",
    "largest_remainder_counts",
    "match_statistics",
    "quantised_histogram",
    "set_statistics",
    "spectral_error",
    "specify_histogram",
]
