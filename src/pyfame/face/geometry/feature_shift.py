"""Second-order configural changes: the eyes moved apart or together, the mouth up or down,
the skin stretched smoothly around them (Haig, 1984; the "spacing" faces of Le Grand et al.,
2001).

Method
------
Distances are fractions of the eye distance (between the eye centres,
:func:`~pyfame.face.geometry.alignment.eye_centres`), directions those of the face: "along"
is the eye line, "down" its perpendicular towards the chin, so a tilted face is changed in
its own frame.

- ``eye_spacing = s`` moves each eye ``s / 2`` eye distances outwards along the eye line
  (the distance between the eye centres grows by ``s`` eye distances; negative: closer).
- ``mouth_offset = m`` moves the mouth ``m`` eye distances down (negative: up).

Each feature's own mesh points (the eye outline and iris; the outer and inner lip lines) move
rigidly by the full amount, the features that are not moved, the nose (its bridge, tip and
wings) and the face outline (the outline loop, and any mesh point on the mesh's convex hull or
outside the loop, as happens in a turned face) stay where they are, and every other mesh point (lids, brows,
cheeks, chin, forehead) moves by the thin-plate-spline interpolation of those movements
(:func:`~pyfame.face.geometry.thin_plate_spline.thin_plate_spline_interpolate`): the
smoothest displacement that honours them, so the skin stretches without creases. The image
is then warped from the old mesh to the new one with the piecewise-affine warp, confined to
the face: every pixel outside the mesh's convex hull is unchanged, bit for bit.

Shifts beyond about a quarter of the eye distance crowd a feature against the face outline
or the nose (moving the mouth up by 0.2 already presses the upper lip into the nostrils); the
warp then triangulates the new mesh afresh where the old triangles would fold over (see
:mod:`~pyfame.face.geometry.fold_over`), and the skin in between is squeezed hard.

Examples
--------
>>> from pyfame.face.geometry.alignment import eye_centres
>>> from pyfame.face.geometry.example_face import example_face
>>> face = example_face()
>>> wider = shift_face_features(face.image, face.landmarks, eye_spacing=0.2)
>>> before, after = (float(np.ptp(eye_centres(lm)[:, 0])) for lm in (face.landmarks, wider.landmarks))
>>> round(after / before, 2)
1.2
"""

from __future__ import annotations

import cv2
import numpy as np

from pyfame.face.geometry.alignment import eye_centres
from pyfame.face.geometry.face_image import FaceImage
from pyfame.face.geometry.point_checks import as_landmarks, as_rgb_image
from pyfame.face.geometry.thin_plate_spline import thin_plate_spline_interpolate
from pyfame.face.geometry.warp import warp_face
from pyfame.face.regions import REGION_NAMES
from pyfame.validation import check_float

_RIGHT_IRIS = tuple(range(468, 473))
_LEFT_IRIS = tuple(range(473, 478))
_LIPS_INNER = (78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308, 415, 310, 311, 312, 13, 82, 81, 80, 191)
#: Mesh points that move as one with each feature.
RIGHT_EYE_POINTS = tuple(REGION_NAMES["right_eye"].landmark_indices) + _RIGHT_IRIS
LEFT_EYE_POINTS = tuple(REGION_NAMES["left_eye"].landmark_indices) + _LEFT_IRIS
MOUTH_POINTS = tuple(REGION_NAMES["mouth"].landmark_indices) + _LIPS_INNER
#: Mesh points that stay: the face outline, and the nose's bridge, tip and wings.
FACE_OUTLINE_POINTS = tuple(REGION_NAMES["face_oval"].landmark_indices)
NOSE_POINTS = (168, 6, 197, 195, 5, 4, 1, 19, 94, 2, 3, 248, 51, 281, 134, 363, 131, 360, 97, 326,
               98, 327, 64, 294, 129, 358, 48, 278, 49, 279)


def feature_shift_landmarks(landmarks: np.ndarray, eye_spacing: float = 0.0, mouth_offset: float = 0.0) -> np.ndarray:
    """The mesh with its eyes and mouth moved (see the module's method).

    Returns
    -------
    numpy.ndarray
        float32 ``(478, 3)``; depth unchanged.

    Examples
    --------
    >>> from pyfame.face.geometry.example_face import example_face
    >>> lm = example_face().landmarks
    >>> moved = feature_shift_landmarks(lm, mouth_offset=0.1)
    >>> bool(np.allclose(moved[FACE_OUTLINE_POINTS, :], lm[FACE_OUTLINE_POINTS, :]))
    True
    """
    return _shifted_mesh(as_landmarks(landmarks), eye_spacing, mouth_offset).astype(np.float32)


def _shifted_mesh(mesh: np.ndarray, eye_spacing: float, mouth_offset: float) -> np.ndarray:
    eye_spacing = check_float(eye_spacing, "eye_spacing")
    mouth_offset = check_float(mouth_offset, "mouth_offset")
    out = mesh.copy()
    if eye_spacing == 0 and mouth_offset == 0:
        return out
    eyes = eye_centres(mesh)
    eye_distance = float(np.linalg.norm(eyes[1] - eyes[0]))
    along = (eyes[1] - eyes[0]) / max(eye_distance, 1e-9)
    down = np.array([-along[1], along[0]])
    moves = (
        (RIGHT_EYE_POINTS, -along * eye_spacing / 2 * eye_distance),
        (LEFT_EYE_POINTS, along * eye_spacing / 2 * eye_distance),
        (MOUTH_POINTS, down * mouth_offset * eye_distance),
        (FACE_OUTLINE_POINTS + NOSE_POINTS, np.zeros(2)),
    )
    fixed = np.zeros(len(mesh), bool)
    displacement = np.zeros((len(mesh), 2))
    for points, move in moves:
        fixed[list(points)] = True
        displacement[list(points)] = move
    fixed[_silhouette_points(mesh)] = True  # with the outline, so nothing beyond the face moves
    displacement[_silhouette_points(mesh)] = 0.0
    # one control point per position (the mesh has a few coincident points)
    _, first = np.unique(np.round(mesh[fixed, :2], 3), axis=0, return_index=True)
    control = np.flatnonzero(fixed)[np.sort(first)]
    free = ~fixed
    displacement[free] = thin_plate_spline_interpolate(mesh[control, :2], displacement[control], mesh[free, :2])
    out[:, :2] += displacement
    return out


def _silhouette_points(mesh: np.ndarray) -> np.ndarray:
    """Mesh points on the mesh's convex hull or outside the face-outline loop (in a turned
    face a few cheek and jaw points cross the outline): held still with the outline, so the
    face's edge does not move and the warp stays inside it."""
    xy = mesh[:, :2].astype(np.float32)
    hull = cv2.convexHull(xy, returnPoints=False).ravel()
    outline = xy[list(REGION_NAMES["face_oval"].include[0])]
    outside = np.array([cv2.pointPolygonTest(outline, (float(x), float(y)), False) < 0 for x, y in xy])
    return np.union1d(hull, np.flatnonzero(outside)).astype(np.int64)


def shift_face_features(
    image: np.ndarray,
    landmarks: np.ndarray,
    eye_spacing: float = 0.0,
    mouth_offset: float = 0.0,
) -> FaceImage:
    """Move the eyes apart or together and the mouth up or down, the skin following.

    Parameters
    ----------
    image : numpy.ndarray
        RGB uint8 ``(H, W, 3)``.
    landmarks : array_like
        The face's mesh in ``image`` pixels.
    eye_spacing : float
        Change of the distance between the eye centres, in eye distances (0.1: 10% wider).
    mouth_offset : float
        Movement of the mouth towards the chin, in eye distances (negative: up).

    Returns
    -------
    FaceImage
        The warped image and the moved mesh.

    Examples
    --------
    >>> from pyfame.face.geometry.example_face import example_face
    >>> face = example_face()
    >>> same = shift_face_features(face.image, face.landmarks)
    >>> bool((same.image == face.image).all())
    True
    """
    frame = as_rgb_image(image)
    mesh = as_landmarks(landmarks)
    target = _shifted_mesh(mesh, eye_spacing, mouth_offset)
    # the outline and the hull stay, so the warp needs no border points: it is confined to
    # the face's triangles and every pixel outside the mesh's hull is copied unchanged
    return warp_face(frame, mesh, target, border_points_per_side=0)
