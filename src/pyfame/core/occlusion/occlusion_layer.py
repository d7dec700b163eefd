"""Cover face regions: black, the face's mean colour, a custom colour, or a bar that turns with the head."""

from __future__ import annotations

import math
import cv2
import numpy as np

from pyfame.face.face_frame import eye_line_angle, mean_face_color
from pyfame.face.faces import Faces
from pyfame.face.region_mask import region_mask
from pyfame.face.regions import BOTH_EYES_PATH
from pyfame.pipeline.layer import Layer
from pyfame.pipeline.params import Choice, Color, Number, Optional, Param, Regions
from pyfame.solid_color import solid_color
from pyfame.utils.predefined_constants import OCCLUSION_FILL_NAMES


class Occlusion(Layer):
    """Occlude face regions.

    Examples
    --------
    >>> import pyfame as pf
    >>> bar = pf.Occlusion(pf.BOTH_EYES_PATH, occlusion_fill="bar")
    """

    name = "occlusion"
    subfolder = "Occluded"
    cli_aliases = ("occlude",)

    landmarks_to_occlude: list = Param(Regions(), default=BOTH_EYES_PATH, help="What to cover.",
                                       cli_names=("--region",))
    occlusion_fill: str = Param(Choice(OCCLUSION_FILL_NAMES), default="black",
                                help="Black, the face's mean skin colour, or a bar that turns with the head.",
                                cli_names=("--fill",))
    fill_color: tuple | None = Param(Optional(Color()), default=None, help="Colour of the fill or bar (RGB).",
                                     cli_names=("--color",))
    bar_margin: float = Param(Number(0.0, 2.0), default=0.15, unit="fraction of the bar's height",
                              help="How far bars reach beyond the region on every side.")

    def _color(self, frame: np.ndarray, faces: Faces) -> tuple[int, int, int]:
        if self.fill_color is not None:
            return self.fill_color
        if self.occlusion_fill == "mean":
            return mean_face_color(frame, faces)
        return (0, 0, 0)

    def bar_corners(self, landmarks: np.ndarray) -> list[np.ndarray]:
        """One rotated rectangle (4 corners, pixels) per region, covering all its landmarks."""
        angle = math.radians(eye_line_angle(landmarks))
        c, s = math.cos(angle), math.sin(angle)
        rot = np.array([[c, -s], [s, c]])
        corners = []
        for region in self.landmarks_to_occlude:
            pts = landmarks[region.landmark_indices, :2].astype(np.float64)
            local = pts @ rot  # into the eye-line frame
            lo, hi = local.min(axis=0), local.max(axis=0)
            pad = self.bar_margin * (hi[1] - lo[1])
            lo, hi = lo - pad, hi + pad
            box = np.array([[lo[0], lo[1]], [hi[0], lo[1]], [hi[0], hi[1]], [lo[0], hi[1]]])
            corners.append(box @ rot.T)
        return corners

    def apply(self, frame: np.ndarray, faces: Faces, t: float, rng: np.random.Generator) -> np.ndarray:
        color = self._color(frame, faces)
        out = frame if frame.flags.writeable else frame.copy()
        if self.occlusion_fill == "bar":
            for lm in faces.landmarks:
                for box in self.bar_corners(lm):
                    cv2.fillPoly(out, [np.round(box * 16).astype(np.int32)], color, cv2.LINE_AA, 4)
            return out
        mask = region_mask(faces, self.landmarks_to_occlude, frame.shape)
        if mask.empty:
            return out
        x0, y0, x1, y1 = mask.box
        return mask.blend(out, solid_color((y1 - y0, x1 - x0), color))

