"""Rasterise face regions into soft masks, inside the faces' bounding box only."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from pyfame.face.faces import Faces
from pyfame.face.hairline import ARC, inter_ocular_distance
from pyfame.face.regions import Region, resolve_regions
from pyfame.validation import check_float

_SHIFT = 4  # sub-pixel bits for cv2.fillPoly
_SCALE = 1 << _SHIFT
#: Each landmark of the oval's upper arc by its position on the arc (a hairline has a point
#: at 2 * position, and the midpoint between neighbours p and p + 1 at 2 * p + 1).
_ARC_POSITION = {index: position for position, index in enumerate(ARC)}


@dataclass
class RegionMask:
    """A soft mask covering part of a frame.

    Attributes
    ----------
    box : tuple of int
        ``(x0, y0, x1, y1)`` in frame pixels, end-exclusive; ``alpha`` covers exactly this box.
        Outside it the mask is 0. An empty mask has a zero-size box.
    alpha : numpy.ndarray
        float32 ``(y1 - y0, x1 - x0)`` in [0, 1].
    frame_shape : tuple of int
        ``(H, W)`` of the frame.

    Examples
    --------
    >>> m = RegionMask((0, 0, 0, 0), np.zeros((0, 0), np.float32), (4, 4))
    >>> m.empty, m.full().shape
    (True, (4, 4))
    """

    box: tuple[int, int, int, int]
    alpha: np.ndarray
    frame_shape: tuple[int, int]

    @property
    def empty(self) -> bool:
        """True when nothing is covered."""
        return self.alpha.size == 0 or not bool(self.alpha.any())

    @property
    def slices(self) -> tuple[slice, slice]:
        """``(rows, cols)`` slices of the box, for ``frame[mask.slices]``."""
        x0, y0, x1, y1 = self.box
        return slice(y0, y1), slice(x0, x1)

    def blend(self, frame: np.ndarray, replacement: np.ndarray) -> np.ndarray:
        """Mix ``replacement`` (the mask's box of a changed frame, uint8) into ``frame``
        through the mask, in place where ``frame`` is writeable. Pixels the mask does not
        touch stay bit for bit.

        Examples
        --------
        >>> m = RegionMask((0, 0, 1, 1), np.ones((1, 1), np.float32), (2, 2))
        >>> m.blend(np.zeros((2, 2, 3), np.uint8), np.full((1, 1, 3), 9, np.uint8))[:, :, 0].tolist()
        [[9, 0], [0, 0]]
        """
        out = frame if frame.flags.writeable else frame.copy()
        if self.alpha.size == 0:
            return out
        roi = out[self.slices]
        # roi + (replacement - roi) * alpha: where alpha is 0 this is roi exactly, so the
        # untouched pixels need no separate selection
        base = roi.astype(np.float32)
        mixed = replacement - base
        mixed *= self.alpha[..., None]
        mixed += base
        np.clip(np.rint(mixed, out=mixed), 0, 255, out=mixed)  # in range already for uint8 and 0 <= alpha <= 1
        roi[:] = mixed
        return out

    def within(self, box: tuple[int, int, int, int]) -> np.ndarray:
        """The mask over another box ``(x0, y0, x1, y1)`` of the frame, float32, without
        building the whole frame's mask.

        Examples
        --------
        >>> m = RegionMask((1, 1, 2, 2), np.ones((1, 1), np.float32), (4, 4))
        >>> m.within((0, 0, 3, 3)).tolist()
        [[0.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]
        """
        x0, y0, x1, y1 = box
        out = np.zeros((y1 - y0, x1 - x0), np.float32)
        mx0, my0, mx1, my1 = self.box
        ix0, iy0, ix1, iy1 = max(x0, mx0), max(y0, my0), min(x1, mx1), min(y1, my1)
        if self.alpha.size and ix0 < ix1 and iy0 < iy1:
            out[iy0 - y0:iy1 - y0, ix0 - x0:ix1 - x0] = self.alpha[iy0 - my0:iy1 - my0, ix0 - mx0:ix1 - mx0]
        return out

    def full(self) -> np.ndarray:
        """The mask over the whole frame, float32 ``(H, W)``."""
        out = np.zeros(self.frame_shape, np.float32)
        if self.alpha.size:
            out[self.slices] = self.alpha
        return out


def _half_plane(lm: np.ndarray, side: str, shape: tuple[int, int]) -> np.ndarray:
    """float32 coverage in [0, 1] of one side of the face, in box coordinates (lm offset)."""
    top, chin = lm[10, :2].astype(np.float64), lm[152, :2].astype(np.float64)
    axis = chin - top
    length = float(np.hypot(*axis)) or 1.0
    down = axis / length
    # the subject's left is the image's right on a frontal face: rotate "down" by +90 deg
    subject_left = np.array([down[1], -down[0]])
    if side in ("left", "right"):
        origin, normal = top, subject_left if side == "left" else -subject_left
    else:
        origin, normal = (top + chin) / 2, -down if side == "top" else down
    # coverage of each pixel by the half-plane, from the signed distance of its centre to
    # the cut line: the two halves add up to exactly 1 along the cut
    h, w = shape
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    distance = (xs - origin[0]) * normal[0] + (ys - origin[1]) * normal[1]
    out = np.clip(0.5 + distance, 0.0, 1.0)
    return out


def _loop_points(xy: np.ndarray, loop: tuple[int, ...], hairline: np.ndarray | None) -> np.ndarray:
    """A loop's polygon; with a hairline, the stretch of the loop along the oval's upper arc
    follows the hairline instead (its points and the midpoints between them)."""
    if hairline is None:
        return xy[list(loop)]
    points: list[np.ndarray] = []
    n = len(loop)
    for k, index in enumerate(loop):
        here = _ARC_POSITION.get(index)
        if here is None:
            points.append(xy[index][None])
            continue
        points.append(hairline[2 * here][None])
        there = _ARC_POSITION.get(loop[(k + 1) % n])
        if there is not None and abs(there - here) == 1:  # neighbours on the arc: the midpoint between
            points.append(hairline[here + there][None])
    return np.concatenate(points)


def _rasterise(lm: np.ndarray, region: Region, shape: tuple[int, int], hairline: np.ndarray | None = None) -> np.ndarray:
    out = np.zeros(shape, np.uint8)
    xy = lm[:, :2]
    line = hairline if region.reach_hairline else None

    def polygons(loops: tuple[tuple[int, ...], ...]) -> list[np.ndarray]:
        return [np.round(_loop_points(xy, loop, line) * _SCALE).astype(np.int32) for loop in loops]

    cv2.fillPoly(out, polygons(region.include), 255, cv2.LINE_AA, _SHIFT)
    if region.exclude:
        cv2.fillPoly(out, polygons(region.exclude), 0, cv2.LINE_AA, _SHIFT)
    if region.side is not None:
        out = np.rint(out * _half_plane(lm, region.side, shape)).astype(np.uint8)
    return out


def face_feathers(faces: Faces, feather_px: float | None = 0.0, feather_iod: float = 0.0) -> list[float]:
    """Each face's feather in pixels: ``feather_px`` when given, else ``feather_iod`` times the
    face's inter-ocular distance (so the edge is equally soft on a small and a large face).

    Examples
    --------
    >>> lm = np.zeros((1, 478, 3), np.float32); lm[0, [263, 362], 0] = 60
    >>> face_feathers(Faces.from_landmarks(lm, (100, 100)), None, 0.1)
    [6.0]
    """
    if feather_px is not None:
        px = check_float(feather_px, "feather_px", low=0.0)
        return [px] * faces.count
    fraction = check_float(feather_iod, "feather_iod", low=0.0)
    return [fraction * inter_ocular_distance(lm) for lm in faces.landmarks]


def region_mask(
    faces: Faces,
    regions: Any,
    frame_shape: tuple[int, ...],
    feather_px: float | None = 0,
    feather_iod: float = 0.0,
) -> RegionMask:
    """The union of ``regions`` over every face, as a soft mask inside the faces' box.

    Polygons are filled anti-aliased at 1/16-pixel precision; regions that reach the
    hairline follow each face's hairline where it was found (:attr:`Faces.hairline`). A
    feather softens the edge with a Gaussian blur of sigma ``feather / 2`` (so the edge ramps
    over about ``2 * feather`` pixels); the box grows by ``ceil(1.5 * feather)`` pixels to
    hold it. The feather is ``feather_px`` pixels, or, when ``feather_px`` is None,
    ``feather_iod`` times each face's inter-ocular distance.

    Parameters
    ----------
    faces : Faces
        Tracked faces of the frame (landmarks in pixels).
    regions : region or list of regions
        Anything :func:`~pyfame.face.regions.resolve_regions` accepts.
    frame_shape : tuple
        The frame's shape; only ``(H, W)`` is used.
    feather_px : float or None
        Edge softening in pixels (0 for a crisp, anti-aliased edge); None to scale it with
        the face (``feather_iod``).
    feather_iod : float
        Edge softening in inter-ocular distances, when ``feather_px`` is None.

    Examples
    --------
    >>> from pyfame.face.regions import CHEEKS_PATH
    >>> m = region_mask(Faces.empty(), CHEEKS_PATH, (480, 640, 3))
    >>> m.empty
    True
    """
    resolved = resolve_regions(regions)
    feathers = face_feathers(faces, feather_px, feather_iod)
    h, w = int(frame_shape[0]), int(frame_shape[1])
    if not faces:
        return RegionMask((0, 0, 0, 0), np.zeros((0, 0), np.float32), (h, w))
    pad = int(math.ceil(1.5 * max(feathers))) + 1
    ux0, uy0, ux1, uy1 = faces.union_box()  # type: ignore[misc]
    x0, y0 = max(ux0 - pad, 0), max(uy0 - pad, 0)
    x1, y1 = min(ux1 + pad, w), min(uy1 + pad, h)
    shape = (y1 - y0, x1 - x0)
    offset = np.array([x0, y0, 0], np.float32)
    alpha: np.ndarray | None = None
    # faces with one feather are drawn together and blurred once; another feather, apart
    for feather in sorted(set(feathers)):
        acc = np.zeros(shape, np.uint8)
        for k, lm in enumerate(faces.landmarks):
            if feathers[k] != feather:
                continue
            hairline = None if faces.hairline is None else faces.hairline[k] - offset[:2]
            for region in resolved:
                np.maximum(acc, _rasterise(lm - offset, region, shape, hairline), out=acc)
        part = _feathered(acc, feather)
        alpha = part if alpha is None else np.maximum(alpha, part)
    return RegionMask((x0, y0, x1, y1), alpha, (h, w))  # type: ignore[arg-type]


def _feathered(coverage: np.ndarray, feather: float) -> np.ndarray:
    """uint8 coverage as float32 alpha, blurred by a Gaussian of sigma ``feather / 2``."""
    alpha = coverage.astype(np.float32) * (1.0 / 255.0)
    sigma = feather / 2.0
    if sigma > 0:  # a feather of 5e-324 halves to 0: no blur, not an OpenCV error
        k = int(round(8 * sigma + 1)) | 1  # OpenCV's own choice for float images, made explicit
        alpha = cv2.GaussianBlur(alpha, (k, k), sigmaX=sigma, borderType=cv2.BORDER_CONSTANT)
        np.clip(alpha, 0.0, 1.0, out=alpha)  # the kernel's float32 sum can exceed 1 by an ulp
    return alpha
