"""Triangles over a point set for the piecewise-affine warp: Delaunay (OpenCV's
``Subdiv2D``), and the fixed points on the image border that let the background follow the
face.

A warp from source to destination points needs one triangulation that is valid in both
geometries. PyFAME triangulates the *mean* of the two (Delaunay is invariant to similarity
transforms, so a face that only moves keeps its triangles) together with points on the
image border, which stay where they are. The same triangles can be reused for a whole
morph continuum or video (:func:`warp_triangles` once, then ``triangles=`` to every warp),
so the triangle layout does not change from step to step. Triangulations are cached by
geometry: the same point set is triangulated once.

Examples
--------
>>> square = np.array([[0, 0], [10, 0], [10, 10], [0, 10], [5, 5]], float)
>>> len(delaunay_triangles(square))
4
>>> border_points((3, 4), per_side=1).tolist()   # a 4x3 (W x H) image
[[-0.5, -0.5], [3.5, -0.5], [3.5, 2.5], [-0.5, 2.5]]
"""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np

from pyfame.errors import PyfameValueError
from pyfame.face.geometry.point_checks import as_points
from pyfame.validation import check_int

#: Border points per image side the warps add by default (corners included once).
DEFAULT_BORDER_POINTS_PER_SIDE = 4
_HULL_MARGIN = 100.0  # Subdiv2D's rectangle, in extents of the point set


def border_points(frame_shape: tuple[int, ...], per_side: int = DEFAULT_BORDER_POINTS_PER_SIDE) -> np.ndarray:
    """Points on the outer edge of an image's pixels, clockwise from the top-left corner.

    Pixel centres are at integer coordinates, so the edge runs along ``-0.5`` and
    ``W - 0.5`` / ``H - 0.5``: triangles over these points cover every pixel.

    Parameters
    ----------
    frame_shape : tuple of int
        The image's shape; only ``(H, W)`` is used.
    per_side : int
        Points per side (each side is cut into ``per_side`` equal segments; the four
        corners are always included). 0 gives no points.

    Returns
    -------
    numpy.ndarray
        float64 ``(4 * per_side, 2)``.

    Examples
    --------
    >>> border_points((10, 20), per_side=2)[:3].tolist()
    [[-0.5, -0.5], [9.5, -0.5], [19.5, -0.5]]
    """
    per_side = check_int(per_side, "border_points_per_side", low=0)
    if per_side == 0:
        return np.zeros((0, 2), np.float64)
    h, w = int(frame_shape[0]), int(frame_shape[1])
    left, top, right, bottom = -0.5, -0.5, w - 0.5, h - 0.5
    steps = np.arange(per_side) / per_side
    sides = [
        np.stack([left + steps * (right - left), np.full(per_side, top)], axis=1),
        np.stack([np.full(per_side, right), top + steps * (bottom - top)], axis=1),
        np.stack([right - steps * (right - left), np.full(per_side, bottom)], axis=1),
        np.stack([np.full(per_side, left), bottom - steps * (bottom - top)], axis=1),
    ]
    return np.concatenate(sides, axis=0)


def delaunay_triangles(points: np.ndarray) -> np.ndarray:
    """The Delaunay triangulation of a point set, as index triples.

    Coincident points are triangulated once (the others of the group belong to no
    triangle). Every triangle is returned with a positive :func:`signed_areas`. Results are
    cached by the points' float32 values.

    Parameters
    ----------
    points : array_like
        ``(n, 2)`` (or ``(n, 3)``, depth ignored) finite coordinates, n >= 3.

    Returns
    -------
    numpy.ndarray
        int32 ``(n_triangles, 3)``; a read-only array shared with the cache.

    Examples
    --------
    >>> delaunay_triangles([[0, 0], [4, 0], [0, 3]]).tolist()
    [[0, 1, 2]]
    """
    xy = as_points(points, "points")
    if len(xy) < 3:
        raise PyfameValueError(f"points: a triangulation needs at least 3 points, got {len(xy)}")
    key = np.ascontiguousarray(xy, dtype=np.float32)
    return _delaunay_of(key.tobytes(), len(key))


def warp_triangles(
    points: np.ndarray,
    frame_shape: tuple[int, ...],
    border_points_per_side: int = DEFAULT_BORDER_POINTS_PER_SIDE,
) -> np.ndarray:
    """Triangles over ``points`` followed by the image's :func:`border_points`, for the
    ``triangles=`` argument of the warps (indices ``>= len(points)`` are border points).

    Pass the mean of the geometries a set of warps moves between (a morph's two ends, a
    video's first frame), so one triangle layout serves all of them.

    Examples
    --------
    >>> pts = np.array([[20.0, 20.0], [40.0, 20.0], [30.0, 35.0]])
    >>> int(warp_triangles(pts, (50, 60), border_points_per_side=1).max())
    6
    """
    xy = as_points(points, "points")
    return delaunay_triangles(np.concatenate([xy, border_points(frame_shape, border_points_per_side)]))


def signed_areas(points: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    """Twice the signed area of each triangle ``(a, b, c)``: positive when a -> b -> c runs
    clockwise on screen (image coordinates, y pointing down), negative when it runs the other
    way; a triangle whose sign differs between two geometries is folded over.

    Examples
    --------
    >>> signed_areas(np.array([[0, 0], [4, 0], [0, 3]], float), np.array([[0, 1, 2]])).tolist()
    [12.0]
    """
    a, b, c = points[triangles[:, 0]], points[triangles[:, 1]], points[triangles[:, 2]]
    return (b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0])


@lru_cache(maxsize=64)
def _delaunay_of(key: bytes, count: int) -> np.ndarray:
    xy = np.frombuffer(key, np.float32).reshape(count, 2)
    # Subdiv2D starts from one triangle about 3x the size of its rectangle; triangles along
    # the hull whose circumcircle reaches that far would be lost, so the rectangle is made
    # far larger than the points (only near-degenerate slivers can still be missed)
    lo, hi = xy.min(axis=0).astype(np.float64), xy.max(axis=0).astype(np.float64)
    centre = (lo + hi) / 2
    half = _HULL_MARGIN * (float((hi - lo).max()) + 1.0)
    corner = np.floor(centre - half)
    subdivision = cv2.Subdiv2D((int(corner[0]), int(corner[1]), int(2 * half) + 2, int(2 * half) + 2))
    subdivision.insert(np.ascontiguousarray(xy))
    corners = np.ascontiguousarray(subdivision.getTriangleList(), np.float32).reshape(-1, 2)
    # Subdiv2D keeps the float32 vertices it was given: find each corner's point by its
    # exact bits (x and y as one 64-bit key)
    keys = xy.view(np.uint64).ravel()
    order = np.argsort(keys, kind="stable")
    found = np.searchsorted(keys[order], corners.view(np.uint64).ravel())
    triangles = order[np.minimum(found, len(order) - 1)].astype(np.int32).reshape(-1, 3)
    if not np.array_equal(keys[triangles.ravel()], corners.view(np.uint64).ravel()):  # pragma: no cover
        raise RuntimeError("Subdiv2D returned a vertex that is not one of the points")
    area = signed_areas(xy.astype(np.float64), triangles)
    triangles = triangles[area != 0]
    flip = area[area != 0] < 0
    triangles[flip] = triangles[flip][:, ::-1]
    triangles.setflags(write=False)
    return triangles
