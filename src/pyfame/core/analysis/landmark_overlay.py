"""A layer that draws the tracked face mesh on the frame: see what the tracker sees."""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from pyfame.face.faces import Faces
from pyfame.pipeline.layer import Layer
from pyfame.validation import check_color, check_int


class LandmarkOverlay(Layer):
    """Draw every landmark (and optionally the face boxes) of each tracked face.

    Parameters
    ----------
    point_color : tuple of int
        RGB colour of the dots.
    point_radius : int
        Dot radius in pixels (0 draws single pixels).
    draw_boxes : bool
        Also draw each face's bounding box.

    Examples
    --------
    >>> import pyfame as pf
    >>> layer = pf.LandmarkOverlay(point_color=(0, 255, 0))
    """

    name = "landmark_overlay"

    def __init__(self, point_color: tuple[int, int, int] = (0, 255, 0), point_radius: int = 1, draw_boxes: bool = True) -> None:
        self.point_color = check_color(point_color, "point_color")
        self.point_radius = check_int(point_radius, "point_radius", low=0, high=50)
        self.draw_boxes = bool(draw_boxes)

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

    def params(self) -> dict[str, Any]:
        return {"point_color": self.point_color, "point_radius": self.point_radius, "draw_boxes": self.draw_boxes}
