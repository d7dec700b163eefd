"""Head pose (yaw, pitch, roll, translation) from MediaPipe's facial transformation matrix."""

from __future__ import annotations

import math

import numpy as np


def head_pose(matrix: np.ndarray) -> dict[str, float]:
    """Euler angles in degrees and translation of a 4x4 facial transformation matrix.

    The matrix maps MediaPipe's canonical face (x right, y up, z toward the camera, in cm)
    into camera space. With ``R = Rz(roll) @ Ry(yaw) @ Rx(pitch)``: ``yaw`` turns the head
    left/right, ``pitch`` nods it up/down, ``roll`` tilts it in the image plane (positive =
    counter-clockwise as seen in the image). ``tx, ty, tz`` are the translation (cm).

    Examples
    --------
    >>> round(head_pose(np.eye(4))["roll_deg"], 3)
    0.0
    """
    r = np.asarray(matrix, np.float64)[:3, :3]
    yaw = math.degrees(math.asin(max(-1.0, min(1.0, -r[2, 0]))))
    pitch = math.degrees(math.atan2(r[2, 1], r[2, 2]))
    roll = math.degrees(math.atan2(r[1, 0], r[0, 0]))
    t = np.asarray(matrix, np.float64)[:3, 3]
    return {"yaw_deg": yaw, "pitch_deg": pitch, "roll_deg": roll,
            "tx": float(t[0]), "ty": float(t[1]), "tz": float(t[2])}

__all__ = ["head_pose"]
