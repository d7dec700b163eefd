"""Fold-overs of a triangle warp: find them, and remove them by relaxing the destination.

A triangle *folds over* when its orientation differs between the source and the destination
geometry (its signed area changes sign) or when it collapses in the destination (area below
a tolerance). A folded triangle overlaps its neighbours in the destination, so the inverse
mapping would show the same texture twice, mirrored, and leave a gap elsewhere.

**The fixes.** The warps (:func:`~pyfame.face.geometry.warp.plan_warp`) offer two:

- *retriangulate* (their default): triangulate the destination afresh (Delaunay of the
  destination points). Destination triangles then never overlap, so every destination
  pixel has one source and every point lands exactly where it was asked to; where a
  triangle is flipped in the *source* (crowded points along a face's silhouette, a few
  pixels across) the texture inside it is mirrored, which is invisible at that size.
- *relax* (:func:`relax_fold_overs`): the destination points of every folded triangle's
  corners are moved halfway back towards their source positions, and the test is repeated
  until no triangle folds. Only the offending points move, each as little as the halving
  steps allow; at worst a point returns to its source position, where (source triangles
  being non-degenerate) nothing folds. The triangulation is kept, but the destination is
  not quite what was asked (a face's outline can keep a small bump of its old shape).

Triangles that are degenerate in the *source* (zero area) have no orientation and are never
counted as folded.

Examples
--------
>>> tri = np.array([[0, 1, 2]])
>>> src = np.array([[0, 0], [10, 0], [0, 10]], float)
>>> dst = np.array([[0, 0], [10, 0], [0, -10]], float)   # the third point crosses the base
>>> fold_over_triangles(src, dst, tri).tolist()
[True]
>>> fixed, moved = relax_fold_overs(src, dst, tri)
>>> fold_over_triangles(src, fixed, tri).tolist(), moved.tolist()
([False], [True, True, True])
"""

from __future__ import annotations

import numpy as np

from pyfame.face.geometry.triangulation import signed_areas

#: Twice the area (pixels squared) below which a destination triangle counts as collapsed.
MIN_DOUBLE_AREA = 1e-3
#: Halving rounds before the remaining offending points are put back on their sources.
MAX_RELAX_ROUNDS = 24


def fold_over_triangles(
    source_points: np.ndarray,
    destination_points: np.ndarray,
    triangles: np.ndarray,
    min_double_area: float = MIN_DOUBLE_AREA,
) -> np.ndarray:
    """Which triangles fold over between ``source_points`` and ``destination_points``.

    Parameters
    ----------
    source_points, destination_points : numpy.ndarray
        float ``(n, 2)``, the same points in the two geometries.
    triangles : numpy.ndarray
        int ``(m, 3)`` indices into the points.
    min_double_area : float
        Twice the area in pixels² under which a destination triangle counts as collapsed.

    Returns
    -------
    numpy.ndarray
        bool ``(m,)``.

    Examples
    --------
    >>> tri = np.array([[0, 1, 2]])
    >>> pts = np.array([[0, 0], [10, 0], [0, 10]], float)
    >>> fold_over_triangles(pts, pts * 2, tri).tolist()
    [False]
    """
    source_area = signed_areas(source_points, triangles)
    destination_area = signed_areas(destination_points, triangles)
    oriented = np.abs(source_area) >= min_double_area
    return oriented & (destination_area * np.sign(source_area) < min_double_area)


def relax_fold_overs(
    source_points: np.ndarray,
    destination_points: np.ndarray,
    triangles: np.ndarray,
    min_double_area: float = MIN_DOUBLE_AREA,
) -> tuple[np.ndarray, np.ndarray]:
    """Move destination points towards their sources until no triangle folds over.

    Each round halves the displacement (destination minus source) of every corner of every
    folded triangle; after :data:`MAX_RELAX_ROUNDS` rounds the corners still involved are
    put back on their source positions.

    Returns
    -------
    destination : numpy.ndarray
        float64 ``(n, 2)``: the relaxed destination (a copy; equal to the input when
        nothing folds).
    moved : numpy.ndarray
        bool ``(n,)``: the points whose destination was changed.

    Examples
    --------
    >>> tri = np.array([[0, 1, 2], [1, 3, 2]])
    >>> src = np.array([[0, 0], [10, 0], [0, 10], [10, 10]], float)
    >>> dst = src.copy(); dst[3] = (-2, -2)            # the fourth corner jumps across
    >>> fixed, moved = relax_fold_overs(src, dst, tri)
    >>> bool(fold_over_triangles(src, fixed, tri).any()), moved.tolist()
    (False, [False, True, True, True])
    """
    source = np.asarray(source_points, np.float64)
    displacement = np.asarray(destination_points, np.float64) - source
    moved = np.zeros(len(source), bool)
    for round_index in range(MAX_RELAX_ROUNDS + len(source) + 1):
        folded = fold_over_triangles(source, source + displacement, triangles, min_double_area)
        if not folded.any():
            return source + displacement, moved
        corners = np.unique(triangles[folded])
        moved[corners] = True
        if round_index < MAX_RELAX_ROUNDS:
            displacement[corners] *= 0.5
        else:  # every round from here on puts at least one more point back on its source
            displacement[corners] = 0.0
    return source + displacement, moved  # pragma: no cover - unreachable: all points back on source
