"""Luminance as a documented quantity, and how to read and write it inside a soft mask.

Two luminance spaces are offered; every function of :mod:`pyfame.stimulus_control` takes
``space=`` and uses the same definitions:

``"lab"`` (default): CIELAB lightness L*, 0 (black) to 100 (white), exactly as OpenCV's
    ``cv2.COLOR_RGB2Lab`` computes it on float32 RGB scaled to [0, 1] (sRGB companding, D65
    white). The chroma is the pair (a*, b*).
``"luma"``: Rec. 601 luma Y' = 0.299 R' + 0.587 G' + 0.114 B' on the 8-bit scale (0-255),
    as OpenCV's ``cv2.COLOR_RGB2YCrCb``; the chroma is (Cr, Cb).

Changing luminance keeps the pixel's chroma and converts back to 8-bit RGB (rounded to the
nearest level, clipped to 0-255; a very light or dark target with strong chroma can leave the
sRGB gamut, and clipping then moves the pixel's luminance a little: the matching functions
measure the 8-bit result and correct for it where they can).

Masks are float32 weights in [0, 1] over the image. "Inside the mask" statistics are weighted
by the mask, a changed luminance is blended with the weight (``L + w (L_new - L)``), and a
pixel of weight 0 is copied bit for bit from the input (a Lab round trip alone can move an
8-bit value by one level, so untouched pixels are never converted).

Quantised luminance: 256 levels, level ``k`` being the luminance of the 8-bit grey ``(k, k, k)``
in the space (:func:`luminance_levels`); a luminance is quantised to the nearest level. So a
grey image's quantised luminance is its grey value, and "exact" histogram statements are made
on these levels.

Examples
--------
>>> import numpy as np
>>> grey = np.full((2, 2, 3), 128, np.uint8)
>>> round(float(luminance(grey)[0, 0]), 2)
53.58
>>> int(quantise_luminance(luminance(grey))[0, 0])
128
>>> out = set_luminance(grey, np.full((2, 2), 60.0, np.float32), mask=np.eye(2, dtype=np.float32))
>>> out[0, 1].tolist(), int(quantise_luminance(luminance(out))[0, 0])
([128, 128, 128], 145)
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import cv2
import numpy as np

from pyfame.errors import ImageShapeError, PyfameTypeError, PyfameValueError
from pyfame.validation import check_choice

#: Luminance spaces, by name.
SPACES: dict[str, str] = {"lab": "lab", "luma": "luma"}
#: Unit of each space's luminance, for tables and plots.
UNITS: dict[str, str] = {"lab": "L*", "luma": "Y' (0-255)"}
#: Full range of each space's luminance (for SSIM's data range, and plots).
RANGES: dict[str, float] = {"lab": 100.0, "luma": 255.0}


def check_space(space: Any, name: str = "space") -> str:
    """``"lab"`` or ``"luma"`` (case-insensitive); a typed error naming ``name`` otherwise.

    Examples
    --------
    >>> check_space("LAB")
    'lab'
    """
    return check_choice(space, name, SPACES)


def check_image(image: Any, name: str = "image") -> np.ndarray:
    """An 8-bit RGB ``(H, W, 3)`` or grey ``(H, W)`` image, not empty; returned unchanged.

    Examples
    --------
    >>> check_image(np.zeros((4, 4), np.float32))
    Traceback (most recent call last):
    ...
    pyfame.errors.ImageShapeError: image must be uint8 (H, W, 3) RGB or (H, W) grey, got float32 (4, 4)
    """
    if not isinstance(image, np.ndarray):
        raise PyfameTypeError(f"{name} must be a numpy array, got {type(image).__name__}")
    ok_shape = image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 3)
    if image.dtype != np.uint8 or not ok_shape:
        raise ImageShapeError(
            f"{name} must be uint8 (H, W, 3) RGB or (H, W) grey, got {image.dtype} {image.shape}"
        )
    if image.shape[0] < 1 or image.shape[1] < 1:
        raise ImageShapeError(f"{name} is empty, shape {image.shape}")
    return image


def check_mask(mask: Any, shape: tuple[int, ...], name: str = "mask") -> np.ndarray:
    """A mask of weights in [0, 1] with the image's ``(H, W)``, as C-contiguous float32.

    ``None`` means the whole image (all ones). Booleans and uint8 0/1 are accepted; a uint8
    mask with values above 1 is read as 0-255 coverage (as OpenCV draws it).

    Examples
    --------
    >>> check_mask(None, (2, 3)).tolist()
    [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]
    >>> check_mask(np.full((2, 2), 2.0), (2, 2))
    Traceback (most recent call last):
    ...
    pyfame.errors.PyfameValueError: mask must hold weights in [0, 1], got values from 2.0 to 2.0
    """
    h, w = int(shape[0]), int(shape[1])
    if mask is None:
        return np.ones((h, w), np.float32)
    if not isinstance(mask, np.ndarray):
        raise PyfameTypeError(f"{name} must be a numpy array or None, got {type(mask).__name__}")
    if mask.shape != (h, w):
        raise ImageShapeError(f"{name} must have the image's shape {(h, w)}, got {mask.shape}")
    if mask.dtype == np.bool_:
        return mask.astype(np.float32)
    if mask.dtype == np.uint8:
        scale = 1.0 / 255.0 if int(mask.max(initial=0)) > 1 else 1.0
        return mask.astype(np.float32) * np.float32(scale)
    if not np.issubdtype(mask.dtype, np.floating):
        raise PyfameTypeError(f"{name} must be float, bool or uint8, got {mask.dtype}")
    out = np.ascontiguousarray(mask, dtype=np.float32)
    if not np.isfinite(out).all() or out.min(initial=0.0) < 0.0 or out.max(initial=0.0) > 1.0:
        lo, hi = float(np.nanmin(out)), float(np.nanmax(out))
        raise PyfameValueError(f"{name} must hold weights in [0, 1], got values from {lo} to {hi}")
    return out


def _as_rgb(image: np.ndarray) -> np.ndarray:
    return image if image.ndim == 3 else np.repeat(image[..., None], 3, axis=2)


def split_luminance(image: np.ndarray, space: str = "lab") -> tuple[np.ndarray, np.ndarray]:
    """Luminance ``(H, W)`` and chroma ``(H, W, 2)`` of an 8-bit image, both float32.

    Parameters
    ----------
    image : numpy.ndarray
        uint8 RGB ``(H, W, 3)`` or grey ``(H, W)``.
    space : {"lab", "luma"}
        L* with (a*, b*), or Rec. 601 Y' (0-255) with (Cr, Cb).

    Examples
    --------
    >>> lum, chroma = split_luminance(np.full((1, 1, 3), 255, np.uint8))
    >>> round(float(lum[0, 0]), 3), chroma.shape
    (100.0, (1, 1, 2))
    """
    space = check_space(space)
    rgb = _as_rgb(check_image(image)).astype(np.float32)
    rgb *= np.float32(1.0 / 255.0)
    if space == "lab":
        lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2Lab)
        return np.ascontiguousarray(lab[..., 0]), np.ascontiguousarray(lab[..., 1:])
    ycc = cv2.cvtColor(rgb, cv2.COLOR_RGB2YCrCb)
    lum = ycc[..., 0] * np.float32(255.0)
    return np.ascontiguousarray(lum), np.ascontiguousarray(ycc[..., 1:])


def join_luminance(lum: np.ndarray, chroma: np.ndarray, space: str = "lab") -> np.ndarray:
    """8-bit RGB ``(H, W, 3)`` from luminance and chroma (rounded, clipped to 0-255).

    Examples
    --------
    >>> lum, chroma = split_luminance(np.full((1, 1, 3), 200, np.uint8))
    >>> join_luminance(lum, chroma)[0, 0].tolist()
    [200, 200, 200]
    """
    space = check_space(space)
    stack = np.empty(lum.shape + (3,), np.float32)
    if space == "lab":
        stack[..., 0] = lum
        stack[..., 1:] = chroma
        rgb = cv2.cvtColor(stack, cv2.COLOR_Lab2RGB)
    else:
        stack[..., 0] = lum * np.float32(1.0 / 255.0)
        stack[..., 1:] = chroma
        rgb = cv2.cvtColor(stack, cv2.COLOR_YCrCb2RGB)
    rgb *= np.float32(255.0)
    np.rint(rgb, out=rgb)
    np.clip(rgb, 0.0, 255.0, out=rgb)
    return rgb.astype(np.uint8)


def luminance(image: np.ndarray, space: str = "lab") -> np.ndarray:
    """Luminance of an 8-bit image in ``space``, float32 ``(H, W)``.

    Examples
    --------
    >>> float(luminance(np.zeros((2, 2), np.uint8))[0, 0])
    0.0
    """
    return split_luminance(image, space)[0]


def set_luminance(
    image: np.ndarray, lum: np.ndarray, mask: np.ndarray | None = None, space: str = "lab"
) -> np.ndarray:
    """The image with its luminance set to ``lum`` inside the mask, chroma kept.

    A pixel of weight ``w`` gets luminance ``L + w (lum - L)``; a pixel of weight 0 is copied
    bit for bit. A grey ``(H, W)`` image gives a grey image (its chroma is taken as exactly
    neutral).

    Parameters
    ----------
    image : numpy.ndarray
        uint8 RGB ``(H, W, 3)`` or grey ``(H, W)``.
    lum : numpy.ndarray
        float ``(H, W)`` target luminance in the space's unit.
    mask : numpy.ndarray, optional
        float32 ``(H, W)`` weights in [0, 1]; ``None`` for the whole image.
    space : {"lab", "luma"}

    Examples
    --------
    >>> image = np.full((1, 2, 3), (180, 60, 40), np.uint8)
    >>> out = set_luminance(image, np.array([[30.0, 30.0]]), np.array([[1.0, 0.0]], np.float32))
    >>> round(float(luminance(out)[0, 0]), 1), out[0, 1].tolist()
    (30.1, [180, 60, 40])
    """
    space = check_space(space)
    check_image(image)
    weights = check_mask(mask, image.shape)
    lum = np.asarray(lum, dtype=np.float32)
    if lum.shape != image.shape[:2]:
        raise ImageShapeError(f"lum must have the image's shape {image.shape[:2]}, got {lum.shape}")
    current, chroma = split_luminance(image, space)
    blended = current + weights * (lum - current)
    return compose(image, blended, chroma, weights, space)


def compose(
    image: np.ndarray, lum: np.ndarray, chroma: np.ndarray, weights: np.ndarray, space: str = "lab"
) -> np.ndarray:
    """8-bit image from a new luminance and the input's chroma, with every pixel of weight 0
    copied from ``image`` bit for bit; the same ndim as ``image``.

    This is the one place where stimulus-control functions go back to 8 bits.

    Examples
    --------
    >>> image = np.array([[10, 20]], np.uint8)
    >>> lum, chroma = split_luminance(image)
    >>> compose(image, lum + 20, chroma, np.array([[1.0, 0.0]], np.float32)).tolist()
    [[54, 20]]
    """
    if image.ndim == 2:
        chroma = np.zeros_like(chroma) if space == "lab" else np.full_like(chroma, 0.5)
        rgb = join_luminance(lum, chroma, space)
        # neutral chroma: the three channels agree to within OpenCV's rounding; their mean
        # is the grey level
        joined = np.rint(rgb.astype(np.float32).mean(axis=2)).astype(np.uint8)
    else:
        joined = join_luminance(lum, chroma, space)
    untouched = weights <= 0.0
    if untouched.any():
        np.copyto(joined, image, where=untouched if image.ndim == 2 else untouched[..., None])
    return joined


@lru_cache(maxsize=2)
def _levels(space: str) -> np.ndarray:
    ramp = np.repeat(np.arange(256, dtype=np.uint8)[None, :], 3, axis=0)[..., None].repeat(3, axis=2)
    levels = split_luminance(ramp, space)[0][0].astype(np.float32)
    levels.setflags(write=False)
    return levels


def luminance_levels(space: str = "lab") -> np.ndarray:
    """The 256 quantisation levels: level ``k`` is the luminance of the grey ``(k, k, k)``.

    Strictly increasing float32 ``(256,)``; read-only.

    Examples
    --------
    >>> lv = luminance_levels("lab"); float(lv[0]), round(float(lv[255]), 3)
    (0.0, 100.0)
    >>> luminance_levels("luma")[:3].tolist()
    [0.0, 1.0, 2.0]
    """
    return _levels(check_space(space))


def quantise_luminance(lum: np.ndarray, space: str = "lab") -> np.ndarray:
    """Nearest quantisation level (0-255, uint8) of each luminance value.

    Examples
    --------
    >>> quantise_luminance(np.array([0.0, 0.1, 0.2, 99.9, 120.0])).tolist()
    [0, 0, 1, 255, 255]
    """
    levels = luminance_levels(space)
    midpoints = (levels[1:] + levels[:-1]) * np.float32(0.5)
    return np.searchsorted(midpoints, np.asarray(lum, np.float32), side="right").astype(np.uint8)


def weighted_mean_sd(values: np.ndarray, weights: np.ndarray) -> tuple[float, float]:
    """Mean and (population) standard deviation of ``values`` weighted by ``weights``.

    Computed in float64. Raises :class:`~pyfame.errors.PyfameValueError` when the weights sum
    to zero.

    Examples
    --------
    >>> weighted_mean_sd(np.array([1.0, 3.0, 100.0]), np.array([1.0, 1.0, 0.0]))
    (2.0, 1.0)
    """
    w = np.asarray(weights, np.float32)
    total = float(np.add.reduce(w, axis=None, dtype=np.float64))
    if not total > 0.0:
        raise PyfameValueError("mask: the mask is empty (its weights sum to 0)")
    v = np.asarray(values, np.float32)
    mean = float(np.add.reduce(v * w, axis=None, dtype=np.float64)) / total
    d = v - np.float32(mean)
    d *= d
    d *= w
    var = float(np.add.reduce(d, axis=None, dtype=np.float64)) / total
    return mean, math.sqrt(max(var, 0.0))


def blend_moments(base: np.ndarray, source: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The sums :func:`solve_from_moments` needs, float64 ``(10,)``; they add over frames.

    With ``X = (1 - w) base``, ``Y = w source``, ``Z = w``: ``[sum w, sum wX, sum wY, sum wZ,
    sum wXX, sum wXY, sum wXZ, sum wYY, sum wYZ, sum wZZ]``. The blend
    ``base + w (a source + b - base)`` is ``X + aY + bZ``, so the weighted mean and variance of
    any blend follow from these sums, and the sums of several frames are the sums of a clip.

    Examples
    --------
    >>> blend_moments(np.array([2.0]), np.array([2.0]), np.array([1.0])).tolist()
    [1.0, 0.0, 2.0, 1.0, 0.0, 0.0, 0.0, 4.0, 2.0, 1.0]
    """
    w = np.asarray(weights, np.float32).ravel()
    b = np.asarray(base, np.float32).ravel()
    src = np.asarray(source, np.float32).ravel()
    x = (1.0 - w) * b
    y = w * src
    wx, wy = w * x, w * y

    def total(v: np.ndarray) -> float:
        return float(np.add.reduce(v, dtype=np.float64))

    def dot(u: np.ndarray, v: np.ndarray) -> float:
        return float(np.add.reduce(u * v, dtype=np.float64))

    sw = total(w)
    sww = dot(w, w)
    return np.array([
        sw, total(wx), total(wy), sww,
        dot(wx, x), dot(wx, y), dot(wx, w),
        dot(wy, y), dot(wy, w), dot(w * w, w),
    ])


def solve_from_moments(moments: np.ndarray, mean: float, sd: float | None = None) -> tuple[float, float]:
    """Gain and offset of :func:`solve_gain_offset` from :func:`blend_moments` sums.

    Examples
    --------
    >>> m = blend_moments(np.array([0.0, 2.0]), np.array([0.0, 2.0]), np.ones(2))
    >>> solve_from_moments(m, mean=5.0, sd=2.0)
    (2.0, 3.0)
    """
    s0, sx, sy, sz, sxx, sxy, sxz, syy, syz, szz = (float(v) for v in moments)
    if not s0 > 0.0:
        raise PyfameValueError("mask: the mask is empty (its weights sum to 0)")
    mx, my, mz = sx / s0, sy / s0, sz / s0
    if sd is None:
        return 1.0, (mean - mx - my) / mz
    vxx, cxy, cxz = sxx / s0 - mx * mx, sxy / s0 - mx * my, sxz / s0 - mx * mz
    vyy, cyz, vzz = syy / s0 - my * my, syz / s0 - my * mz, szz / s0 - mz * mz
    # substitute b from the mean equation: L - mean = P + a Q, and Var(P + a Q) = sd^2
    c, d = (mean - mx) / mz, my / mz
    vpp = vxx + 2 * c * cxz + c * c * vzz
    cpq = cxy - d * cxz + c * cyz - c * d * vzz
    vqq = vyy - 2 * d * cyz + d * d * vzz
    if vqq <= 1e-12:  # a flat source: nothing to scale
        a = 1.0
    else:
        disc = cpq * cpq - vqq * (vpp - sd * sd)
        a = (-cpq + math.sqrt(disc)) / vqq if disc > 0.0 else -cpq / vqq
        a = max(a, 0.0)
    return a, (mean - mx - a * my) / mz


def solve_gain_offset(
    base: np.ndarray,
    source: np.ndarray,
    weights: np.ndarray,
    mean: float,
    sd: float | None = None,
) -> tuple[float, float]:
    """Gain ``a`` and offset ``b`` so that ``L = base + w (a * source + b - base)`` has the
    given weighted mean (and SD) in the mask: exact for soft masks, where the blend itself
    changes the statistics.

    With ``sd=None`` the gain is 1 and only the mean is set. When the SD cannot be reached
    (the pixels of partial weight keep too much of ``base``), the gain that comes closest is
    used. For a hard mask this is the familiar ``a = sd / sd(source)``,
    ``b = mean - a * mean(source)``.

    Examples
    --------
    >>> src = np.array([0.0, 2.0, 4.0]); w = np.ones(3)
    >>> a, b = solve_gain_offset(src, src, w, mean=10.0, sd=float(np.std(src)) * 2)
    >>> round(a, 9), round(b, 9)
    (2.0, 6.0)
    """
    return solve_from_moments(blend_moments(base, source, weights), mean, sd)


#: Corrections on the 8-bit result that :func:`compose_with_statistics` makes at most, and the
#: difference (in the space's unit) that stops them.
CORRECTIONS = 4
CORRECTION_TOLERANCE = 0.01


def compose_with_statistics(
    image: np.ndarray,
    base: np.ndarray,
    source: np.ndarray,
    chroma: np.ndarray,
    weights: np.ndarray,
    mean: float,
    sd: float | None = None,
    space: str = "lab",
) -> np.ndarray:
    """8-bit image whose luminance ``base + w (a * source + b - base)`` has the given weighted
    mean (and SD) *as re-measured from the 8-bit result*.

    The gain and offset are solved in floating point (:func:`solve_gain_offset`); then the
    8-bit image is measured and the request corrected by the miss (rounding, clipping and
    OpenCV's approximate conversions move a mean by ~0.05-0.1 L*, clipping more), by Broyden's
    method, up to :data:`CORRECTIONS` times or until within :data:`CORRECTION_TOLERANCE`
    (usually 1-3 rounds). The best image is returned: a target that clipping puts out of reach
    is approached, not met.

    Examples
    --------
    >>> img = np.random.default_rng(0).integers(0, 256, (32, 32, 3), dtype=np.uint8)
    >>> lum, chroma = split_luminance(img)
    >>> w = np.ones((32, 32), np.float32)
    >>> out = compose_with_statistics(img, lum, lum, chroma, w, mean=40.0, sd=10.0)
    >>> m, s = weighted_mean_sd(luminance(out), w); round(m, 2), round(s, 2)
    (40.0, 10.0)
    """
    goal = np.array([mean, 0.0 if sd is None else sd])
    want = goal.copy()
    jacobian = np.eye(2)
    previous: tuple[np.ndarray, np.ndarray] | None = None
    best: tuple[float, np.ndarray] | None = None
    moments = blend_moments(base, source, weights)
    for _ in range(CORRECTIONS + 1):
        a, b = solve_from_moments(moments, float(want[0]), None if sd is None else max(float(want[1]), 0.0))
        out = compose(image, apply_gain_offset(base, source, weights, a, b), chroma, weights, space)
        got = np.array(weighted_mean_sd(split_luminance(out, space)[0], weights))
        if sd is None:
            got[1] = 0.0
        error = float(np.abs(got - goal).max())
        if best is None or error < best[0]:
            best = (error, out)
        if error <= CORRECTION_TOLERANCE:
            break
        # Broyden's method on (asked mean, SD) -> (measured mean, SD): clipping makes the
        # 8-bit result follow a request only in part, and couples the mean and the SD
        if previous is not None:
            asked, moved = want - previous[0], got - previous[1]
            if asked @ asked > 1e-12:
                jacobian += np.outer(moved - jacobian @ asked, asked) / (asked @ asked)
        previous = (want.copy(), got)
        try:
            step = np.linalg.solve(jacobian, goal - got)
        except np.linalg.LinAlgError:
            step = goal - got
        if not np.isfinite(step).all() or np.abs(step).max() > 50.0:
            step = goal - got
        want = want + step
    return best[1]  # type: ignore[index]


def apply_gain_offset(
    base: np.ndarray, source: np.ndarray, weights: np.ndarray, gain: float, offset: float
) -> np.ndarray:
    """``base + w (gain * source + offset - base)`` as float32 (see :func:`solve_gain_offset`).

    Examples
    --------
    >>> apply_gain_offset(np.zeros(2), np.ones(2), np.array([1.0, 0.5]), 2.0, 1.0).tolist()
    [3.0, 1.5]
    """
    out = np.asarray(source, np.float32) * np.float32(gain) + np.float32(offset)
    out -= base
    out *= weights
    out += base
    return out.astype(np.float32, copy=False)


__all__ = [
    "RANGES",
    "SPACES",
    "UNITS",
    "apply_gain_offset",
    "blend_moments",
    "check_image",
    "check_mask",
    "check_space",
    "compose",
    "compose_with_statistics",
    "join_luminance",
    "luminance",
    "luminance_levels",
    "quantise_luminance",
    "set_luminance",
    "solve_from_moments",
    "solve_gain_offset",
    "split_luminance",
    "weighted_mean_sd",
]
