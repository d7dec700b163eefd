"""Bubbles (Gosselin & Schyns, 2001): an opaque field with Gaussian apertures that reveal the face."""

from __future__ import annotations

from typing import Any

import numpy as np

from pyfame.errors import PyfameValueError
from pyfame.face.face_frame import face_width, from_face, mean_face_color, to_face
from pyfame.face.faces import Faces
from pyfame.face.region_mask import region_mask
from pyfame.face.regions import FACE_OVAL_MASK
from pyfame.pipeline.layer import Layer, SourceInfo
from pyfame.pipeline.params import Boolean, Choice, Color, Integer, Number, Param
from pyfame.solid_color import solid_color


class Bubbles(Layer):
    """Cover the frame with an opaque field and open Gaussian "bubbles" onto the face.

    Bubble centres are drawn uniformly inside the face oval (seeded), once per video, and
    kept in face coordinates (origin between the eyes, unit = outer-eye-corner distance), so
    on video each bubble stays on the same spot of the face as it moves, turns and scales.
    ``redraw=True`` draws new centres on every frame instead. The centres used go into the
    sidecar.

    The aperture at a pixel is ``1 - prod_i (1 - g_i)`` with ``g_i`` a unit-peak Gaussian of
    standard deviation ``sigma``; the output is ``face * aperture + field * (1 - aperture)``.

    Examples
    --------
    >>> import pyfame as pf
    >>> layer = pf.Bubbles(n_bubbles=12, sigma=0.05)
    """

    name = "bubbles"
    subfolder = "Occluded"
    output_tag = "bubbles"
    needs_face = False
    references = ("Gosselin, F., & Schyns, P. G. (2001). Bubbles: a technique to reveal the use of information "
                  "in recognition tasks. Vision Research, 41(17), 2261-2271.",)

    n_bubbles: int = Param(Integer(1, 10_000), default=10, help="Number of bubbles.", cli_names=("--n",))
    sigma: float = Param(Number(0.0, 10_000.0, low_open=True), default=0.06, unit="fraction of face width, or px",
                         help="Bubble size (standard deviation of each Gaussian aperture).", seed_name="bubble_sigma")
    sigma_units: str = Param(Choice(("face", "px")), default="face",
                             help="sigma as a fraction of the face's width, or in pixels.")
    fill: tuple | str = Param(Color(words=("mean",)), default=(128, 128, 128),
                              help="Colour of the opaque field (RGB), or 'mean' for the face's mean skin colour.",
                              seed_name="fill_color")
    redraw: bool = Param(Boolean(), default=False, help="New bubble positions on every frame.")

    def validate(self) -> None:
        if self.sigma_units == "face" and self.sigma > 1.0:
            raise PyfameValueError(f"sigma must be in (0.0, 1.0] with sigma_units='face', got {self.sigma}",
                                   param="sigma")

    def __post_init__(self) -> None:
        self._uv: list[np.ndarray] = []
        self._first_px: list[list[float]] | None = None
        self._sigma_px_first: list[float] | None = None
        self._per_frame: list[list[list[float]]] = []

    def start(self, info: SourceInfo) -> None:
        self._uv, self._first_px, self._sigma_px_first, self._per_frame = [], None, None, []

    def _draw(self, frame: np.ndarray, faces: Faces, rng: np.random.Generator) -> list[np.ndarray]:
        centres = []
        for i in range(faces.count):
            one = faces.subset(i)
            mask = region_mask(one, FACE_OVAL_MASK, frame.shape)
            ys, xs = np.nonzero(mask.alpha >= 0.5)
            if len(xs) == 0:
                raise PyfameValueError("the face oval is empty: cannot place bubbles")
            pick = rng.choice(len(xs), size=self.n_bubbles, replace=len(xs) < self.n_bubbles)
            px = np.stack([xs[pick] + mask.box[0] + 0.5, ys[pick] + mask.box[1] + 0.5], axis=1).astype(np.float64)
            centres.append(to_face(faces.landmarks[i], px))
        return centres

    def _sigma_px(self, landmarks: np.ndarray) -> float:
        return self.sigma * face_width(landmarks) if self.sigma_units == "face" else self.sigma

    def apply(self, frame: np.ndarray, faces: Faces, t: float, rng: np.random.Generator) -> np.ndarray:
        h, w = frame.shape[:2]
        field = np.asarray(mean_face_color(frame, faces) if (self.fill == "mean" and faces) else
                           (self.fill if self.fill != "mean" else (128, 128, 128)), np.float32)
        out = solid_color(frame.shape[:2], field)
        if not faces:
            return out  # the opaque field alone
        if self.redraw or len(self._uv) != faces.count:
            self._uv = self._draw(frame, faces, rng)
        windows = []  # (x0, y0, x1, y1, cx, cy, sigma) of every bubble, clipped to the frame
        frame_centres = []
        for lm, uv in zip(faces.landmarks, self._uv):
            centres = from_face(lm, uv)
            sigma = self._sigma_px(lm)
            frame_centres.append(centres.round(2).tolist())
            reach = int(np.ceil(3.5 * sigma))
            for cx, cy in centres:
                x0, x1 = max(int(cx) - reach, 0), min(int(cx) + reach + 1, w)
                y0, y1 = max(int(cy) - reach, 0), min(int(cy) + reach + 1, h)
                if x0 < x1 and y0 < y1:
                    windows.append((x0, y0, x1, y1, cx, cy, sigma))
        if self._first_px is None:
            self._first_px = frame_centres[0]
            self._sigma_px_first = [round(self._sigma_px(lm), 3) for lm in faces.landmarks]
        if self.redraw:
            self._per_frame.append(frame_centres[0])
        if not windows:
            return out
        # all the work happens in the box holding the bubbles; elsewhere the field stays
        bx0, by0 = min(wd[0] for wd in windows), min(wd[1] for wd in windows)
        bx1, by1 = max(wd[2] for wd in windows), max(wd[3] for wd in windows)
        closed = np.ones((by1 - by0, bx1 - bx0), np.float32)  # product of (1 - g_i)
        for x0, y0, x1, y1, cx, cy, sigma in windows:
            gx = np.exp(-((np.arange(x0, x1) + 0.5 - cx) ** 2) / (2 * sigma * sigma)).astype(np.float32)
            gy = np.exp(-((np.arange(y0, y1) + 0.5 - cy) ** 2) / (2 * sigma * sigma)).astype(np.float32)
            closed[y0 - by0:y1 - by0, x0 - bx0:x1 - bx0] *= 1.0 - np.outer(gy, gx)
        aperture = (1.0 - closed)[..., None]
        roi = frame[by0:by1, bx0:bx1].astype(np.float32)
        out[by0:by1, bx0:bx1] = np.clip(np.rint(roi * aperture + field * (1.0 - aperture)), 0, 255).astype(np.uint8)
        return out

    def draws(self) -> dict[str, Any]:
        return {
            "centres_face_coords": [uv.round(5).tolist() for uv in self._uv] if not self.redraw else None,
            "centres_px_first_face_frame": self._first_px,
            "sigma_px_first_face_frame": self._sigma_px_first,
            "centres_px_per_frame": self._per_frame if self.redraw else None,
        }

