"""Geometry of a tracked face shared by layers: its local frame, angle and mean colour."""

from __future__ import annotations

import math

import numpy as np

from pyfame.face.region_mask import region_mask
from pyfame.face.regions import FACE_SKIN_PATH

# eye corners (outer) of the subject's right and left eye
RIGHT_EYE_OUTER, LEFT_EYE_OUTER = 33, 263


def eye_line_angle(landmarks: np.ndarray) -> float:
    """Angle in degrees of the line through the outer eye corners (0 for an upright face)."""
    a, b = landmarks[RIGHT_EYE_OUTER, :2], landmarks[LEFT_EYE_OUTER, :2]
    return math.degrees(math.atan2(float(b[1] - a[1]), float(b[0] - a[0])))


def face_frame(landmarks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The face's local frame: origin between the eyes, x along the eye line, unit = the
    outer-eye-corner distance. Returns ``(origin, basis)``; a face point ``p`` is
    ``origin + basis @ (u, v)``.

    Examples
    --------
    >>> lm = np.zeros((478, 3), np.float32); lm[33, :2] = (0, 0); lm[263, :2] = (2, 0)
    >>> o, B = face_frame(lm); (o + B @ np.array([0.5, 0.0])).tolist()
    [2.0, 0.0]
    """
    a, b = landmarks[RIGHT_EYE_OUTER, :2].astype(np.float64), landmarks[LEFT_EYE_OUTER, :2].astype(np.float64)
    origin = (a + b) / 2
    x_axis = b - a
    y_axis = np.array([-x_axis[1], x_axis[0]])
    return origin, np.stack([x_axis, y_axis], axis=1)


def to_face(landmarks: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Pixel points ``(n, 2)`` → face coordinates."""
    origin, basis = face_frame(landmarks)
    return (np.linalg.solve(basis, (points - origin).T)).T


def from_face(landmarks: np.ndarray, uv: np.ndarray) -> np.ndarray:
    """Face coordinates ``(n, 2)`` → pixel points."""
    origin, basis = face_frame(landmarks)
    return origin + uv @ basis.T


def face_scale(landmarks: np.ndarray) -> float:
    """Outer-eye-corner distance in pixels (the unit of face coordinates)."""
    return float(np.linalg.norm(landmarks[LEFT_EYE_OUTER, :2] - landmarks[RIGHT_EYE_OUTER, :2]))


def face_width(landmarks: np.ndarray) -> float:
    """Width of the face oval in pixels, along the eye line (cheek to cheek, 234 → 454)."""
    return float(np.linalg.norm(landmarks[454, :2] - landmarks[234, :2]))


def mean_face_color(frame: np.ndarray, faces, face_index: int = 0) -> tuple[int, int, int]:  # noqa: ANN001
    """Mean RGB colour of a face's skin (face oval minus eyes, brows and mouth)."""
    one = faces.subset(face_index)
    mask = region_mask(one, FACE_SKIN_PATH, frame.shape)
    weights = mask.alpha
    if weights.sum() <= 0:
        return (128, 128, 128)
    roi = frame[mask.slices].astype(np.float64)
    mean = (roi * weights[..., None]).sum(axis=(0, 1)) / weights.sum()
    return tuple(int(round(v)) for v in mean)  # type: ignore[return-value]
