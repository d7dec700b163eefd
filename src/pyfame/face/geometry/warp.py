"""The piecewise-affine (triangle) warp: move an image so that source points land on
destination points.

Method
------
The points (for a face: the 478 mesh points) are joined with fixed points on the image
border (:func:`~pyfame.face.geometry.triangulation.border_points`) and triangulated once
(Delaunay of the mean of the two geometries, or triangles the caller passes). Inside each
destination triangle the map back to the source is the affine map of its three corners, so
the warp is continuous, exact at every point, and the background and hair between the face
and the border stretch smoothly with the face while the border stays put.

Resampling is by *inverse mapping*: every destination pixel is given the index of the
triangle it lies in (a raster drawn with ``cv2.fillPoly``, once per destination geometry and
cached), its source position is computed from that triangle's affine coefficients
(vectorised, float32), and the source image is sampled there with bilinear interpolation
(``cv2.remap``, 1/32-pixel precision, edge pixels replicated outside the image). Every pixel
gets a value: there are no holes. Triangles whose corners do not move are not drawn; the
work is done on the bounding box of the triangles that move, and every pixel outside them
is copied unchanged, bit for bit.

Triangles that fold over between source and destination are detected before any pixel is
touched (:mod:`pyfame.face.geometry.fold_over`) and removed: by default the destination is
triangulated afresh (Delaunay of the destination points), so the destination triangles
tile the image whatever the source did and every point lands exactly where asked;
``fold_overs="relax"`` moves the offending destination points back towards their sources
instead, and ``"error"`` refuses the warp.

Examples
--------
>>> image = np.zeros((64, 64, 3), np.uint8); image[20:40, 20:40] = 255
>>> src = np.array([[20.0, 20.0], [39.0, 20.0], [39.0, 39.0], [20.0, 39.0]])
>>> out = warp_image(image, src, src + (5, 0))          # the square moves 5 px right
>>> int(out[30, 22, 0]), int(out[30, 30, 0]), int(out[30, 43, 0])
(0, 255, 255)
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

import cv2
import numpy as np

from pyfame.errors import PyfameTypeError, PyfameValueError
from pyfame.face.geometry.fold_over import fold_over_triangles, relax_fold_overs
from pyfame.face.geometry.face_image import FaceImage
from pyfame.face.geometry.point_checks import as_landmarks, as_points, as_warpable_image
from pyfame.face.geometry.triangulation import (
    DEFAULT_BORDER_POINTS_PER_SIDE,
    border_points,
    delaunay_triangles,
)

FoldOverPolicy = Literal["retriangulate", "relax", "error", "ignore"]
_FOLD_OVER_POLICIES = ("retriangulate", "relax", "error", "ignore")

_SUBPIXEL_BITS = 4  # cv2.fillPoly's fractional bits: vertices at 1/16 pixel
_SUBPIXEL_SCALE = 1 << _SUBPIXEL_BITS
_STILL = 1e-6  # pixels: a point moved less than this does not move
_STRIP_ROWS = 32  # rows of the box computed at a time
_MAX_THREADS = 4  # threads sharing a warp's strips (at most; cv2.getNumThreads() decides)
_STEEP_STRETCH = 2.0  # Frobenius norm of a triangle's map beyond which its edge pixels are clamped
_MAP_INDEX_LIMIT = 32767  # below this many triangles the raster is an int16 remap map (SHRT_MAX)


@dataclass(frozen=True)
class PiecewiseAffineWarp:
    """A planned triangle warp over images of one size; :meth:`apply` warps an image.

    Make one with :func:`plan_warp`. The planning (border points, triangulation, fold-over
    check) is done once, and the triangle raster is cached by destination geometry;
    applying the plan to several images of the same size (an image and its mask) repeats
    only the per-pixel work.

    Attributes
    ----------
    source_points, destination_points : numpy.ndarray
        float64 ``(n + b, 2)``: the caller's points followed by the ``b`` border points;
        ``destination_points`` after any fold-over relaxation.
    triangles : numpy.ndarray
        int32 ``(m, 3)`` indices into the points (the destination's own Delaunay
        triangulation when fold-overs were fixed by retriangulating).
    retriangulated : bool
        Whether fold-overs made the plan triangulate the destination afresh.
    relaxed : numpy.ndarray
        bool ``(n + b,)``: points whose destination was moved towards the source to remove
        a fold-over.
    frame_shape : tuple of int
        ``(H, W)`` of the images the plan warps.
    box : tuple of int
        ``(x0, y0, x1, y1)``, end-exclusive: the pixels the warp can change (the bounding
        box of the destination triangles that move, clipped to the frame); ``(0, 0, 0, 0)``
        when nothing moves.
    """

    source_points: np.ndarray
    destination_points: np.ndarray
    triangles: np.ndarray
    retriangulated: bool
    relaxed: np.ndarray
    frame_shape: tuple[int, int]
    box: tuple[int, int, int, int]
    _moving: np.ndarray = field(repr=False)

    def triangle_index_map(self) -> np.ndarray:
        """For every pixel of :attr:`box`, the index of the moving destination triangle it lies
        in, or -1 where no moving triangle covers it (those pixels are copied unchanged).

        Returns
        -------
        numpy.ndarray
            int64 ``(y1 - y0, x1 - x0)``.
        """
        raster = _index_of(_triangle_raster(self.destination_points, self.triangles[self._moving], self.box))
        moving_index = np.concatenate([[-1], np.flatnonzero(self._moving)])
        return moving_index[raster]

    def source_coordinates(self) -> np.ndarray:
        """Where each pixel of :attr:`box` is sampled in the source image.

        Returns
        -------
        numpy.ndarray
            float32 ``(y1 - y0, x1 - x0, 2)``: source x and y, in frame pixels.
        """
        x0, y0, x1, y1 = self.box
        out = np.empty((y1 - y0, x1 - x0, 2), np.float32)
        if x1 > x0 and y1 > y0:
            strips = _CoordinateStrips(self)
            for strip in range(strips.count):
                rows, coordinates = strips.compute(strip)
                out[rows] = coordinates
        return out

    def apply(self, image: np.ndarray) -> np.ndarray:
        """The warped image, of the same shape and dtype (uint8 or float32).

        The box is computed a strip of rows at a time (small working arrays that stay in
        the CPU's cache), the strips shared among as many threads as OpenCV may use
        (``cv2.getNumThreads()``, which PyFAME's thread budget sets).

        Parameters
        ----------
        image : numpy.ndarray
            ``(H, W)`` or ``(H, W, C)`` with ``(H, W)`` equal to :attr:`frame_shape`.
        """
        image = as_warpable_image(image)
        if image.shape[:2] != self.frame_shape:
            raise PyfameValueError(
                f"image: this warp was planned for frames of {self.frame_shape}, got {image.shape[:2]}"
            )
        out = image.copy()
        x0, y0, x1, y1 = self.box
        if x1 <= x0 or y1 <= y0:
            return out
        target = out[y0:y1, x0:x1]
        strips = _CoordinateStrips(self)

        def warp_strips(first: int, stop: int) -> None:
            for strip in range(first, stop):
                rows, coordinates = strips.compute(strip)
                fixed_point, fraction = cv2.convertMaps(coordinates, None, cv2.CV_16SC2)
                warped = cv2.remap(image, fixed_point, fraction, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
                target[rows] = warped.reshape(target[rows].shape)

        workers = min(max(cv2.getNumThreads(), 1), _MAX_THREADS, strips.count // 2 or 1)
        if workers == 1:
            warp_strips(0, strips.count)
            return out
        bounds = np.linspace(0, strips.count, workers + 1).round().astype(int)
        with ThreadPoolExecutor(workers) as pool:  # numpy and OpenCV release the GIL
            for done in [pool.submit(warp_strips, a, b) for a, b in zip(bounds[:-1], bounds[1:])]:
                done.result()
        return out


class _CoordinateStrips:
    """The per-pixel source coordinates of a plan's box, ready to compute strip by strip."""

    def __init__(self, plan: PiecewiseAffineWarp) -> None:
        box = plan.box
        moving = plan.triangles[plan._moving]
        self.raster = _triangle_raster(plan.destination_points, moving, box)
        self.table = _inverse_affine_table(plan.source_points, plan.destination_points, moving, box)
        self.clamped_rows, self.clamped_columns, self.clamped = _clamped_edge_coordinates(
            _index_of(self.raster), self.table, plan.source_points, plan.destination_points, moving, box
        )
        height = box[3] - box[1]
        self.count = -(-height // _STRIP_ROWS)
        self.height = height
        self.starts = np.searchsorted(self.clamped_rows, np.arange(0, (self.count + 1) * _STRIP_ROWS, _STRIP_ROWS))

    def compute(self, strip: int) -> tuple[slice, np.ndarray]:
        """Rows of the box and their source coordinates ``(rows, w, 2)``."""
        top = strip * _STRIP_ROWS
        rows = slice(top, min(top + _STRIP_ROWS, self.height))
        coordinates = _evaluate_affines(self.raster[rows], self.table, top)
        fix = slice(self.starts[strip], self.starts[strip + 1])
        coordinates[self.clamped_rows[fix] - top, self.clamped_columns[fix]] = self.clamped[fix]
        return rows, coordinates


def plan_warp(
    source_points: np.ndarray,
    destination_points: np.ndarray,
    frame_shape: tuple[int, ...],
    *,
    triangles: np.ndarray | None = None,
    border_points_per_side: int = DEFAULT_BORDER_POINTS_PER_SIDE,
    fold_overs: FoldOverPolicy = "retriangulate",
) -> PiecewiseAffineWarp:
    """Plan a piecewise-affine warp from ``source_points`` to ``destination_points``.

    Parameters
    ----------
    source_points, destination_points : array_like
        ``(n, 2)`` or ``(n, 3)`` (depth ignored) pixel coordinates of the same points before
        and after the warp, finite, the same count. A face mesh ``(478, 3)`` is used as is.
    frame_shape : tuple of int
        Shape of the images to warp; ``(H, W)`` is used.
    triangles : array_like, optional
        int ``(m, 3)`` indices into the points followed by the border points (as
        :func:`~pyfame.face.geometry.triangulation.warp_triangles` returns them). Default:
        the Delaunay triangulation of the mean of the two geometries with the border points.
    border_points_per_side : int
        Fixed points added on each side of the image border (0: none; pixels outside the
        triangles are then copied unchanged).
    fold_overs : {"retriangulate", "relax", "error", "ignore"}
        What to do with triangles that fold over (see
        :mod:`~pyfame.face.geometry.fold_over`): triangulate the destination afresh (every
        point lands where asked), relax the offending destination points towards their
        sources, raise :class:`~pyfame.errors.PyfameValueError`, or warp as given.

    Returns
    -------
    PiecewiseAffineWarp

    Examples
    --------
    >>> src = np.array([[10.0, 10.0], [30.0, 10.0], [20.0, 25.0]])
    >>> plan = plan_warp(src, src + (2, 0), (40, 40))
    >>> plan.box
    (0, 0, 40, 40)
    >>> plan_warp(src, src, (40, 40)).box                  # nothing moves
    (0, 0, 0, 0)
    """
    source = as_points(source_points, "source_points")
    destination = as_points(destination_points, "destination_points")
    if len(source) != len(destination):
        raise PyfameValueError(
            f"source_points and destination_points must hold the same number of points, "
            f"got {len(source)} and {len(destination)}"
        )
    if fold_overs not in _FOLD_OVER_POLICIES:
        raise PyfameValueError(f"fold_overs must be one of {_FOLD_OVER_POLICIES}, got {fold_overs!r}")
    if not isinstance(frame_shape, tuple) or len(frame_shape) < 2:
        raise PyfameTypeError(f"frame_shape must be a tuple (H, W, ...), got {frame_shape!r}")
    shape = (int(frame_shape[0]), int(frame_shape[1]))
    border = border_points(shape, border_points_per_side)
    source = np.concatenate([source, border])
    destination = np.concatenate([destination, border])
    if triangles is None:
        triangles = delaunay_triangles((source + destination) / 2)
    else:
        triangles = _checked_triangles(triangles, len(source))
    relaxed = np.zeros(len(source), bool)
    retriangulated = False
    if fold_overs != "ignore":
        folded = fold_over_triangles(source, destination, triangles)
        if folded.any():
            if fold_overs == "error":
                raise PyfameValueError(
                    f"destination_points: {int(folded.sum())} triangle(s) fold over (e.g. points "
                    f"{triangles[folded][0].tolist()}); pass fold_overs='retriangulate' or 'relax' to fix them"
                )
            if fold_overs == "relax":
                destination, relaxed = relax_fold_overs(source, destination, triangles)
            else:
                triangles = delaunay_triangles(destination)
                retriangulated = True
    still = np.all(np.abs(destination - source) <= _STILL, axis=1)
    moving = ~still[triangles].all(axis=1)
    for array in (source, destination, relaxed, moving):
        array.setflags(write=False)
    box = _box_of(destination, triangles[moving], shape)
    return PiecewiseAffineWarp(source, destination, triangles, retriangulated, relaxed, shape, box, moving)


def warp_image(
    image: np.ndarray,
    source_points: np.ndarray,
    destination_points: np.ndarray,
    *,
    triangles: np.ndarray | None = None,
    border_points_per_side: int = DEFAULT_BORDER_POINTS_PER_SIDE,
    fold_overs: FoldOverPolicy = "retriangulate",
) -> np.ndarray:
    """Warp ``image`` so that ``source_points`` move to ``destination_points``.

    A piecewise-affine warp over the points and the image border (see the module's
    method); parameters as :func:`plan_warp`.

    Parameters
    ----------
    image : numpy.ndarray
        uint8 or float32, ``(H, W)`` or ``(H, W, C)`` with 1 to 4 channels.

    Returns
    -------
    numpy.ndarray
        The warped image, same shape and dtype; pixels outside the moving triangles are
        the input's, bit for bit.

    Examples
    --------
    >>> image = np.arange(100, dtype=np.uint8).reshape(10, 10)
    >>> pts = np.array([[3.0, 3.0], [6.0, 3.0], [4.0, 6.0]])
    >>> bool((warp_image(image, pts, pts) == image).all())     # the identity warp
    True
    """
    frame = as_warpable_image(image)
    plan = plan_warp(
        source_points, destination_points, frame.shape, triangles=triangles,
        border_points_per_side=border_points_per_side, fold_overs=fold_overs,
    )
    return plan.apply(frame)


def warp_face(
    image: np.ndarray,
    source_landmarks: np.ndarray,
    destination_landmarks: np.ndarray,
    *,
    triangles: np.ndarray | None = None,
    border_points_per_side: int = DEFAULT_BORDER_POINTS_PER_SIDE,
    fold_overs: FoldOverPolicy = "retriangulate",
) -> FaceImage:
    """Warp a face's image from its mesh to a new mesh, and say where the mesh went.

    As :func:`warp_image`, for one face's mesh: the returned mesh is the destination as the
    warp realised it: the destination itself, unless ``fold_overs="relax"`` moved points
    to remove a fold-over (x and y where they went; depth as given).

    Parameters
    ----------
    image : numpy.ndarray
        uint8 or float32 ``(H, W, C)``.
    source_landmarks, destination_landmarks : array_like
        ``(478, 2)`` or ``(478, 3)`` meshes in ``image`` pixels.

    Returns
    -------
    FaceImage

    Examples
    --------
    >>> from pyfame.face.geometry.example_face import example_face
    >>> face = example_face()
    >>> moved = warp_face(face.image, face.landmarks, face.landmarks + (4, 0, 0))
    >>> float(np.abs(moved.landmarks - face.landmarks - (4, 0, 0)).max()) < 1e-4
    True
    """
    frame = as_warpable_image(image)
    source = as_landmarks(source_landmarks, "source_landmarks")
    destination = as_landmarks(destination_landmarks, "destination_landmarks")
    plan = plan_warp(
        source, destination, frame.shape, triangles=triangles,
        border_points_per_side=border_points_per_side, fold_overs=fold_overs,
    )
    realised = destination.copy()
    realised[:, :2] = plan.destination_points[: len(source)]
    return FaceImage(plan.apply(frame), realised.astype(np.float32))


# ---- the pixel work -------------------------------------------------------------------


def _checked_triangles(triangles: np.ndarray, count: int) -> np.ndarray:
    array = np.asarray(triangles)
    if array.ndim != 2 or array.shape[1] != 3 or not np.issubdtype(array.dtype, np.integer):
        raise PyfameValueError(f"triangles must be an int (m, 3) array, got {array.dtype} {array.shape}")
    if array.size and (array.min() < 0 or array.max() >= count):
        raise PyfameValueError(
            f"triangles must index the {count} points (the points, then the border points), "
            f"got indices {int(array.min())}..{int(array.max())}"
        )
    return np.ascontiguousarray(array, np.int32)


def _box_of(points: np.ndarray, triangles: np.ndarray, frame_shape: tuple[int, int]) -> tuple[int, int, int, int]:
    if len(triangles) == 0:
        return (0, 0, 0, 0)
    used = np.zeros(len(points), bool)
    used[triangles.ravel()] = True
    corners = points[used]
    h, w = frame_shape
    x0, y0 = np.floor(corners.min(axis=0)).astype(np.int64) - 1
    x1, y1 = np.ceil(corners.max(axis=0)).astype(np.int64) + 2
    x0, y0, x1, y1 = max(int(x0), 0), max(int(y0), 0), min(int(x1), w), min(int(y1), h)
    if x1 <= x0 or y1 <= y0:
        return (0, 0, 0, 0)
    return (x0, y0, x1, y1)


class _RasterCache:
    """The last few triangle rasters, keyed by destination geometry (thread-safe)."""

    def __init__(self, size: int = 2) -> None:
        self._items: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key: bytes) -> np.ndarray | None:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, key: bytes, value: np.ndarray) -> None:
        with self._lock:
            self._items[key] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)


_RASTERS = _RasterCache()


def _triangle_raster(points: np.ndarray, triangles: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """Over ``box``: 1 + the row in ``triangles`` of the triangle drawn at each pixel, 0 where
    none is. Drawn once per destination geometry (cached). With fewer than 32767 triangles
    (any face mesh) it is drawn as int16 ``(h, w, 2)`` pairs ``(index, 0)``: a map that
    ``cv2.remap`` reads directly to gather each pixel's coefficients (see
    :func:`_evaluate_affines`); else int32 ``(h, w)``. :func:`_index_of` gives the index."""
    x0, y0, x1, y1 = box
    vertices = _subpixel_vertices(points, triangles, box)
    key = np.asarray(box, np.int64).tobytes() + vertices.tobytes()
    cached = _RASTERS.get(key)
    if cached is not None:
        return cached
    as_map = len(triangles) < _MAP_INDEX_LIMIT
    raster = np.zeros((y1 - y0, x1 - x0, 2) if as_map else (y1 - y0, x1 - x0), np.int16 if as_map else np.int32)
    # fillPoly draws a triangle's edge pixels too, so neighbours share them and no pixel is
    # left out; the later triangle wins. Slivers are drawn first, so well-shaped triangles
    # claim most shared edges (and see _clamped_edge_coordinates for the rest).
    order = np.argsort(_roundness(points[triangles]), kind="stable")
    for value, corners in zip((order + 1).tolist(), list(vertices[order])):  # plain ints, ready arrays
        cv2.fillPoly(raster, (corners,), value, cv2.LINE_8, _SUBPIXEL_BITS)
    raster.setflags(write=False)
    _RASTERS.put(key, raster)
    return raster


def _index_of(raster: np.ndarray) -> np.ndarray:
    """The triangle index of each pixel of a raster, ``(h, w)``, either form."""
    return raster[..., 0] if raster.ndim == 3 else raster


def _subpixel_vertices(points: np.ndarray, triangles: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """int32 ``(m, 3, 2)`` triangle corners in box pixels at 1/16 pixel, as cv2 draws them."""
    return np.round((points[triangles] - box[:2]) * _SUBPIXEL_SCALE).astype(np.int32)


def _clamped_edge_coordinates(
    raster: np.ndarray, table: np.ndarray, source: np.ndarray, destination: np.ndarray,
    triangles: np.ndarray, box: tuple[int, int, int, int],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Source coordinates of the edge pixels of steep triangles, from the nearest point of
    their triangle.

    A pixel drawn as part of a triangle's edge may have its centre just outside it, where the
    triangle's affine map is extrapolated. For most triangles that is harmless (the map
    changes by about a pixel per pixel), but a sliver that stretches a wide source region
    over a thin destination one has a steep map, and its extrapolation samples far outside
    its source triangle (a stray pixel of background on a face's edge). For the edge pixels
    such a triangle won, the barycentric coordinates are clamped to the triangle, so the map
    is evaluated on the shared edge, where the neighbours agree. Steep triangles are few
    (none in most warps), so their edges are found in their own small boxes.

    Returns
    -------
    rows, columns : numpy.ndarray
        intp ``(k,)`` box pixels, sorted by row.
    coordinates : numpy.ndarray
        float32 ``(k, 2)``.
    """
    stretch = np.sqrt((table[1:, [1, 2, 4, 5]] ** 2).sum(axis=1))  # Frobenius norm of the map's linear part
    steep = np.flatnonzero(stretch > _STEEP_STRETCH)
    found_rows, found_columns, found_triangles = [], [], []
    if len(steep):
        vertices = _subpixel_vertices(destination, triangles[steep], box)
        for k, corners in zip(steep, vertices):
            lo = np.maximum(corners.min(axis=0) // _SUBPIXEL_SCALE - 1, 0)
            hi = np.minimum(corners.max(axis=0) // _SUBPIXEL_SCALE + 2, raster.shape[::-1])
            if (hi <= lo).any():
                continue
            edges = np.zeros((hi[1] - lo[1], hi[0] - lo[0]), np.uint8)
            cv2.polylines(edges, [corners - lo * _SUBPIXEL_SCALE], True, 1, 1, cv2.LINE_8, _SUBPIXEL_BITS)
            rows, columns = np.nonzero(edges & (raster[lo[1]:hi[1], lo[0]:hi[0]] == k + 1))
            found_rows.append(rows + lo[1])
            found_columns.append(columns + lo[0])
            found_triangles.append(np.full(len(rows), k))
    if not found_rows:
        empty = np.zeros(0, np.intp)
        return empty, empty, np.zeros((0, 2), np.float32)
    rows, columns = np.concatenate(found_rows), np.concatenate(found_columns)
    which = np.concatenate(found_triangles)
    order = np.argsort(rows, kind="stable")
    rows, columns, which = rows[order], columns[order], which[order]
    corners = destination[triangles[which]]
    d0 = corners[:, 0]
    e1, e2 = corners[:, 1] - d0, corners[:, 2] - d0
    det = e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0]
    det = np.where(np.abs(det) < 1e-12, 1e-12, det)
    px = columns + box[0] - d0[:, 0]
    py = rows + box[1] - d0[:, 1]
    l1 = (e2[:, 1] * px - e2[:, 0] * py) / det
    l2 = (-e1[:, 1] * px + e1[:, 0] * py) / det
    weights = np.clip(np.stack([1.0 - l1 - l2, l1, l2], axis=1), 0.0, None)
    weights /= np.maximum(weights.sum(axis=1, keepdims=True), 1e-12)
    coordinates = np.einsum("kj,kjd->kd", weights, source[triangles[which]]).astype(np.float32)
    return rows.astype(np.intp), columns.astype(np.intp), coordinates


def _roundness(corners: np.ndarray) -> np.ndarray:
    """Per triangle ``(m, 3, 2)``: twice its area over its longest edge squared (about 0.87
    for an equilateral triangle, 0 for a sliver)."""
    a, b, c = corners[:, 0], corners[:, 1], corners[:, 2]
    double_area = np.abs((b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0]))
    longest = np.max([((b - a) ** 2).sum(1), ((c - b) ** 2).sum(1), ((a - c) ** 2).sum(1)], axis=0)
    return double_area / np.maximum(longest, 1e-12)


def _inverse_affine_table(
    source: np.ndarray, destination: np.ndarray, triangles: np.ndarray, box: tuple[int, int, int, int]
) -> np.ndarray:
    """Per triangle, the affine map from destination pixels (box coordinates) to source
    pixels (frame coordinates), as float32 rows ``(cx, axx, axy, cy, ayx, ayy)``:
    ``src_x = cx + axx * x + axy * y`` and ``src_y = cy + ayx * x + ayy * y``. Row 0 is the
    identity (pixels no moving triangle covers)."""
    d, s = destination[triangles], source[triangles]
    d0 = d[:, 0]
    e1, e2 = d[:, 1] - d0, d[:, 2] - d0
    f1, f2 = s[:, 1] - s[:, 0], s[:, 2] - s[:, 0]
    det = e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0]
    det = np.where(np.abs(det) < 1e-12, 1e-12, det)  # collapsed triangles cover no pixel centre
    # linear = [f1 f2] @ inverse([e1 e2])
    inv = np.stack([np.stack([e2[:, 1], -e2[:, 0]], 1), np.stack([-e1[:, 1], e1[:, 0]], 1)], 1) / det[:, None, None]
    linear = np.stack([f1, f2], axis=2) @ inv
    origin = np.array(box[:2], np.float64)
    offset = s[:, 0] - np.einsum("nij,nj->ni", linear, d0 - origin)
    table = np.empty((len(triangles) + 1, 6), np.float64)
    table[0] = (origin[0], 1.0, 0.0, origin[1], 0.0, 1.0)
    table[1:] = np.stack(
        [offset[:, 0], linear[:, 0, 0], linear[:, 0, 1], offset[:, 1], linear[:, 1, 0], linear[:, 1, 1]], axis=1
    )
    return table


def _evaluate_affines(raster_rows: np.ndarray, table: np.ndarray, top: int) -> np.ndarray:
    """Source coordinates ``(rows, w, 2)`` of a strip of the raster starting at box row
    ``top``: each pixel's triangle's affine map.

    One gather of the six coefficients per pixel, one multiplication by the strip's
    ``(1, x, y, 1, x, y)`` grid, and a sum of each three (``cv2.transform``): the pixel
    work is three vectorised passes over a strip that fits in the cache.
    """
    rows, w = raster_rows.shape[:2]
    strip_table = table.copy()
    strip_table[:, 0] += strip_table[:, 2] * top  # the strip's own y origin
    strip_table[:, 3] += strip_table[:, 5] * top
    coefficients = strip_table.astype(np.float32)
    if raster_rows.ndim == 3:
        # the gather as a nearest-neighbour remap of the table seen as a one-row image of
        # three float64 channels (each the bits of two float32 coefficients): bit for bit
        # np.take's result, in about half its time
        image = coefficients.view(np.float64)[None]
        terms = cv2.remap(image, raster_rows, None, cv2.INTER_NEAREST).view(np.float32).reshape(rows, w, 6)
    else:
        terms = np.take(coefficients, raster_rows, axis=0)
    cv2.multiply(terms, _strip_grid(rows, w), dst=terms)
    return cv2.transform(terms.reshape(rows, 2 * w, 3), _SUM_OF_THREE).reshape(rows, w, 2)


_SUM_OF_THREE = np.ones((1, 3), np.float32)


@lru_cache(maxsize=4)
def _strip_grid(rows: int, w: int) -> np.ndarray:
    """float32 ``(rows, w, 6)``: ``(1, x, y, 1, x, y)`` for each pixel of a strip."""
    grid = np.empty((rows, w, 6), np.float32)
    grid[..., 0] = grid[..., 3] = 1.0
    grid[..., 1] = grid[..., 4] = np.arange(w, dtype=np.float32)[None, :]
    grid[..., 2] = grid[..., 5] = np.arange(rows, dtype=np.float32)[:, None]
    grid.setflags(write=False)
    return grid
