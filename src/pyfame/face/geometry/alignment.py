"""Face alignment: a similarity transform (rotation, uniform scale, translation) that puts a
face's eyes on fixed canvas positions, and its smoothing over a video's frames.

Method
------
**Eye centres.** Each eye's centre is the midpoint of its two corners (mesh points 33 and
133 for the subject's right eye, 263 and 362 for the left). Corners do not move with gaze
and hardly with blinks, unlike the iris or the lid contour.

**Canvas.** For a canvas of ``size = (w, h)``, the eyes land at height ``eye_y * h``,
``eye_distance * w`` apart, centred horizontally; the subject's right eye on the image
left, as in a photograph.

**Transform** (``method``):

- ``"eyes"`` (default): the one similarity transform that maps the two eye centres exactly
  onto their canvas positions. Every aligned face has its eyes on the same pixels.
- ``"mesh"``: the least-squares similarity (Procrustes; Umeyama, 1991, without reflection)
  from all 478 mesh points to a reference mesh already on the canvas (for example an
  average shape from :func:`~pyfame.face.geometry.average.average_shape`). It uses the whole
  face, so one odd feature (a raised brow) moves the face less; eyes then land near, not
  exactly on, the canvas positions.

The image is resampled with ``cv2.warpAffine`` (bilinear; where the face is shrunk more than
twofold the image is first halved with ``cv2.pyrDown`` until it is not, so fine detail does
not alias). Canvas pixels outside the input take ``background_color``. ``vignette=True``
fades everything outside a fixed oval (the same for every face on that canvas: centre half
an eye distance below the eyes, semi-axes 1.2 and 1.55 eye distances) to the background.

**Video.** :class:`AlignmentSmoother` smooths the transform over frames, so a head-stabilised
clip does not jitter with the tracker's noise: each frame's transform is written as the pose
of the canvas in the frame (where the point between the canvas eyes falls, the angle, the log
scale, positions in units of the first frame's eye distance) and filtered with a One-Euro
filter (Casiez, Roussel & Vogel, 2012), which smooths hard when the head is still and
follows quickly when it moves.

Examples
--------
>>> from pyfame.face.geometry.example_face import example_face
>>> face = example_face()
>>> aligned = align_face(face.image, face.landmarks, size=(256, 256), eye_y=0.4, eye_distance=0.3)
>>> np.round(eye_centres(aligned.landmarks), 3).tolist()
[[89.6, 102.4], [166.4, 102.4]]
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Literal

import cv2
import numpy as np

from pyfame.errors import PyfameValueError
from pyfame.face.geometry.face_image import AlignedFace
from pyfame.face.geometry.point_checks import as_landmarks, as_points, as_rgb_image, check_size
from pyfame.face.one_euro import OneEuroFilter
from pyfame.validation import check_bool, check_color, check_float

#: Mesh points of each eye's corners: the subject's right eye (outer, inner), then the left.
RIGHT_EYE_CORNERS = (33, 133)
LEFT_EYE_CORNERS = (263, 362)
#: The fixed vignette oval, in eye distances: centre below the eyes, horizontal and vertical
#: semi-axes, and the width of its soft edge (Gaussian sigma).
VIGNETTE_CENTRE_BELOW_EYES = 0.5
VIGNETTE_SEMI_AXES = (1.2, 1.55)
VIGNETTE_FEATHER = 0.08

AlignmentMethod = Literal["eyes", "mesh"]


def eye_centres(landmarks: np.ndarray) -> np.ndarray:
    """The centres of the two eyes: the midpoint of each eye's corners.

    Parameters
    ----------
    landmarks : array_like
        One face's mesh, ``(478, 2)`` or ``(478, 3)``.

    Returns
    -------
    numpy.ndarray
        float64 ``(2, 2)``: the subject's right eye (image left on a frontal face), then the
        left eye.

    Examples
    --------
    >>> lm = np.zeros((478, 2)); lm[[33, 133], 0] = (10, 20); lm[[263, 362], 0] = (50, 40)
    >>> eye_centres(lm).tolist()
    [[15.0, 0.0], [45.0, 0.0]]
    """
    lm = as_landmarks(landmarks)
    return np.stack([lm[list(RIGHT_EYE_CORNERS), :2].mean(axis=0), lm[list(LEFT_EYE_CORNERS), :2].mean(axis=0)])


def canvas_eye_positions(
    size: tuple[int, int] = (512, 512), eye_y: float = 0.4, eye_distance: float = 0.3
) -> np.ndarray:
    """Where the eye centres land on a canvas of ``size = (w, h)``: float64 ``(2, 2)``, the
    subject's right eye (left on the canvas) first.

    Examples
    --------
    >>> canvas_eye_positions((200, 100), eye_y=0.5, eye_distance=0.25).tolist()
    [[75.0, 50.0], [125.0, 50.0]]
    """
    w, h = check_size(size)
    eye_y = check_float(eye_y, "eye_y", low=0.0, high=1.0)
    eye_distance = check_float(eye_distance, "eye_distance", low=0.0, high=1.0, low_inclusive=False)
    half = eye_distance * w / 2
    return np.array([[w / 2 - half, eye_y * h], [w / 2 + half, eye_y * h]])


def similarity_matrix(source_points: np.ndarray, target_points: np.ndarray) -> np.ndarray:
    """The least-squares similarity transform (rotation, uniform scale, translation; no
    reflection) from ``source_points`` to ``target_points`` (Umeyama, 1991). Two points are
    mapped exactly.

    Returns
    -------
    numpy.ndarray
        float64 ``(2, 3)``: ``target = matrix @ (x, y, 1)``.

    Examples
    --------
    >>> m = similarity_matrix([[0, 0], [1, 0]], [[10, 10], [10, 12]])   # turn 90 deg, scale 2
    >>> np.round(m, 6).tolist()
    [[0.0, -2.0, 10.0], [2.0, 0.0, 10.0]]
    """
    source = as_points(source_points, "source_points")
    target = as_points(target_points, "target_points", count=len(source))
    if len(source) < 2:
        raise PyfameValueError(f"source_points: a similarity needs at least 2 points, got {len(source)}")
    source_mean, target_mean = source.mean(axis=0), target.mean(axis=0)
    s, t = source - source_mean, target - target_mean
    variance = float((s**2).sum())
    if variance <= 1e-12:
        raise PyfameValueError("source_points: the points coincide; no similarity maps them")
    covariance = t.T @ s
    u, singular, vt = np.linalg.svd(covariance)
    sign = np.eye(2)
    if np.linalg.det(u) * np.linalg.det(vt) < 0:
        sign[1, 1] = -1.0
    rotation = u @ sign @ vt
    scale = float((singular * np.diag(sign)).sum()) / variance
    matrix = np.empty((2, 3))
    matrix[:, :2] = scale * rotation
    matrix[:, 2] = target_mean - matrix[:, :2] @ source_mean
    return matrix


def alignment_matrix(
    landmarks: np.ndarray,
    size: tuple[int, int] = (512, 512),
    eye_y: float = 0.4,
    eye_distance: float = 0.3,
    *,
    method: AlignmentMethod = "eyes",
    reference_landmarks: np.ndarray | None = None,
) -> np.ndarray:
    """The similarity transform that aligns a face to the canvas (see the module's method).

    Parameters
    ----------
    landmarks : array_like
        The face's mesh in input pixels, ``(478, 2)`` or ``(478, 3)``.
    size : tuple of int
        Canvas ``(width, height)``.
    eye_y : float
        Height of the eyes, as a fraction of the canvas height, in [0, 1].
    eye_distance : float
        Distance between the eye centres, as a fraction of the canvas width, in (0, 1].
    method : {"eyes", "mesh"}
        Map the eye centres exactly, or fit the whole mesh to ``reference_landmarks``.
    reference_landmarks : array_like, optional
        A mesh on the canvas; required (and only used) with ``method="mesh"``.

    Returns
    -------
    numpy.ndarray
        float64 ``(2, 3)``, input pixels to canvas pixels.

    Examples
    --------
    >>> lm = np.zeros((478, 2)); lm[[33, 133]] = (10, 10); lm[[263, 362]] = (30, 10)
    >>> np.round(alignment_matrix(lm, (100, 100), eye_y=0.5, eye_distance=0.4), 6).tolist()
    [[2.0, 0.0, 10.0], [0.0, 2.0, 30.0]]
    """
    lm = as_landmarks(landmarks)
    targets = canvas_eye_positions(size, eye_y, eye_distance)
    if method == "eyes":
        return similarity_matrix(eye_centres(lm), targets)
    if method == "mesh":
        if reference_landmarks is None:
            raise PyfameValueError(
                "reference_landmarks: method='mesh' fits the whole mesh to a reference mesh on the "
                "canvas (e.g. average_shape of eye-aligned faces); pass one, or use method='eyes'"
            )
        reference = as_landmarks(reference_landmarks, "reference_landmarks")
        return similarity_matrix(lm[:, :2], reference[:, :2])
    raise PyfameValueError(f"method must be 'eyes' or 'mesh', got {method!r}")


def transform_landmarks(landmarks: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """A mesh moved by a similarity ``matrix`` (2, 3): x and y transformed, z scaled by the
    matrix's scale.

    Returns
    -------
    numpy.ndarray
        float32 ``(478, 3)``.

    Examples
    --------
    >>> lm = np.ones((478, 3))
    >>> transform_landmarks(lm, np.array([[2.0, 0, 1], [0, 2.0, 0]]))[0].tolist()
    [3.0, 2.0, 2.0]
    """
    lm = as_landmarks(landmarks)
    m = _checked_matrix(matrix)
    out = np.empty_like(lm)
    out[:, :2] = lm[:, :2] @ m[:, :2].T + m[:, 2]
    out[:, 2] = lm[:, 2] * _scale_of(m)
    return out.astype(np.float32)


def align_face(
    image: np.ndarray,
    landmarks: np.ndarray,
    size: tuple[int, int] = (512, 512),
    eye_y: float = 0.4,
    eye_distance: float = 0.3,
    *,
    method: AlignmentMethod = "eyes",
    reference_landmarks: np.ndarray | None = None,
    matrix: np.ndarray | None = None,
    background_color: tuple[int, int, int] = (255, 255, 255),
    vignette: bool = False,
    border: Literal["constant", "reflect"] = "constant",
) -> AlignedFace:
    """Move a face onto a canvas so that its eyes land on fixed positions.

    Parameters
    ----------
    image : numpy.ndarray
        RGB uint8 ``(H, W, 3)``.
    landmarks : array_like
        The face's mesh in ``image`` pixels.
    size, eye_y, eye_distance, method, reference_landmarks
        As :func:`alignment_matrix`.
    matrix : array_like, optional
        A ``(2, 3)`` transform to use instead of computing one (e.g. from
        :class:`AlignmentSmoother` for a video frame).
    background_color : tuple of int
        RGB colour of canvas pixels outside the input (and outside the vignette).
    vignette : bool
        Fade everything outside the fixed oval to ``background_color``.
    border : {"constant", "reflect"}
        Canvas pixels outside the input: ``background_color``, or the input reflected at its
        edge (no hard edge for a later filter to find, as hybrid faces need).

    Returns
    -------
    AlignedFace
        The canvas ``(h, w, 3)``, the mesh on it, and the transform.

    Examples
    --------
    >>> from pyfame.face.geometry.example_face import example_face
    >>> face = example_face()
    >>> aligned = align_face(face.image, face.landmarks, size=(300, 400), vignette=True)
    >>> aligned.image.shape, aligned.image[0, 0].tolist()
    ((400, 300, 3), [255, 255, 255])
    """
    frame = as_rgb_image(image)
    w, h = check_size(size)
    color = check_color(background_color, "background_color")
    check_bool(vignette, "vignette")
    if border not in ("constant", "reflect"):
        raise PyfameValueError(f"border must be 'constant' or 'reflect', got {border!r}", param="border")
    lm = as_landmarks(landmarks)
    if matrix is None:
        m = alignment_matrix(lm, (w, h), eye_y, eye_distance, method=method, reference_landmarks=reference_landmarks)
    else:
        m = _checked_matrix(matrix)
    canvas = _resample(frame, m, (w, h), color, border)
    if vignette:
        canvas = _apply_vignette(canvas, canvas_eye_positions((w, h), eye_y, eye_distance), color)
    return AlignedFace(canvas, transform_landmarks(lm, m), m)


#: ``refine_alignment`` stops early once both re-tracked eye centres are this close to their
#: canvas positions (a fraction of the eye distance).
REFINE_TOLERANCE = 0.002


def refine_alignment(
    image: np.ndarray,
    landmarks: np.ndarray,
    track: Callable[[np.ndarray], np.ndarray | None],
    size: tuple[int, int] = (512, 512),
    eye_y: float = 0.4,
    eye_distance: float = 0.3,
    *,
    passes: int = 5,
    background_color: tuple[int, int, int] = (255, 255, 255),
    vignette: bool = False,
) -> tuple[AlignedFace, list[float]]:
    """Align a face by its eye centres, then correct what the tracker sees in the result.

    The tracker does not find a face's eye corners at exactly the same place when the face is
    shown at another size, position and angle: aligned on its tracked eyes, then tracked
    again on the canvas, a face's eye centres are off their canvas positions by 0.2-2% of
    the eye distance (the tracker's repeatability). Each pass tracks the aligned image again
    (``track``), finds the similarity that carries the re-tracked eye centres onto the
    canvas positions (:func:`similarity_matrix`, two points: exact), composes it with the
    transform, and resamples the *input* again (never the canvas: one resampling only). The
    tracker's error is not a smooth function of the transform, so passes do not always
    improve on each other: the transform whose image re-tracked closest (largest of the two
    eye errors) is kept. It stops early once both eyes are within
    :data:`REFINE_TOLERANCE` (0.2%) of the eye distance.

    Parameters
    ----------
    image, landmarks, size, eye_y, eye_distance, background_color, vignette
        As :func:`align_face` (``method="eyes"``).
    track : callable
        ``track(canvas_image) -> mesh`` (``(478, 2+)`` in canvas pixels), or None when no
        face is found (that pass is then not used): the tracker the caller's outputs will be
        measured with (IMAGE mode).
    passes : int
        Most corrections (0: the plain eye alignment, whose re-tracked error is still
        measured).

    Returns
    -------
    aligned : AlignedFace
        The kept alignment: its image, the input mesh moved by its transform, the transform.
    errors : list of float
        The re-tracked error (the larger eye's distance from its canvas position, as a
        fraction of the eye distance) of the plain alignment and each pass made; the kept
        one is the smallest.

    Examples
    --------
    >>> from pyfame.face.geometry.example_face import example_face
    >>> from pyfame.face.tracker import FaceTracker
    >>> face = example_face()
    >>> with FaceTracker(mode="image") as tracker:
    ...     aligned, errors = refine_alignment(
    ...         face.image, face.landmarks, lambda im: tracker.track(im).landmarks[0], (256, 256), passes=2)
    >>> len(errors) <= 3 and min(errors) < 0.01 and min(errors) <= errors[0]
    True
    """
    lm = as_landmarks(landmarks)
    w, h = check_size(size)
    targets = canvas_eye_positions((w, h), eye_y, eye_distance)
    distance = float(np.linalg.norm(targets[1] - targets[0]))
    if isinstance(passes, bool) or not isinstance(passes, (int, np.integer)) or passes < 0:
        raise PyfameValueError(f"passes must be a whole number >= 0, got {passes!r}", param="passes")
    matrix = alignment_matrix(lm, (w, h), eye_y, eye_distance)
    best: tuple[float, AlignedFace] | None = None
    errors: list[float] = []
    for done in range(int(passes) + 1):
        aligned = align_face(image, lm, (w, h), eye_y, eye_distance, matrix=matrix,
                             background_color=background_color, vignette=vignette)
        found = track(np.ascontiguousarray(aligned.image))
        if found is None:
            break
        seen = eye_centres(found)
        error = float(np.linalg.norm(seen - targets, axis=1).max()) / distance
        errors.append(error)
        if best is None or error < best[0]:
            best = (error, aligned)
        if error <= REFINE_TOLERANCE or done == passes:
            break
        correction = np.vstack([similarity_matrix(seen, targets), (0.0, 0.0, 1.0)])
        matrix = (correction @ np.vstack([matrix, (0.0, 0.0, 1.0)]))[:2]
    if best is None:  # the plain alignment's own image showed no face: keep it, unmeasured
        return align_face(image, lm, (w, h), eye_y, eye_distance, background_color=background_color,
                          vignette=vignette), errors
    return best[1], errors


class AlignmentSmoother:
    """Smooths alignment transforms over a video's frames (see the module's method).

    Parameters
    ----------
    size, eye_y, eye_distance
        The canvas, as for :func:`align_face`.
    min_cutoff : float
        One-Euro cutoff (Hz) when the head is still: lower is smoother.
    beta : float
        How fast the cutoff rises with the head's speed (in eye distances per second):
        higher follows fast moves with less lag.

    Examples
    --------
    >>> from pyfame.face.geometry.example_face import example_face
    >>> lm = example_face().landmarks
    >>> smoother = AlignmentSmoother(size=(256, 256))
    >>> m0 = smoother.matrix(lm, 0.0)
    >>> m1 = smoother.matrix(lm + (3, 0, 0), 1 / 30)      # a 3-pixel jump is followed in part
    >>> shift = alignment_matrix(lm + (3, 0, 0), (256, 256))[0, 2] - m0[0, 2]
    >>> bool(0 < m0[0, 2] - m1[0, 2] < -shift)
    True
    """

    def __init__(
        self,
        size: tuple[int, int] = (512, 512),
        eye_y: float = 0.4,
        eye_distance: float = 0.3,
        *,
        min_cutoff: float = 1.0,
        beta: float = 0.5,
    ) -> None:
        self.size = check_size(size)
        self.eye_y = check_float(eye_y, "eye_y", low=0.0, high=1.0)
        self.eye_distance = check_float(eye_distance, "eye_distance", low=0.0, high=1.0, low_inclusive=False)
        self._filter = OneEuroFilter(
            min_cutoff=check_float(min_cutoff, "min_cutoff", low=0.0, low_inclusive=False),
            beta=check_float(beta, "beta", low=0.0),
        )
        self._anchor = canvas_eye_positions(self.size, self.eye_y, self.eye_distance).mean(axis=0)
        self._unit: float | None = None
        self._last_angle: float | None = None

    def reset(self) -> None:
        """Forget the past (a new clip, or after the face was lost)."""
        self._filter.reset()
        self._unit = None
        self._last_angle = None

    def matrix(
        self,
        landmarks: np.ndarray,
        t: float,
        *,
        method: AlignmentMethod = "eyes",
        reference_landmarks: np.ndarray | None = None,
    ) -> np.ndarray:
        """The smoothed transform for the frame shown at ``t`` seconds (increasing)."""
        raw = alignment_matrix(
            landmarks, self.size, self.eye_y, self.eye_distance, method=method, reference_landmarks=reference_landmarks
        )
        return self.smooth(raw, t)

    def smooth(self, matrix: np.ndarray, t: float) -> np.ndarray:
        """Smooth one frame's raw transform (input to canvas pixels) shown at ``t`` seconds."""
        m = _checked_matrix(matrix)
        inverse = cv2.invertAffineTransform(m)  # canvas -> frame: the pose of the canvas
        position = inverse[:, :2] @ self._anchor + inverse[:, 2]
        angle = math.atan2(inverse[1, 0], inverse[0, 0])
        scale = _scale_of(inverse)
        if self._last_angle is not None:  # unwrap, so a turn through 180 degrees is smooth
            angle = self._last_angle + math.remainder(angle - self._last_angle, 2 * math.pi)
        if self._unit is None:
            self._unit = scale * self.eye_distance * self.size[0]  # the eye distance in frame pixels
        state = np.array([position[0] / self._unit, position[1] / self._unit, angle, math.log(scale)], np.float64)
        smoothed = self._filter(state, float(t)).astype(np.float64)
        self._last_angle = float(smoothed[2])
        position = smoothed[:2] * self._unit
        scale = math.exp(float(smoothed[3]))
        cos, sin = scale * math.cos(smoothed[2]), scale * math.sin(smoothed[2])
        pose = np.array([[cos, -sin, 0.0], [sin, cos, 0.0]])
        pose[:, 2] = position - pose[:, :2] @ self._anchor
        return cv2.invertAffineTransform(pose)


# ---- helpers ----------------------------------------------------------------------------


def _checked_matrix(matrix: Any) -> np.ndarray:
    m = np.asarray(matrix, dtype=np.float64)
    if m.shape != (2, 3) or not np.isfinite(m).all():
        raise PyfameValueError(f"matrix must be a finite (2, 3) transform, got {np.asarray(matrix).shape}")
    if abs(np.linalg.det(m[:, :2])) < 1e-12:
        raise PyfameValueError("matrix is singular (it maps the image to a line)")
    return m


def _scale_of(matrix: np.ndarray) -> float:
    return math.sqrt(abs(float(np.linalg.det(matrix[:, :2]))))


def _resample(frame: np.ndarray, matrix: np.ndarray, size: tuple[int, int], color: tuple[int, int, int],
              border: str = "constant") -> np.ndarray:
    m = matrix.copy()
    while _scale_of(m) < 0.5 and min(frame.shape[:2]) >= 4:
        # pyrDown keeps the even rows and columns (after a Gaussian): small pixel x is big 2x
        frame = cv2.pyrDown(frame)
        m[:, :2] *= 2.0
    mode = cv2.BORDER_REFLECT_101 if border == "reflect" else cv2.BORDER_CONSTANT
    return cv2.warpAffine(frame, m, size, flags=cv2.INTER_LINEAR, borderMode=mode, borderValue=color)


def _apply_vignette(canvas: np.ndarray, eyes: np.ndarray, color: tuple[int, int, int]) -> np.ndarray:
    h, w = canvas.shape[:2]
    distance = float(eyes[1, 0] - eyes[0, 0])
    centre = eyes.mean(axis=0) + (0.0, VIGNETTE_CENTRE_BELOW_EYES * distance)
    semi_x, semi_y = VIGNETTE_SEMI_AXES[0] * distance, VIGNETTE_SEMI_AXES[1] * distance
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    # distance outside the oval, approximately in pixels (radial, scaled by the mean semi-axis)
    radius = np.sqrt(((xs - centre[0]) / semi_x) ** 2 + ((ys - centre[1]) / semi_y) ** 2)
    outside = (radius - 1.0) * (0.5 * (semi_x + semi_y))
    sigma = max(VIGNETTE_FEATHER * distance, 1e-6)
    keep = 0.5 * (1.0 - np.tanh(outside / (1.6 * sigma)))  # a smooth step about sigma wide
    background = np.array(color, np.float32)
    out = background + (canvas.astype(np.float32) - background) * keep[..., None]
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)
