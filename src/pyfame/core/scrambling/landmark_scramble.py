"""Landmark scramble: eyes, brows, nose and mouth cut out, turned, and put back elsewhere on the face."""

from __future__ import annotations

import logging
from typing import Any

import cv2
import numpy as np

from pyfame.face.face_frame import face_scale, from_face, to_face
from pyfame.face.faces import Faces
from pyfame.face.region_mask import region_mask
from pyfame.pipeline.layer import Layer, SourceInfo
from pyfame.pipeline.params import Boolean, Number, Param
from pyfame.face.regions import (
    FACE_OVAL_MASK,
    LEFT_EYE_PATH,
    LEFT_EYEBROW_PATH,
    MOUTH_PATH,
    NOSE_PATH,
    RIGHT_EYE_PATH,
    RIGHT_EYEBROW_PATH,
    resolve_regions,
)

log = logging.getLogger(__name__)

FEATURES = {
    "left_eye": LEFT_EYE_PATH, "right_eye": RIGHT_EYE_PATH, "left_eyebrow": LEFT_EYEBROW_PATH,
    "right_eyebrow": RIGHT_EYEBROW_PATH, "nose": NOSE_PATH, "mouth": MOUTH_PATH,
}


class LandmarkScramble(Layer):
    """Move the facial features to random, non-overlapping places on the face.

    Each feature (both eyes, both brows, nose, mouth) is cut with a feathered mask, turned by
    a random angle in ``[-max_rotation, max_rotation]`` degrees and pasted at a random place
    inside the face oval where it overlaps no other feature. The skin where the features
    were is filled by inpainting (OpenCV's Telea method). Places and angles are drawn once
    (seeded) in face coordinates, so on video the features stay put on the moving face; they
    go into the sidecar.

    Examples
    --------
    >>> import pyfame as pf
    >>> layer = pf.LandmarkScramble(max_rotation=60)
    """

    name = "landmark_scramble"
    subfolder = "Scrambled"
    output_tag = "landmark"

    max_rotation: float = Param(Number(0.0, 180.0), default=45.0, unit="degrees",
                                help="Each feature turns by a random angle up to this.")
    feather_px: float = Param(Number(0.0, 50.0), default=2.0, unit="px", help="Soft edge of the moved features.",
                              cli_names=("--feather",))
    out_grayscale: bool = Param(Boolean(), default=False, help="Write the result in grey.",
                                cli_names=("--grayscale",))

    def __post_init__(self) -> None:
        self._regions = {name: resolve_regions(path)[0] for name, path in FEATURES.items()}
        self._plan: dict[str, tuple[np.ndarray, float]] | None = None

    def start(self, info: SourceInfo) -> None:
        self._plan = None

    def _feature_geometry(self, lm: np.ndarray) -> dict[str, tuple[np.ndarray, float]]:
        """Centre (face coords) and radius (face units) of each feature."""
        out = {}
        for name, region in self._regions.items():
            pts = to_face(lm, lm[region.landmark_indices, :2].astype(np.float64))
            centre = pts.mean(axis=0)
            out[name] = (centre, float(np.linalg.norm(pts - centre, axis=1).max()))
        return out

    def _draw_plan(self, frame: np.ndarray, faces: Faces, rng: np.random.Generator) -> None:
        lm = faces.landmarks[0]
        oval = region_mask(Faces(faces.landmarks[:1], faces.boxes[:1]), FACE_OVAL_MASK, frame.shape)
        ys, xs = np.nonzero(oval.alpha >= 0.99)
        candidates = to_face(lm, np.stack([xs + oval.box[0], ys + oval.box[1]], axis=1).astype(np.float64))
        geometry = self._feature_geometry(lm)
        # keep a feature's whole disc inside the face: its centre at least its radius from the oval's edge
        edge = cv2.distanceTransform((oval.alpha >= 0.99).astype(np.uint8), cv2.DIST_L2, 5)[ys, xs] / face_scale(lm)
        placed: list[tuple[np.ndarray, float]] = []
        plan: dict[str, tuple[np.ndarray, float]] = {}
        order = sorted(geometry, key=lambda n: -geometry[n][1])  # biggest first
        for name in order:
            _, radius = geometry[name]
            fits = edge >= radius * 0.6
            pool = candidates[fits] if fits.any() else candidates
            target = None
            for _ in range(300):
                guess = pool[rng.integers(len(pool))]
                if all(np.linalg.norm(guess - c) >= 0.85 * (radius + r) for c, r in placed):
                    target = guess
                    break
            if target is None:
                log.warning("landmark scramble: no free place for %s; it may overlap another feature", name)
                target = pool[rng.integers(len(pool))]
            placed.append((target, radius))
            plan[name] = (target, float(rng.uniform(-self.max_rotation, self.max_rotation)))
        self._plan = plan

    def apply(self, frame: np.ndarray, faces: Faces, t: float, rng: np.random.Generator) -> np.ndarray:
        if self._plan is None:
            self._draw_plan(frame, faces, rng)
        assert self._plan is not None
        lm = faces.landmarks[0]
        one = Faces(faces.landmarks[:1], faces.boxes[:1])
        h, w = frame.shape[:2]
        x0, y0, x1, y1 = (int(v) for v in one.boxes[0])
        pad = int(0.3 * max(x1 - x0, y1 - y0))
        x0, y0, x1, y1 = max(x0 - pad, 0), max(y0 - pad, 0), min(x1 + pad, w), min(y1 + pad, h)
        roi = np.ascontiguousarray(frame[y0:y1, x0:x1])
        box = (x0, y0, x1, y1)
        holes = region_mask(one, list(FEATURES.values()), frame.shape, feather_px=0).within(box)
        hole_mask = cv2.dilate((holes > 0).astype(np.uint8) * 255, np.ones((5, 5), np.uint8))
        canvas = cv2.inpaint(roi, hole_mask, 5, cv2.INPAINT_TELEA).astype(np.float32)
        geometry = self._feature_geometry(lm)
        for name, region in self._regions.items():
            alpha = region_mask(one, region, frame.shape, feather_px=self.feather_px).within(box)
            src_centre = from_face(lm, geometry[name][0][None])[0] - (x0, y0)
            target_uv, angle = self._plan[name]
            dst_centre = from_face(lm, target_uv[None])[0] - (x0, y0)
            m = cv2.getRotationMatrix2D((float(src_centre[0]), float(src_centre[1])), angle, 1.0)
            m[:, 2] += dst_centre - src_centre
            size = (roi.shape[1], roi.shape[0])
            moved = cv2.warpAffine(roi, m, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
            a = cv2.warpAffine(alpha, m, size, flags=cv2.INTER_LINEAR)[..., None]
            canvas = canvas * (1 - a) + moved.astype(np.float32) * a
        out = frame if frame.flags.writeable else frame.copy()
        out[y0:y1, x0:x1] = np.clip(np.rint(canvas), 0, 255).astype(np.uint8)
        if self.out_grayscale:
            out[:] = cv2.cvtColor(cv2.cvtColor(out, cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB)
        return out

    def draws(self) -> dict[str, Any]:
        if self._plan is None:
            return {}
        return {name: {"centre_face_coords": uv.round(4).tolist(), "rotation_deg": round(angle, 3)}
                for name, (uv, angle) in self._plan.items()}

