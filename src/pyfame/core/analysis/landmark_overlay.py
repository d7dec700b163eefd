"""A layer that draws the tracked face mesh on the frame: see what the tracker sees."""

from __future__ import annotations

import cv2
import numpy as np

from pyfame.face.faces import Faces
from pyfame.pipeline.layer import Layer
from pyfame.pipeline.params import Boolean, Color, Integer, Param


class LandmarkOverlay(Layer):
    """Draw every landmark (and optionally the face boxes) of each tracked face.

    Examples
    --------
    >>> import pyfame as pf
    >>> layer = pf.LandmarkOverlay(point_color=(0, 255, 0))
    """

    name = "landmark_overlay"
    subfolder = "Landmark_Overlay"

    point_color: tuple = Param(Color(), default=(0, 255, 0), help="Colour of the dots (RGB).")
    point_radius: int = Param(Integer(0, 50), default=1, unit="px", help="Dot radius (0: single pixels).")
    draw_boxes: bool = Param(Boolean(), default=True, help="Also draw each face's bounding box.")

    def apply(self, frame: np.ndarray, faces: Faces, t: float, rng: np.random.Generator) -> np.ndarray:
        out = frame if frame.flags.writeable else frame.copy()
        for lm, box in zip(faces.landmarks, faces.boxes):
            pts = np.round(lm[:, :2] * 16).astype(np.int32)
            for x, y in pts:
                cv2.circle(out, (int(x), int(y)), self.point_radius * 16 or 1, self.point_color, -1, cv2.LINE_AA, 4)
            if self.draw_boxes:
                x0, y0, x1, y1 = (int(v) for v in box)
                cv2.rectangle(out, (x0, y0), (x1 - 1, y1 - 1), self.point_color, 1, cv2.LINE_AA)
        return out

