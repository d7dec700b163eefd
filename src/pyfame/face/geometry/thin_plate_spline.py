"""A smooth warp through the same points: the thin-plate spline (Bookstein, 1989).

The piecewise-affine warp (:mod:`pyfame.face.geometry.warp`) is exact and fast but only
continuous: its stretch changes from one triangle to the next, which can show as creases
where a warp is strong. The thin-plate spline is the smoothest map (least bending energy)
that takes every destination point exactly to its source point, so straight lines bend
gently instead of kinking. It is slower: it solves an ``(n + 3)``-square linear system and
evaluates ``n`` radial terms per sample.

Method: the inverse map ``f(p) = a + A p + sum_i w_i U(|p - d_i|)``, ``U(r) = r^2 log r^2``,
is fitted so that ``f(d_i) = s_i`` (destination to source, in coordinates scaled to the unit
square for conditioning; ``smoothing > 0`` relaxes the interpolation into a regularised
fit). It is evaluated on a grid every ``grid_step`` pixels and interpolated bilinearly in
between (the spline is smooth, so this changes the map by far less than a pixel), then the
image is sampled there bilinearly (``cv2.remap``). Points on the image border are held
still as in the triangle warp.

Examples
--------
>>> image = np.zeros((60, 60), np.uint8); image[25:35, 25:35] = 200
>>> src = np.array([[25.0, 25.0], [34.0, 25.0], [34.0, 34.0], [25.0, 34.0]])
>>> out = thin_plate_spline_warp(image, src, src + (3, 0))
>>> int(out[30, 26]), int(out[30, 36])
(0, 200)
"""

from __future__ import annotations

import cv2
import numpy as np

from pyfame.errors import PyfameValueError
from pyfame.face.geometry.point_checks import as_points, as_warpable_image
from pyfame.face.geometry.triangulation import DEFAULT_BORDER_POINTS_PER_SIDE, border_points
from pyfame.validation import check_float, check_int

_CHUNK = 4096  # grid samples evaluated at a time (bounds the (samples, points) kernel matrix)


def thin_plate_spline_warp(
    image: np.ndarray,
    source_points: np.ndarray,
    destination_points: np.ndarray,
    *,
    border_points_per_side: int = DEFAULT_BORDER_POINTS_PER_SIDE,
    grid_step: int = 8,
    smoothing: float = 0.0,
) -> np.ndarray:
    """Warp ``image`` smoothly so that ``source_points`` move to ``destination_points``.

    Parameters
    ----------
    image : numpy.ndarray
        uint8 or float32, ``(H, W)`` or ``(H, W, C)`` with 1 to 4 channels.
    source_points, destination_points : array_like
        ``(n, 2)`` or ``(n, 3)`` (depth ignored) pixel coordinates, the same count, finite.
        Points that share a destination are used once.
    border_points_per_side : int
        Fixed points added on each side of the image border.
    grid_step : int
        Pixels between the samples where the spline is evaluated exactly (1: every pixel).
    smoothing : float
        0 interpolates the points exactly; larger values trade exactness for smoothness.

    Returns
    -------
    numpy.ndarray
        The warped image, same shape and dtype.

    Examples
    --------
    >>> image = np.arange(400, dtype=np.float32).reshape(20, 20)
    >>> pts = np.array([[5.0, 5.0], [14.0, 5.0], [10.0, 14.0]])
    >>> bool(np.allclose(thin_plate_spline_warp(image, pts, pts), image, atol=1e-3))
    True
    """
    frame = as_warpable_image(image)
    source = as_points(source_points, "source_points")
    destination = as_points(destination_points, "destination_points")
    if len(source) != len(destination):
        raise PyfameValueError(
            f"source_points and destination_points must hold the same number of points, "
            f"got {len(source)} and {len(destination)}"
        )
    step = check_int(grid_step, "grid_step", low=1)
    smoothing = check_float(smoothing, "smoothing", low=0.0)
    h, w = frame.shape[:2]
    border = border_points(frame.shape, border_points_per_side)
    source = np.concatenate([source, border])
    destination = np.concatenate([destination, border])
    _, first = np.unique(np.round(destination, 6), axis=0, return_index=True)
    keep = np.sort(first)
    source, destination = source[keep], destination[keep]
    if len(source) < 3:
        raise PyfameValueError(f"destination_points: a thin-plate spline needs 3 distinct points, got {len(source)}")

    scale = float(max(h, w))
    spline = _fit(destination / scale, source / scale, smoothing)
    grid_x = np.arange(0, w - 1 + step, step, dtype=np.float64)
    grid_y = np.arange(0, h - 1 + step, step, dtype=np.float64)
    samples = np.stack(np.meshgrid(grid_x, grid_y), axis=-1).reshape(-1, 2)
    coarse = np.concatenate(
        [_evaluate(spline, destination / scale, samples[i:i + _CHUNK] / scale) for i in range(0, len(samples), _CHUNK)]
    ) * scale
    coarse = coarse.reshape(len(grid_y), len(grid_x), 2).astype(np.float32)
    # bilinear interpolation of the coarse map at every pixel: a remap of the map itself
    xs = np.arange(w, dtype=np.float32) / step
    ys = np.arange(h, dtype=np.float32) / step
    at_x, at_y = np.meshgrid(xs, ys)
    coordinates = cv2.remap(coarse, at_x, at_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    fixed_point, fraction = cv2.convertMaps(coordinates, None, cv2.CV_16SC2)
    warped = cv2.remap(frame, fixed_point, fraction, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return warped.reshape(frame.shape)


def thin_plate_spline_interpolate(
    control_points: np.ndarray,
    control_values: np.ndarray,
    query_points: np.ndarray,
    *,
    smoothing: float = 0.0,
) -> np.ndarray:
    """Values at ``query_points`` of the thin-plate spline through ``(control_points,
    control_values)``: the smoothest function that takes the given values at the control
    points (``smoothing > 0``: a regularised fit). Used to spread a displacement given on
    some mesh points smoothly over the others.

    Parameters
    ----------
    control_points : array_like
        ``(n, 2)`` distinct positions, n >= 3, not all on one line.
    control_values : array_like
        ``(n,)`` or ``(n, k)`` values there.
    query_points : array_like
        ``(m, 2)`` positions to evaluate.

    Returns
    -------
    numpy.ndarray
        float64 ``(m,)`` or ``(m, k)``.

    Examples
    --------
    >>> corners = np.array([[0, 0], [1, 0], [0, 1], [1, 1]], float)
    >>> thin_plate_spline_interpolate(corners, corners.sum(axis=1), [[0.5, 0.5]]).round(6).tolist()
    [1.0]
    """
    control = as_points(control_points, "control_points")
    query = as_points(query_points, "query_points")
    values = np.asarray(control_values, np.float64)
    if values.shape[0] != len(control) or values.ndim not in (1, 2) or not np.isfinite(values).all():
        raise PyfameValueError(
            f"control_values must be {len(control)} finite values (one per control point), got shape {values.shape}"
        )
    smoothing = check_float(smoothing, "smoothing", low=0.0)
    if len(control) < 3:
        raise PyfameValueError(f"control_points: a thin-plate spline needs 3 points, got {len(control)}")
    flat = values.reshape(len(control), -1)
    centre = control.mean(axis=0)
    scale = float(np.abs(control - centre).max()) or 1.0
    weights = _fit((control - centre) / scale, flat, smoothing)
    out = _evaluate(weights, (control - centre) / scale, (query - centre) / scale)
    return out.reshape((len(query),) + values.shape[1:])


def _kernel(squared_distance: np.ndarray) -> np.ndarray:
    """U = r^2 log r^2, with U(0) = 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = squared_distance * np.log(squared_distance)
    return np.nan_to_num(out, nan=0.0, posinf=0.0, neginf=0.0)


def _squared_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return ((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2)


def _fit(control: np.ndarray, targets: np.ndarray, smoothing: float) -> np.ndarray:
    """Weights ``(n + 3, k)`` of the spline taking ``control`` points to ``targets`` ``(n, k)``."""
    n = len(control)
    system = np.zeros((n + 3, n + 3))
    system[:n, :n] = _kernel(_squared_distances(control, control)) + smoothing * np.eye(n)
    system[:n, n] = system[n, :n] = 1.0
    system[:n, n + 1:] = control
    system[n + 1:, :n] = control.T
    right = np.zeros((n + 3, targets.shape[1]))
    right[:n] = targets
    try:
        return np.linalg.solve(system, right)
    except np.linalg.LinAlgError:  # e.g. all points on one line: the least-squares spline
        return np.linalg.lstsq(system, right, rcond=None)[0]


def _evaluate(weights: np.ndarray, control: np.ndarray, samples: np.ndarray) -> np.ndarray:
    n = len(control)
    radial = _kernel(_squared_distances(samples, control)) @ weights[:n]
    return radial + weights[n] + samples @ weights[n + 1:]
