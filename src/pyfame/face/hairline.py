"""Where the forehead ends: the hairline above MediaPipe's face oval, found on each frame.

MediaPipe's face oval stops a few centimetres below the hairline, so a manipulation of the
face oval (a colour shift, a mask, a blur) drew a band across the forehead. The hairline is
found from the mesh and the pixels together:

1. *Geometry from the mesh.* Rays start at the upper arc of the face oval (the oval's
   landmarks from one temple over the forehead to the other, and the midpoints between
   them) and run "up" in the face's own frame (perpendicular to the line through the eye
   centres). Lengths are in inter-ocular distances (IOD, measured in 3-D so a turned head
   keeps its scale). Each ray starts a little below the oval (``START_BELOW`` IOD) so that a
   fringe reaching below the oval is found too, and may run up to ``MAX_ABOVE`` IOD above
   it; both taper to nothing at the temples, where the oval meets the hair at the side.
2. *Skin from the face itself.* The skin colour is estimated on the cheeks and the middle
   of the forehead (CIELAB, median and scaled MAD per channel, a floor on each scale so a
   very evenly lit face does not make the test brittle). Along each ray, the pixels of a
   slightly blurred frame are tested against it (the CIELAB distance in robust SDs per
   channel, :data:`SKIN_THRESHOLD`); a ray stops before the first run of non-skin
   samples ``STOP_RUN`` IOD long (hair, a hat, the background), so a wrinkle or a
   freckle does not stop it. Each ray also compares its samples with the skin where it
   starts (:data:`LOCAL_DELTA`), which stops it at fair hair that the face-wide model,
   widened by the face's shading, would let through.
3. *A smooth line.* Ray lengths are smoothed across neighbouring rays (median of three,
   then a 1-2-1 filter), and in a video over time (:class:`HairlineSmoother`), so the
   forehead's edge does not flicker.

The result is a polyline of :data:`N_POINTS` points from landmark 127 (the subject's right
temple) to 356 (the left temple), replacing the oval's upper arc in the regions that reach
the hairline (the face oval, the face skin, the forehead and the hemi-face masks).

Examples
--------
>>> from pyfame.face.tracker import FaceTracker
>>> from pyfame.samples import sample_face
>>> face = sample_face()
>>> with FaceTracker(mode="image") as tracker:
...     faces = tracker.track(face)
>>> faces.hairline.shape
(1, 29, 2)
"""

from __future__ import annotations

import cv2
import numpy as np

from pyfame.face.one_euro import OneEuroFilter

#: The face oval's upper arc, from the subject's right temple over the forehead to the left.
ARC = (127, 162, 21, 54, 103, 67, 109, 10, 338, 297, 332, 284, 251, 389, 356)
#: Points of the hairline: the arc's landmarks and the midpoints between neighbours.
N_POINTS = 2 * len(ARC) - 1
#: Mesh points on the cheeks and the middle of the forehead whose colour is the face's skin.
SKIN_REFERENCE = (50, 101, 36, 205, 187, 123, 117, 118, 280, 330, 266, 425, 411, 352, 346, 347,
                  9, 8, 151, 108, 337)
#: How far above the oval the forehead may reach, in IOD (at the arc's top; less towards the temples).
MAX_ABOVE = 0.8
#: How far below the oval a ray starts, in IOD, so a fringe over the oval is found.
START_BELOW = 0.15
#: Sampling step along a ray, in IOD.
STEP = 0.01
#: Length of the run of non-skin samples that ends the forehead, in IOD.
STOP_RUN = 0.04
#: A sample is skin when its CIELAB distance from the skin's median, in robust SDs per channel, is below this.
SKIN_THRESHOLD = 3.5
#: A ray's own skin is measured from its start to this far above the oval, in IOD.
LOCAL_ABOVE = 0.05
#: A sample further than this from its ray's own skin (CIELAB distance, ΔE*76) is not forehead.
LOCAL_DELTA = 12.0
#: Floors of the skin model's per-channel scale (L*, a*, b*), in CIELAB units.
SCALE_FLOOR = (4.0, 2.5, 2.5)
#: The face is looked at with this many pixels between the eyes (larger faces are shrunk first).
WORKING_IOD = 60.0
#: Blur of the frame before sampling (Gaussian sigma), in IOD.
SAMPLE_BLUR = 0.025

_EYE_CORNERS = ((33, 133), (263, 362))


def inter_ocular_distance(landmarks: np.ndarray) -> float:
    """Distance between the eye centres (midpoints of each eye's corners), in 3-D, in pixels.

    Examples
    --------
    >>> lm = np.zeros((478, 3), np.float32); lm[[263, 362], 0] = 10
    >>> inter_ocular_distance(lm)
    10.0
    """
    right = landmarks[list(_EYE_CORNERS[0])].astype(np.float64).mean(axis=0)
    left = landmarks[list(_EYE_CORNERS[1])].astype(np.float64).mean(axis=0)
    return float(np.linalg.norm(left - right))


def _up(landmarks: np.ndarray) -> np.ndarray:
    """The face's "up" in the image: perpendicular to the eye line, towards the forehead."""
    right = landmarks[list(_EYE_CORNERS[0]), :2].astype(np.float64).mean(axis=0)
    left = landmarks[list(_EYE_CORNERS[1]), :2].astype(np.float64).mean(axis=0)
    e = left - right
    e /= max(float(np.hypot(*e)), 1e-9)
    return np.array([e[1], -e[0]])


def arc_points(landmarks: np.ndarray) -> np.ndarray:
    """The oval's upper arc with midpoints: float64 ``(N_POINTS, 2)`` pixel points."""
    arc = landmarks[list(ARC), :2].astype(np.float64)
    out = np.empty((N_POINTS, 2))
    out[0::2] = arc
    out[1::2] = (arc[:-1] + arc[1:]) / 2
    return out


#: How much of the reach each ray gets: 1 over the middle of the forehead, 0 at the temples.
TAPER = np.sqrt(np.sin(np.pi * np.linspace(0.0, 1.0, N_POINTS)))


def hairline_heights(pixels: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    """How far above each point of the oval's arc the forehead's skin reaches, in IOD.

    Parameters
    ----------
    pixels : numpy.ndarray
        The RGB uint8 frame the landmarks were tracked on.
    landmarks : numpy.ndarray
        One face's mesh ``(478, 3)`` in pixels.

    Returns
    -------
    numpy.ndarray
        float64 ``(N_POINTS,)``: heights along the face's "up", negative where hair reaches
        below the oval (a fringe); 0 at both temples.

    Examples
    --------
    >>> from pyfame.face.tracker import FaceTracker
    >>> from pyfame.samples import sample_face
    >>> with FaceTracker(mode="image") as tracker:
    ...     lm = tracker.track(sample_face()).landmarks[0]
    >>> heights = hairline_heights(sample_face(), lm)
    >>> bool(heights.max() <= MAX_ABOVE and heights[0] == heights[-1] == 0.0)
    True
    """
    iod = inter_ocular_distance(landmarks)
    heights = np.zeros(N_POINTS)
    if not np.isfinite(iod) or iod < 2.0:  # too small a face to say anything: the mesh's oval
        return heights
    up = _up(landmarks)
    start = arc_points(landmarks)
    below = START_BELOW * TAPER
    reach = below + MAX_ABOVE * TAPER
    n_steps = int(round(reach.max() / STEP)) + 1
    offsets = np.arange(n_steps) * STEP  # from each ray's start, in IOD
    # sample every ray at once from a blurred CIELAB crop that holds them all
    rays = (start - np.outer(below * iod, up))[:, None, :] + offsets[None, :, None] * iod * up[None, None, :]
    h, w = pixels.shape[:2]
    flat = rays.reshape(-1, 2)
    pad = int(np.ceil(3 * SAMPLE_BLUR * iod)) + 2
    x0, y0 = np.clip(np.floor(flat.min(axis=0)).astype(int) - pad, 0, [w, h])
    x1, y1 = np.clip(np.ceil(flat.max(axis=0)).astype(int) + pad + 1, 0, [w, h])
    if x1 - x0 < 2 or y1 - y0 < 2:
        return heights
    crop = pixels[y0:y1, x0:x1]
    # the test looks at the face at a fixed scale (WORKING_IOD pixels between the eyes), so a 4K
    # frame costs what a small one does; smaller faces are used as they are
    shrink = min(WORKING_IOD / iod, 1.0)
    if shrink < 1.0:  # halve with pyrDown (cheap, and its own anti-aliasing), then the rest linearly
        while crop.shape[0] >= 4 and crop.shape[1] >= 4 and crop.shape[1] * 0.5 >= (x1 - x0) * shrink:
            crop = cv2.pyrDown(crop)
        crop = cv2.resize(crop, (max(round((x1 - x0) * shrink), 1), max(round((y1 - y0) * shrink), 1)),
                          interpolation=cv2.INTER_LINEAR)
    crop = cv2.GaussianBlur(crop, (0, 0), max(SAMPLE_BLUR * iod * shrink, 0.5))
    lab = cv2.cvtColor(crop.astype(np.float32) * np.float32(1 / 255), cv2.COLOR_RGB2Lab)

    def sample(points: np.ndarray) -> np.ndarray:
        xy = ((points - [x0, y0] + 0.5) * shrink - 0.5).astype(np.float32).reshape(1, -1, 2)
        values = cv2.remap(lab, xy[..., 0], xy[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        return values.reshape(-1, 3)

    skin = _patch_colours(pixels, landmarks[list(SKIN_REFERENCE), :2], max(int(round(2 * SAMPLE_BLUR * iod)), 1))
    median = np.median(skin, axis=0)
    scale = np.maximum(1.4826 * np.median(np.abs(skin - median), axis=0), SCALE_FLOOR)
    values = sample(rays.reshape(-1, 2)).reshape(N_POINTS, n_steps, 3)
    not_skin = np.linalg.norm((values - median) / scale, axis=2) > SKIN_THRESHOLD
    # each ray's own skin, where it starts (below the oval and just above it): a change from it
    # ends the forehead too, which catches hair close to the skin's colour (fair hair over a
    # face whose shading widens the face-wide model)
    local_steps = np.minimum(np.round((below + LOCAL_ABOVE) / STEP).astype(int) + 1, n_steps)
    near_start = np.arange(n_steps)[None, :] < local_steps[:, None]
    start_skin = near_start & ~not_skin
    local = _masked_median(values, start_skin)  # (N_POINTS, 3); NaN for a ray with no skin at its start
    off_local = np.linalg.norm(values - local[:, None, :], axis=2) > LOCAL_DELTA
    not_skin |= off_local | ~start_skin.any(axis=1)[:, None]  # no skin where it starts: it ends there
    run = max(int(round(STOP_RUN / STEP)), 1)
    # a run of `run` non-skin samples starting at step k: a sliding sum over the steps
    window = np.cumsum(np.pad(not_skin, ((0, 0), (1, 0))).astype(np.int32), axis=1)
    runs = (window[:, run:] - window[:, :-run]) >= run  # (N_POINTS, n_steps - run + 1)
    limit = (reach / STEP + 1e-9).astype(int)  # each ray's last step within its reach
    runs &= np.arange(runs.shape[1])[None, :] <= limit[:, None]
    first = np.argmax(runs, axis=1)  # the first run's start (0 where there is none: see `ended`)
    ended = runs.any(axis=1)
    last_skin = np.where(ended, np.maximum(first - 1, 0), limit)
    heights[1:-1] = (last_skin * STEP - below)[1:-1]
    return _smooth_across(heights)


def _patch_colours(pixels: np.ndarray, points: np.ndarray, radius: int) -> np.ndarray:
    """CIELAB colour of the square patch of ``radius`` around each point (the mean RGB,
    converted; the frame's edge repeated where a patch crosses it): float32 ``(n, 3)``."""
    h, w = pixels.shape[:2]
    centre = np.round(points).astype(int)
    offsets = np.arange(-radius, radius + 1)
    xs = np.clip(centre[:, 0, None, None] + offsets[None, None, :], 0, w - 1)  # (n, 1, side)
    ys = np.clip(centre[:, 1, None, None] + offsets[None, :, None], 0, h - 1)  # (n, side, 1)
    means = pixels[ys, xs].reshape(len(points), -1, 3).mean(axis=1, dtype=np.float32) * np.float32(1 / 255)
    return cv2.cvtColor(means[:, None, :], cv2.COLOR_RGB2Lab).reshape(-1, 3)


def _masked_median(values: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Per row, the median of ``values[row][keep[row]]`` (``(rows, n, c)`` → ``(rows, c)``),
    NaN for a row that keeps nothing (NumPy's nanmedian, without its masked-array cost)."""
    ordered = np.sort(np.where(keep[..., None], values, np.inf), axis=1)  # kept values first
    count = keep.sum(axis=1)
    rows = np.arange(len(values))
    low, high = np.maximum((count - 1) // 2, 0), np.maximum(count // 2, 0)
    out = (ordered[rows, low] + ordered[rows, high]) / 2
    out[count == 0] = np.nan
    return out


def _smooth_across(heights: np.ndarray) -> np.ndarray:
    """Median of three neighbouring rays, then a 1-2-1 filter; the temples stay at 0."""
    med = heights.copy()
    med[1:-1] = np.median(np.stack([heights[:-2], heights[1:-1], heights[2:]]), axis=0)
    out = med.copy()
    out[1:-1] = (med[:-2] + 2 * med[1:-1] + med[2:]) / 4
    out[0] = out[-1] = 0.0
    return out


def hairline_points(landmarks: np.ndarray, heights: np.ndarray) -> np.ndarray:
    """The hairline in pixels: each arc point moved ``heights`` IOD along the face's "up".

    Returns float32 ``(N_POINTS, 2)``.

    Examples
    --------
    >>> lm = np.zeros((478, 3), np.float32); lm[[263, 362], 0] = 10
    >>> hairline_points(lm, np.ones(N_POINTS))[0].tolist()  # 1 IOD (10 px) up from landmark 127
    [0.0, -10.0]
    """
    iod = inter_ocular_distance(landmarks)
    points = arc_points(landmarks) + np.outer(np.asarray(heights, np.float64) * iod, _up(landmarks))
    return points.astype(np.float32)


class HairlineSmoother:
    """Smooth each face's hairline heights over the frames of a video.

    Heights are in IOD, so a face that moves or turns keeps them; a One-Euro filter with a
    low cut-off removes the frame-to-frame noise of the skin test while following a real
    change (a hand over the forehead) within a few frames. Faces are matched by their index
    in the frame, as the tracker's landmark smoothing does; a change in the number of faces
    starts afresh.

    Examples
    --------
    >>> s = HairlineSmoother()
    >>> a = s(np.zeros((1, N_POINTS)), 0.0)
    >>> b = s(np.full((1, N_POINTS), 0.3), 1 / 30)
    >>> bool(0.0 < b[0, 5] < 0.3)
    True
    """

    def __init__(self, min_cutoff: float = 0.3, beta: float = 0.3) -> None:
        self._filter = OneEuroFilter(min_cutoff=min_cutoff, beta=beta)

    def reset(self) -> None:
        """Forget the past (no face in this frame)."""
        self._filter.reset()

    def __call__(self, heights: np.ndarray, t: float) -> np.ndarray:
        return self._filter(np.asarray(heights, np.float32), t).astype(np.float64)
