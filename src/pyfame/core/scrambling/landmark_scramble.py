"""Landmark scramble: eyes, brows, nose and mouth lifted off the face and put back, turned,
elsewhere on it, with blank skin where they were.

Method
------
Sizes are in *eye distances* (between the eye centres, measured on each frame), so the
result does not depend on the footage's resolution. Pixel work stays in the features' own
boxes and in the face region's box.

1. **Cut.** Each feature (both eyes, both brows, the nose, the mouth: the region definitions of
   :mod:`pyfame.utils.landmarks`) is rasterised with :func:`~pyfame.face.region_mask.region_mask`
   in its own box, grown by ``margin`` (lids, lashes, lip edges, the brow's stray hairs come
   with it, opaque) and given a soft edge ``feather`` wide beyond that (a smoothstep of the
   distance to the outline).
2. **Remove.** Everything a cut touches, and ``HOLE_CLEARANCE`` beyond, is a hole, filled with
   the *membrane* of the face around it: the harmonic function that equals the frame on the
   hole's edge (Poisson image editing with a zero guidance field, Pérez et al., 2003), which
   carries the skin's colour and its lighting gradient across the hole and meets the frame
   without a seam. It is solved coarse to fine on an image pyramid (:func:`membrane_fill`),
   from the frame with spots smaller than ``DESPECKLE`` removed (a median filter), so that a
   stray hair or crease on the hole's edge stays a spot instead of bleeding into the fill.
   Over it goes a still skin grain: band-pass noise in each of ``GRAIN_BANDS``, with the
   contrast the cheeks' own detail has in that band on the first frame, drawn once from the
   layer's generator and attached to the face, so it moves with the face and does not boil.
3. **Place.** On the first frame with a face, each feature (biggest first) gets a random angle
   in ``[-max_rotation, max_rotation]`` degrees and a random place, uniform among the places
   where the whole turned feature, soft edge included, lies inside ``landmark_regions``, its
   solid part (mask >= 0.5) stays ``PLACEMENT_GAP`` away from the features placed before it,
   and it does not cover where a feature of its own kind was (an eye never lands on an eye's
   old place), so every feature really moves. The places are exact: an erosion of the free
   area by the turned feature's footprint, on a raster of ``PLAN_CELLS_PER_EYE_DISTANCE``.
   When no arrangement fits in ``PLACEMENT_TRIES`` tries, the own-kind rule is dropped, then
   the gap, and last the features may overlap (each drop is logged and recorded in the
   sidecar).
4. **Follow the face.** A place is anchored to the face mesh around it: on each frame it moves
   with the affine map that best carries the first frame's landmarks within ``ANCHOR_REACH``
   of it to this frame's (moving least squares, Schaefer et al., 2006), so a feature stays on
   the same patch of skin as the head turns, tilts or talks, and is foreshortened with it;
   its angle is kept relative to the eye line.
5. **Paste.** Each frame, every feature is cut from the unchanged frame, turned, relit from the
   skin's shading where it was to the shading where it lands (the ratio of the two, at most
   ``MAX_RELIGHT`` either way; the shading is the local mean of skin pixels alone, so hair
   and shadows over a brow do not count as skin), and blended over the filled face through
   its soft mask. The result is laid on the frame through ``landmark_regions``: nothing
   outside it changes.

The places (face coordinates of the first frame: origin midway between the outer eye
corners, x along the eye line, unit the outer-corner distance; see
:mod:`pyfame.face.face_frame`), the angles and any dropped placement rule go into the sidecar
(:meth:`LandmarkScramble.draws`). Only the first face of a frame is scrambled.

Examples
--------
>>> from pyfame.face.geometry.example_face import example_face
>>> face = example_face()
>>> faces = Faces.from_landmarks(face.landmarks[None], face.image.shape)
>>> layer = LandmarkScramble(max_rotation=30)
>>> out = layer.apply(face.image.copy(), faces, 0.0, np.random.default_rng(1))
>>> sorted(layer.draws())
['left_eye', 'left_eyebrow', 'mouth', 'nose', 'placement_rules_dropped', 'right_eye', 'right_eyebrow']
>>> bool((out[480:] == face.image[480:]).all())  # below the face: untouched
True
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from pyfame.errors import PyfameValueError
from pyfame.face.face_frame import face_frame, face_scale, to_face
from pyfame.face.faces import Faces
from pyfame.face.geometry.alignment import eye_centres
from pyfame.face.region_mask import RegionMask, region_mask
from pyfame.face.regions import (
    CHEEKS_PATH,
    FACE_SKIN_PATH,
    FACE_OVAL_MASK,
    LEFT_EYE_PATH,
    LEFT_EYEBROW_PATH,
    MOUTH_PATH,
    NOSE_PATH,
    RIGHT_EYE_PATH,
    RIGHT_EYEBROW_PATH,
    Region,
    resolve_regions,
)
from pyfame.pipeline.layer import Layer, SourceInfo
from pyfame.pipeline.params import Boolean, Number, Optional, Param, Regions

log = logging.getLogger(__name__)

FEATURES = {
    "left_eye": LEFT_EYE_PATH, "right_eye": RIGHT_EYE_PATH, "left_eyebrow": LEFT_EYEBROW_PATH,
    "right_eyebrow": RIGHT_EYEBROW_PATH, "nose": NOSE_PATH, "mouth": MOUTH_PATH,
}

SCHAEFER_2006 = ("Schaefer, S., McPhail, T., & Warren, J. (2006). Image deformation using moving least "
                 "squares. ACM Transactions on Graphics, 25(3), 533-540.")
PEREZ_2003 = ("Pérez, P., Gangnet, M., & Blake, A. (2003). Poisson image editing. ACM Transactions on "
              "Graphics, 22(3), 313-318.")

#: Resolution of the placement raster, in cells per eye distance.
PLAN_CELLS_PER_EYE_DISTANCE = 40.0
#: Free space kept between the solid parts of placed features, in eye distances.
PLACEMENT_GAP = 0.05
#: Whole-plan tries before a placement rule is relaxed.
PLACEMENT_TRIES = 30
#: How far around its place a feature's anchor on the mesh reaches, in eye distances.
ANCHOR_REACH = 0.3
#: How far beyond a feature's soft edge its hole reaches, in eye distances.
HOLE_CLEARANCE = 0.03
#: The face around the holes the membrane is solved with, in eye distances.
MEMBRANE_CONTEXT = 0.15
#: Spots smaller than this on a hole's edge do not bleed into the fill (a median filter), in eye distances.
DESPECKLE = 0.08
#: The skin grain's bands: detail between each scale and the next, in eye distances (Gaussian sigmas).
GRAIN_BANDS = (0.01, 0.02, 0.04)
#: Scale of the skin shading a moved feature is relit by, in eye distances (a Gaussian's sigma).
SHADING_SCALE = 0.08
#: The most a moved feature is brightened or darkened by relighting (a factor and its inverse).
MAX_RELIGHT = 1.5
#: Added to pixel values before relighting, so that near-black pixels are not amplified.
_DARK = 8.0

_NEIGHBOUR_MEAN = np.array([[0.0, 0.25, 0.0], [0.25, 0.0, 0.25], [0.0, 0.25, 0.0]], np.float32)


def membrane_fill(image: np.ndarray, hole: np.ndarray, iterations: int = 8) -> np.ndarray:
    """Fill ``hole`` with the membrane of the pixels around it: the harmonic function (zero
    Laplacian) that equals ``image`` on the hole's edge.

    Solved coarse to fine: the known pixels are averaged down an image pyramid (hole pixels
    left out), the coarsest level is relaxed to convergence, and each finer level starts from
    the coarser solution and is relaxed by a few Jacobi sweeps. Pixels outside the hole are
    returned unchanged; the box's own border acts as a mirror where the hole reaches it.

    Parameters
    ----------
    image : numpy.ndarray
        ``(H, W)`` or ``(H, W, C)``, any real dtype.
    hole : numpy.ndarray
        ``(H, W)`` bool or 0/1: the pixels to fill.
    iterations : int
        Jacobi sweeps at full resolution (the coarser levels get more).

    Returns
    -------
    numpy.ndarray
        float32, the shape of ``image``. If no pixel is known, ``image`` as float32.

    Examples
    --------
    A linear ramp is harmonic, so a hole in it is filled with the ramp:

    >>> ramp = np.tile(np.arange(40, dtype=np.float32) * 2, (30, 1))
    >>> hole = np.zeros((30, 40), bool); hole[8:22, 10:30] = True
    >>> damaged = ramp.copy(); damaged[hole] = 255
    >>> bool(np.abs(membrane_fill(damaged, hole) - ramp).max() < 1.0)
    True
    """
    flat = image.ndim == 2
    data = np.ascontiguousarray(image[..., None] if flat else image, dtype=np.float32)
    known = np.ascontiguousarray(~np.asarray(hole, bool), dtype=np.uint8)
    if known.all() or not known.any():
        return data[..., 0].copy() if flat else data.copy()
    levels = [(data, known)]
    weight = known.astype(np.float32)
    while min(weight.shape) > 8 and int(levels[-1][1].sum()) < levels[-1][1].size - 4:
        # average the known pixels only, so no hole pixel leaks into a coarser level
        w_down = cv2.pyrDown(weight)
        d_down = _channels(cv2.pyrDown(levels[-1][0] * weight[..., None]))
        d_down /= np.maximum(w_down, 1e-6)[..., None]
        weight = (w_down > 0.5).astype(np.float32)
        if not weight.any():
            break
        levels.append((d_down, weight.astype(np.uint8)))
    solution: np.ndarray | None = None
    for depth in range(len(levels) - 1, -1, -1):
        values, mask = levels[depth]
        if solution is None:
            solution = np.empty_like(values)
            solution[:] = values[mask.astype(bool)].mean(axis=0)
            sweeps = 20 + 2 * max(values.shape[:2])
        else:
            solution = _channels(cv2.pyrUp(solution, dstsize=(values.shape[1], values.shape[0])))
            sweeps = iterations if depth == 0 else 2 * iterations
        cv2.copyTo(values, mask, solution)
        spare = np.empty_like(solution)
        for _ in range(sweeps):
            cv2.filter2D(solution, -1, _NEIGHBOUR_MEAN, dst=spare, borderType=cv2.BORDER_REFLECT)
            cv2.copyTo(values, mask, spare)
            solution, spare = spare, solution
    assert solution is not None
    return solution[..., 0] if flat else solution


def _despeckled(image: np.ndarray, size_px: float) -> np.ndarray:
    """``image`` without dark or bright spots smaller than about ``size_px`` (a 5x5 median
    at the resolution where 5 pixels span ``size_px``, brought back to full size), as float32.
    Filling a hole from it, a stray hair or shadow spot on the hole's edge stays a spot
    instead of bleeding into the fill."""
    h, w = image.shape[:2]
    factor = max(size_px / 5.0, 1.0)
    small = (max(int(round(w / factor)), 1), max(int(round(h / factor)), 1))
    reduced = cv2.resize(image, small, interpolation=cv2.INTER_AREA) if factor > 1 else image
    smooth = cv2.medianBlur(np.ascontiguousarray(reduced), 5)
    if factor > 1:
        smooth = cv2.resize(smooth, (w, h), interpolation=cv2.INTER_LINEAR)
    return _channels(smooth).astype(np.float32)


def _channels(array: np.ndarray) -> np.ndarray:
    """OpenCV drops a single channel's axis; put it back."""
    return array[..., None] if array.ndim == 2 else array


@dataclass
class _Cut:
    """One feature on one frame: its soft mask in its box, and its centre (frame pixels)."""

    box: tuple[int, int, int, int]
    alpha: np.ndarray
    centre: np.ndarray
    hole: np.ndarray  # uint8, 1 where the feature is removed: beyond the soft edge by ``clear_px``


def _feature_cuts(lm: np.ndarray, regions: dict[str, Region], frame_shape: tuple[int, ...],
                  margin_px: float, feather_px: float, clear_px: float) -> dict[str, _Cut]:
    """Each feature's soft mask: opaque to ``margin_px`` beyond its outline, then a
    smoothstep to 0 over ``feather_px``; and its hole, ``clear_px`` beyond that; in a box
    that holds them (clipped to the frame)."""
    h, w = int(frame_shape[0]), int(frame_shape[1])
    reach = margin_px + feather_px + clear_px + 2.0
    cuts = {}
    for name, region in regions.items():
        outline = lm[region.landmark_indices, :2].astype(np.float64)
        lo = np.floor(outline.min(axis=0) - reach).astype(int)
        hi = np.ceil(outline.max(axis=0) + reach).astype(int) + 1
        box = (max(int(lo[0]), 0), max(int(lo[1]), 0), min(int(hi[0]), w), min(int(hi[1]), h))
        if box[2] - box[0] < 2 or box[3] - box[1] < 2:
            continue  # the feature is off the frame
        faces = Faces(lm[None].astype(np.float32), np.array([box], np.int32))  # rasterise in this box only
        inside = region_mask(faces, region, frame_shape).within(box)
        outside = (inside < 0.5).astype(np.uint8)
        distance = cv2.distanceTransform(outside, cv2.DIST_L2, 5)
        if feather_px > 0:
            ramp = np.clip((margin_px + feather_px - distance) / feather_px, 0.0, 1.0)
            alpha = ramp * ramp * (3.0 - 2.0 * ramp)
        else:
            alpha = (distance <= margin_px).astype(np.float32)
        alpha = np.maximum(alpha, inside).astype(np.float32)  # the outline's own anti-aliased edge
        hole = (distance < margin_px + feather_px + clear_px).astype(np.uint8)
        cuts[name] = _Cut(box, alpha, outline.mean(axis=0), hole)
    return cuts


def _local_affine(reference: np.ndarray, current: np.ndarray, at: np.ndarray, reach: float
                  ) -> tuple[np.ndarray, np.ndarray]:
    """How the face moved around the points ``at`` (``(k, 2)``, of the reference frame): for
    each, the affine map from ``reference`` to ``current`` points fitted by least squares with
    Gaussian weights of width ``reach`` around it (moving least squares, Schaefer et al.,
    2006). Returns the maps' linear parts (``(k, 2, 2)``, acting on column vectors) and where
    the points went (``(k, 2)``).

    Examples
    --------
    >>> ref = np.array([[0.0, 0], [10, 0], [0, 10], [10, 10]])
    >>> linear, moved = _local_affine(ref, ref * 2 + 1, np.array([[5.0, 5.0]]), 8.0)
    >>> linear[0].round(6).tolist(), moved[0].round(6).tolist()
    ([[2.0, 0.0], [0.0, 2.0]], [11.0, 11.0])
    """
    weight = np.exp(-((reference[None] - at[:, None]) ** 2).sum(axis=2) / (2.0 * reach * reach))
    weight += 1e-9 * weight.max(axis=1, keepdims=True) + 1e-300  # far from every point: all of them, equally
    weight /= weight.sum(axis=1, keepdims=True)
    p_mean, q_mean = weight @ reference, weight @ current
    p = reference[None] - p_mean[:, None]
    q = current[None] - q_mean[:, None]
    spread = np.einsum("ki,kia,kib->kab", weight, p, p)
    cross = np.einsum("ki,kia,kib->kab", weight, q, p)
    linear = cross @ np.linalg.pinv(spread)
    return linear, q_mean + np.einsum("kab,kb->ka", linear, at - p_mean)


def _warped_box(m: np.ndarray, box: tuple[int, int, int, int], frame_shape: tuple[int, ...]
                ) -> tuple[int, int, int, int] | None:
    """The box (clipped to the frame) holding ``box`` mapped by ``m``; None if off the frame."""
    x0, y0, x1, y1 = box
    corners = np.array([[x0, y0, 1], [x1, y0, 1], [x0, y1, 1], [x1, y1, 1]], np.float64) @ m.T
    lo, hi = np.floor(corners.min(axis=0)).astype(int), np.ceil(corners.max(axis=0)).astype(int) + 1
    h, w = int(frame_shape[0]), int(frame_shape[1])
    out = (max(int(lo[0]), 0), max(int(lo[1]), 0), min(int(hi[0]), w), min(int(hi[1]), h))
    return out if out[2] > out[0] and out[3] > out[1] else None


def _shifted(m: np.ndarray, source_origin: tuple[int, int], target_origin: tuple[int, int]) -> np.ndarray:
    """``m`` re-expressed between a source box and a target box (both given by their top-left)."""
    out = m.copy()
    out[:, 2] += m[:, :2] @ np.asarray(source_origin, np.float64) - np.asarray(target_origin, np.float64)
    return out


def _kind(name: str) -> str:
    return name.removeprefix("left_").removeprefix("right_")


class _Shading:
    """The smooth shading of a face's skin, at low resolution, read through affine maps.

    The local mean of the skin pixels alone (normalised convolution at ``sigma_px``: pixels
    that are not skin, or far darker or brighter than the face's skin, carry no weight), and
    its membrane where no skin is near (inside the holes).
    """

    def __init__(self, pixels: np.ndarray, skin: np.ndarray, origin: tuple[int, int], sigma_px: float) -> None:
        h, w = pixels.shape[:2]
        factor = max(sigma_px / 1.5, 1.0)  # about 1.5 low-resolution pixels per sigma
        small = (max(int(round(w / factor)), 1), max(int(round(h / factor)), 1))
        self.sx, self.sy = small[0] / w, small[1] / h
        self.origin = np.asarray(origin, np.float64)
        values = _channels(cv2.resize(pixels, small, interpolation=cv2.INTER_AREA)).astype(np.float32)
        share = cv2.resize(skin.astype(np.float32), small, interpolation=cv2.INTER_AREA)
        lum = values.mean(axis=2)
        typical = float(np.median(lum[share >= 0.5])) if (share >= 0.5).any() else 128.0
        weight = share * ((lum > 0.55 * typical) & (lum < 1.6 * typical))
        values *= weight[..., None]
        total = _channels(cv2.GaussianBlur(values, (0, 0), 1.5, borderType=cv2.BORDER_REFLECT))
        mass = cv2.GaussianBlur(weight, (0, 0), 1.5, borderType=cv2.BORDER_REFLECT)
        sure = mass > 0.05
        if sure.any():
            low = membrane_fill(total / np.maximum(mass, 1e-6)[..., None], ~sure)
        else:
            low = np.full(total.shape, typical, np.float32)
        self.low = low + _DARK

    def at(self, back: np.ndarray, size: tuple[int, int]) -> np.ndarray:
        """The shading (plus ``_DARK``) over a box of ``size`` whose pixels ``back`` (2x3)
        maps to frame pixels."""
        # frame pixel p → low-resolution pixel q = (p - origin + 0.5) * s - 0.5
        s = np.array([[self.sx, 0.0], [0.0, self.sy]])
        m = np.hstack([s @ back[:, :2], (s @ (back[:, 2] - self.origin + 0.5) - 0.5)[:, None]])
        return _channels(cv2.warpAffine(self.low, m, size, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                                        borderMode=cv2.BORDER_REPLICATE))


@dataclass
class _Plan:
    """What is drawn once per clip."""

    places: dict[str, tuple[np.ndarray, float]]  # feature → (centre in face coords, degrees)
    anchors: dict[str, np.ndarray]  # feature → its place on the first frame (pixels)
    reference: np.ndarray  # the first frame's landmarks (x, y), float64
    basis: np.ndarray  # the first frame's face-frame basis
    reach: float  # the anchors' neighbourhood on the mesh (pixels of the first frame)
    dropped: list[str]  # placement rules that had to give way
    grain: np.ndarray  # still skin grain, float32 (cells x 3), on a raster in face coordinates
    grain_origin: np.ndarray  # face coords of grain[0, 0]
    grain_scale: float  # grain cells per face unit


#: The placement rules, strictest first; each try drops one more.
_RULES = ("away from its own kind", "gap between features", "no overlap")


class LandmarkScramble(Layer):
    """Move the facial features to random, non-overlapping places on the face, and leave
    blank skin where they were.

    Each feature (both eyes, both brows, nose, mouth) is cut with a soft mask that takes the
    skin within ``margin`` of its outline along, turned by a random angle in
    ``[-max_rotation, max_rotation]`` degrees, and pasted whole at a random place inside
    ``landmark_regions`` (the face oval by default) where it overlaps no other feature. The
    skin where the features were is rebuilt from the skin around them (a membrane fill with
    the face's own grain), without seams, and each moved feature is relit from the skin's
    shading where it was to the shading where it lands. Places and angles are drawn once per
    clip (seeded) in face coordinates, so on video the features stay put on the moving face;
    they go into the sidecar. Pixels outside ``landmark_regions`` stay bit for bit. See
    :mod:`pyfame.core.scrambling.landmark_scramble` for the method.

    Examples
    --------
    >>> import pyfame as pf
    >>> layer = pf.LandmarkScramble(max_rotation=60, margin=0.1)
    """

    name = "landmark_scramble"
    subfolder = "Scrambled"
    output_tag = "landmark"
    references = (PEREZ_2003, SCHAEFER_2006)

    max_rotation: float = Param(Number(0.0, 180.0), default=45.0, unit="degrees",
                                help="Each feature turns by a random angle up to this.")
    margin: float = Param(Number(0.0, 0.5), default=0.08, unit="eye distances",
                          help="Skin around each feature's outline that is removed and moves with it.")
    feather: float = Param(Number(0.0, 0.5), default=0.05, unit="eye distances",
                           help="Width of the moved features' soft edge, beyond the margin.")
    feather_px: float | None = Param(Optional(Number(0.0, 50.0)), default=None, unit="px",
                                     help="The soft edge's width in pixels instead, the same on every face "
                                          "(overrides feather; the parameter of PyFAME 0.2).")
    landmark_regions: list = Param(Regions(), default=FACE_OVAL_MASK, cli_names=("--region",),
                                   help="The face area the features are placed in; nothing outside it changes.")
    out_grayscale: bool = Param(Boolean(), default=False, help="Write the result in grey.",
                                cli_names=("--grayscale",))

    def __post_init__(self) -> None:
        self._regions = {name: resolve_regions(path)[0] for name, path in FEATURES.items()}
        self._plan: _Plan | None = None

    def start(self, info: SourceInfo) -> None:
        self._plan = None

    def covered_regions(self) -> list[Any] | None:
        return None if self.out_grayscale else self.landmark_regions

    # ---- once per clip ----------------------------------------------------------------------

    def _draw_plan(self, frame: np.ndarray, lm: np.ndarray, area: RegionMask, cuts: dict[str, _Cut],
                   eye_distance: float, rng: np.random.Generator) -> _Plan:
        # the placement raster: the region's box at PLAN_CELLS_PER_EYE_DISTANCE
        scale = min(1.0, PLAN_CELLS_PER_EYE_DISTANCE / eye_distance)
        ax0, ay0, ax1, ay1 = area.box
        size = (max(int(round((ax1 - ax0) * scale)), 1), max(int(round((ay1 - ay0) * scale)), 1))
        to_plan = np.array([[scale, 0.0, -ax0 * scale], [0.0, scale, -ay0 * scale]])
        inside = (cv2.resize(area.alpha, size, interpolation=cv2.INTER_AREA) >= 0.99).astype(np.uint8)
        inside = cv2.erode(inside, np.ones((3, 3), np.uint8), borderType=cv2.BORDER_CONSTANT, borderValue=0)
        gap = max(int(round(PLACEMENT_GAP * eye_distance * scale)), 1)
        names = [n for n in FEATURES if n in cuts]
        if len(names) < len(FEATURES):
            log.warning("landmark scramble: %s off the frame on the first frame with a face; left where they are",
                        ", ".join(sorted(set(FEATURES) - set(names))))
        # each feature's solid part (alpha >= 0.5) where it is now, on the raster
        solid_now = {n: cv2.warpAffine((cuts[n].alpha >= 0.5).astype(np.uint8),
                                       _shifted(to_plan, cuts[n].box[:2], (0, 0)), size, flags=cv2.INTER_NEAREST)
                     for n in names}
        outside = [n for n in names if np.count_nonzero(solid_now[n] & (1 - inside)) > 0.5 * np.count_nonzero(
            solid_now[n])]
        if outside:
            raise PyfameValueError(
                f"landmark_regions ({self.params()['landmark_regions']}) must hold the features it scrambles; "
                f"{', '.join(outside)} lie mostly outside it (the face oval holds them all)",
                param="landmark_regions")
        order = sorted(names, key=lambda n: -float(cuts[n].alpha.sum()))  # biggest first
        places = None
        for dropped in range(len(_RULES) + 1):
            for _ in range(PLACEMENT_TRIES if dropped < len(_RULES) else 1):
                places = self._arrange(order, cuts, to_plan, size, inside, solid_now, gap, dropped, rng)
                if places is not None:
                    break
            if places is not None:
                break
        assert places is not None  # with every rule dropped, a feature that fits nowhere stays put
        if dropped:
            log.warning("landmark scramble: the features do not fit %s under every rule; dropped: %s",
                        self.params()["landmark_regions"], ", ".join(_RULES[:dropped]))
        face_places = {n: (to_face(lm, centre[None])[0], angle) for n, (centre, angle) in places.items()}
        return _Plan(face_places, {n: centre for n, (centre, _) in places.items()}, lm[:, :2].astype(np.float64),
                     face_frame(lm)[1], ANCHOR_REACH * eye_distance, list(_RULES[:dropped]),
                     *self._grain(frame, lm, area, eye_distance, rng))

    def _arrange(self, order: list[str], cuts: dict[str, _Cut], to_plan: np.ndarray, size: tuple[int, int],
                 inside: np.ndarray, solid_now: dict[str, np.ndarray], gap: int, dropped: int,
                 rng: np.random.Generator) -> dict[str, tuple[np.ndarray, float]] | None:
        """One random arrangement (centres in frame pixels, angles) under the rules not
        ``dropped``, or None when a feature found no place."""
        keep_kind, keep_gap, keep_apart = dropped < 1, dropped < 2, dropped < 3
        taken = np.zeros((size[1], size[0]), np.uint8)  # solid parts placed so far, grown by the gap
        grow = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * gap + 1, 2 * gap + 1))
        scale = to_plan[0, 0]
        places = {}
        for name in order:
            cut = cuts[name]
            angle = float(rng.uniform(-self.max_rotation, self.max_rotation))
            # the turned feature on the raster, centred in a square of side 2 * half + 1
            centre = to_plan[:, :2] @ cut.centre + to_plan[:, 2]
            corners = np.array(cut.box, np.float64).reshape(2, 2) * scale + to_plan[:, 2]
            half = int(math.ceil(float(np.abs(corners - centre).max()) * math.sqrt(2))) + 1
            m = cv2.getRotationMatrix2D((float(centre[0]), float(centre[1])), angle, 1.0) @ np.vstack(
                [_shifted(to_plan, cut.box[:2], (0, 0)), [0.0, 0.0, 1.0]])
            m[:, 2] += half - centre
            side = (2 * half + 1, 2 * half + 1)
            whole = cv2.warpAffine((cut.alpha > 0).astype(np.uint8), m, side, flags=cv2.INTER_NEAREST)
            solid = cv2.warpAffine((cut.alpha >= 0.5).astype(np.uint8), m, side, flags=cv2.INTER_NEAREST)
            whole[half, half] = solid[half, half] = 1
            # centres where the whole feature lies inside and its solid part on free ground
            fits = cv2.erode(inside, whole, anchor=(half, half), borderType=cv2.BORDER_CONSTANT, borderValue=0)
            if keep_apart:
                free = 1 - taken
                if keep_kind:
                    for other, there in solid_now.items():
                        if _kind(other) == _kind(name):
                            free &= 1 - there
                fits &= cv2.erode(free, solid, anchor=(half, half), borderType=cv2.BORDER_CONSTANT, borderValue=1)
            ys, xs = np.nonzero(fits)
            if len(xs):
                k = int(rng.integers(len(xs)))
                x, y = int(xs[k]), int(ys[k])
            elif not keep_apart:  # it fits nowhere in the region: it stays where it is
                x, y = (int(round(v)) for v in centre)
            else:
                return None
            if keep_apart:
                mark = np.zeros_like(taken)
                x0, y0 = x - half, y - half
                sx0, sy0 = max(-x0, 0), max(-y0, 0)
                sx1, sy1 = min(side[0], size[0] - x0), min(side[1], size[1] - y0)
                mark[y0 + sy0:y0 + sy1, x0 + sx0:x0 + sx1] = solid[sy0:sy1, sx0:sx1]
                taken |= cv2.dilate(mark, grow) if keep_gap else mark
            places[name] = ((np.array([x, y], np.float64) - to_plan[:, 2]) / scale, angle)
        return places

    def _grain(self, frame: np.ndarray, lm: np.ndarray, area: RegionMask, eye_distance: float,
               rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, float]:
        """A still skin grain over the face region, on a raster in face coordinates (one cell
        per pixel of this frame): band-pass noise in each of ``GRAIN_BANDS``, each with the
        contrast of the cheeks' own detail in that band (robust standard deviation, per
        channel). Returns the grain (float32, cells x 3), the face coordinates of its first
        cell, and its cells per face unit."""
        one = Faces.from_landmarks(lm[None], frame.shape)
        cheeks = region_mask(one, CHEEKS_PATH, frame.shape)
        solid = cheeks.alpha >= 0.99
        patch = frame[cheeks.slices].astype(np.float32)
        per_unit = face_scale(lm)
        x0, y0, x1, y1 = area.box
        corners = to_face(lm, np.array([[x0, y0], [x1, y0], [x0, y1], [x1, y1]], np.float64))
        origin = corners.min(axis=0)
        cells = np.ceil((corners.max(axis=0) - origin) * per_unit).astype(int) + 2
        white = rng.standard_normal((int(cells[1]), int(cells[0])), dtype=np.float32)
        grain = np.zeros((int(cells[1]), int(cells[0]), 3), np.float32)
        finer_skin, finer_noise = patch, white
        for scale in GRAIN_BANDS:
            sigma = max(scale * eye_distance, 0.3)
            coarser_skin = cv2.GaussianBlur(patch, (0, 0), sigma)
            coarser_noise = cv2.GaussianBlur(white, (0, 0), sigma)
            detail = (finer_skin - coarser_skin)[solid]
            if len(detail) >= 16:
                contrast = 1.4826 * np.median(np.abs(detail - np.median(detail, axis=0)), axis=0)
                band = finer_noise - coarser_noise
                band /= max(float(band.std()), 1e-6)
                grain += band[..., None] * contrast.astype(np.float32)
            finer_skin, finer_noise = coarser_skin, coarser_noise
        return grain, origin, per_unit

    # ---- every frame ------------------------------------------------------------------------

    def apply(self, frame: np.ndarray, faces: Faces, t: float, rng: np.random.Generator) -> np.ndarray:
        lm = faces.landmarks[0]
        one = faces.subset(0)
        shape = frame.shape
        centres = eye_centres(lm)
        eye_distance = max(float(np.linalg.norm(centres[1] - centres[0])), 1.0)
        area = region_mask(one, self.landmark_regions, shape)
        if area.empty:
            return frame
        feather = self.feather_px if self.feather_px is not None else self.feather * eye_distance
        cuts = _feature_cuts(lm, self._regions, shape, self.margin * eye_distance, feather,
                             max(HOLE_CLEARANCE * eye_distance, 1.0))
        if self._plan is None:
            self._plan = self._draw_plan(frame, lm, area, cuts, eye_distance, rng)
        plan = self._plan
        ax0, ay0, ax1, ay1 = area.box
        original = frame[ay0:ay1, ax0:ax1]
        work = original.copy()

        # remove: everything a cut touches is a hole, filled with the membrane of the skin
        # around it and the still grain
        holes = np.zeros(work.shape[:2], np.uint8)
        for name, cut in cuts.items():
            if name not in plan.places:  # off the frame when the places were drawn: it stays
                continue
            x0, y0, x1, y1 = cut.box
            ix0, iy0, ix1, iy1 = max(x0, ax0), max(y0, ay0), min(x1, ax1), min(y1, ay1)
            if ix0 < ix1 and iy0 < iy1:
                holes[iy0 - ay0:iy1 - ay0, ix0 - ax0:ix1 - ax0] |= cut.hole[iy0 - y0:iy1 - y0, ix0 - x0:ix1 - x0]
        ys, xs = np.nonzero(holes.any(axis=1))[0], np.nonzero(holes.any(axis=0))[0]
        if len(ys):
            # the holes' box and the face around it, so that the pyramid's coarse levels see
            # the skin beyond every edge, not a one-pixel rim
            pad = max(int(round(MEMBRANE_CONTEXT * eye_distance)), 2)
            x0, y0 = max(int(xs[0]) - pad, 0), max(int(ys[0]) - pad, 0)
            x1, y1 = min(int(xs[-1]) + 1 + pad, work.shape[1]), min(int(ys[-1]) + 1 + pad, work.shape[0])
            hole, box = holes[y0:y1, x0:x1], work[y0:y1, x0:x1]
            filled = membrane_fill(_despeckled(box, DESPECKLE * eye_distance), hole > 0)
            ramp_px = max(2.0, GRAIN_BANDS[-1] * eye_distance)
            strength = np.clip(cv2.distanceTransform(hole, cv2.DIST_L2, 3) / ramp_px, 0.0, 1.0)[..., None]
            filled += self._grain_in(lm, plan, (ax0 + x0, ay0 + y0), box.shape[:2]) * strength
            cv2.copyTo(np.clip(np.rint(filled), 0, 255).astype(np.uint8), hole, box)

        # place: each feature cut from the unchanged frame, turned, relit from the skin's
        # shading where it was to the shading where it lands, blended over the filled face
        skin = region_mask(one, FACE_SKIN_PATH, shape).within(area.box) >= 0.99
        skin &= holes == 0
        shading = _Shading(original, skin, (ax0, ay0), SHADING_SCALE * eye_distance)
        # the face's turn and scale since the first frame (its eye line), undone before the
        # feature takes on the local movement of the skin it lands on
        undo = plan.basis @ np.linalg.inv(face_frame(lm)[1])
        names = list(plan.places)
        locals_, targets = _local_affine(plan.reference, lm[:, :2].astype(np.float64),
                                         np.array([plan.anchors[n] for n in names]).reshape(-1, 2), plan.reach)
        for name, local, target in zip(names, locals_, targets):
            cut = cuts.get(name)
            if cut is None:
                continue
            m = np.empty((2, 3))
            m[:, :2] = local @ cv2.getRotationMatrix2D((0.0, 0.0), plan.places[name][1], 1.0)[:, :2] @ undo
            m[:, 2] = target - m[:, :2] @ cut.centre
            dst = _warped_box(m, cut.box, shape)
            if dst is None:
                continue
            dx0, dy0, dx1, dy1 = max(dst[0], ax0), max(dst[1], ay0), min(dst[2], ax1), min(dst[3], ay1)
            if dx0 >= dx1 or dy0 >= dy1:
                continue
            size = (dx1 - dx0, dy1 - dy0)
            into = _shifted(m, (0, 0), (dx0, dy0))  # frame pixels → the target box
            alpha = cv2.warpAffine(cut.alpha, _shifted(m, cut.box[:2], (dx0, dy0)), size, flags=cv2.INTER_LINEAR,
                                   borderMode=cv2.BORDER_CONSTANT, borderValue=0)
            moved = cv2.warpAffine(frame, into, size, flags=cv2.INTER_LINEAR,
                                   borderMode=cv2.BORDER_REPLICATE).astype(np.float32)
            gain = shading.at(np.array([[1.0, 0.0, dx0], [0.0, 1.0, dy0]]), size)
            gain /= shading.at(cv2.invertAffineTransform(into), size)
            np.clip(gain, 1.0 / MAX_RELIGHT, MAX_RELIGHT, out=gain)
            moved += _DARK
            moved *= gain
            moved -= _DARK
            under = work[dy0 - ay0:dy1 - ay0, dx0 - ax0:dx1 - ax0]
            base = under.astype(np.float32)
            moved -= base
            moved *= alpha[..., None]
            moved += base
            under[:] = np.clip(np.rint(moved), 0, 255).astype(np.uint8)

        out = area.blend(frame, work)  # through the region: nothing outside it changes
        if self.out_grayscale:
            out[:] = cv2.cvtColor(cv2.cvtColor(out, cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB)
        return out

    @staticmethod
    def _grain_in(lm: np.ndarray, plan: _Plan, origin: tuple[int, int], shape: tuple[int, int]) -> np.ndarray:
        """The still grain over a box of the frame (top-left ``origin``), following the face."""
        o, basis = face_frame(lm)
        inverse = np.linalg.inv(basis) * plan.grain_scale  # frame pixels → grain cells
        offset = inverse @ (np.asarray(origin, np.float64) - o) - plan.grain_origin * plan.grain_scale
        field = cv2.warpAffine(plan.grain, np.hstack([inverse, offset[:, None]]), (shape[1], shape[0]),
                               flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REFLECT)
        return _channels(field)

    def draws(self) -> dict[str, Any]:
        if self._plan is None:
            return {}
        out: dict[str, Any] = {name: {"centre_face_coords": uv.round(4).tolist(), "rotation_deg": round(angle, 3)}
                               for name, (uv, angle) in self._plan.places.items()}
        out["placement_rules_dropped"] = list(self._plan.dropped)
        return out
