"""Point-light displays: dots on tracked landmarks over a flat background."""

from __future__ import annotations

from collections import deque
from typing import Any

import cv2
import numpy as np

from pyfame.face.faces import Faces
from pyfame.face.region_mask import region_mask
from pyfame.face.regions import FACE_OVAL_PATH
from pyfame.pipeline.layer import Layer, Probe, SourceInfo
from pyfame.pipeline.params import Boolean, Choice, Color, Integer, Number, Param, Regions
from pyfame.solid_color import solid_color
from pyfame.utils.predefined_constants import HISTORY_MODE_NAMES


def even_subset(indices: list[int], points: np.ndarray, density: float) -> list[int]:
    """About ``density`` of ``indices``, spread evenly over the face by farthest-point
    sampling of their ``points`` (deterministic: it starts from the point nearest the centre).

    Examples
    --------
    >>> pts = np.array([[0, 0], [1, 0], [2, 0], [3, 0]], float)
    >>> sorted(even_subset([10, 11, 12, 13], pts, 0.5))
    [11, 13]
    """
    n = len(indices)
    keep = int(round(n * density))
    if keep <= 0:
        return []
    if keep >= n:
        return list(indices)
    pts = np.asarray(points, np.float64)
    first = int(np.argmin(np.linalg.norm(pts - pts.mean(axis=0), axis=1)))
    chosen = [first]
    distance = np.linalg.norm(pts - pts[first], axis=1)
    for _ in range(keep - 1):
        nxt = int(np.argmax(distance))
        chosen.append(nxt)
        distance = np.minimum(distance, np.linalg.norm(pts - pts[nxt], axis=1))
    return [indices[i] for i in sorted(chosen)]


class PointLightDisplay(Layer):
    """Draw dots on the face's landmarks over a flat background.

    The dots are the landmarks of the chosen regions: the points of each region's outline
    and the mesh points inside it (chosen on the first frame with a face, then fixed).
    ``point_density`` in [0, 1] keeps that share of them, spread evenly over each region
    (farthest-point sampling on the first frame); the same dots on every frame.

    Examples
    --------
    >>> import pyfame as pf
    >>> pld = pf.PointLightDisplay(point_density=0.5, show_history=True, history_mode="relative")
    """

    name = "point_light_display"
    subfolder = "PLD"
    needs_face = False
    references = ("Johansson, G. (1973). Visual perception of biological motion and a model for its analysis. "
                  "Perception & Psychophysics, 14(2), 201-211.",)

    landmark_regions: list = Param(Regions(), default=FACE_OVAL_PATH,
                                   help="Regions whose landmarks become dots.", cli_names=("--region",))
    point_density: float = Param(Number(0.0, 1.0), default=1.0, unit="fraction",
                                 help="Share of the dots kept, spread evenly.", cli_names=("--density",))
    point_color: tuple = Param(Color(), default=(255, 255, 255), help="Colour of the dots (RGB).")
    point_radius: int = Param(Integer(0, 50), default=2, unit="px", help="Dot radius.", cli_names=("--radius",))
    background_color: tuple = Param(Color(), default=(0, 0, 0), help="Colour of the background (RGB).")
    show_history: bool = Param(Boolean(), default=False, help="Draw each dot's motion.")
    history_mode: str = Param(Choice(HISTORY_MODE_NAMES), default="origin",
                              help="From each dot's first position ('origin') or its recent path ('relative').")
    history_window_msec: float = Param(Number(0.0, low_open=True), default=500.0, unit="ms",
                                       help="Length of the recent path ('relative').", cli_names=("--history-ms",))
    history_color: tuple = Param(Color(), default=(255, 0, 0), help="Colour of the history lines (RGB).")

    def __post_init__(self) -> None:
        self.probe = PointLightProbe(self)
        self._reset()

    def covered_regions(self) -> None:
        """None: this layer changes the whole frame, not only its regions."""
        return None

    def companion_probe(self) -> Probe:
        return self.probe

    def _reset(self) -> None:
        self.dots: list[int] | None = None
        self._origin: np.ndarray | None = None
        self._trail: deque[tuple[float, np.ndarray]] = deque()
        self.latest: np.ndarray | None = None

    def start(self, info: SourceInfo) -> None:
        self._reset()

    def _choose_dots(self, faces: Faces, shape: tuple[int, ...]) -> list[int]:
        lm = faces.landmarks[0]
        chosen: list[int] = []
        for region in self.landmark_regions:
            members = set(region.landmark_indices)
            mask = region_mask(faces.subset(0), region, shape).full()
            h, w = mask.shape
            for i, (x, y, _) in enumerate(lm):
                xi, yi = int(round(x)), int(round(y))
                if 0 <= xi < w and 0 <= yi < h and mask[yi, xi] >= 0.5:
                    members.add(i)
            ordered = sorted(members)
            picked = even_subset(ordered, lm[ordered, :2], self.point_density)
            chosen.extend(i for i in picked if i not in chosen)
        return chosen

    def apply(self, frame: np.ndarray, faces: Faces, t: float, rng: np.random.Generator) -> np.ndarray:
        out = solid_color(frame.shape[:2], self.background_color)
        self.latest = None
        if not faces:
            return out
        if self.dots is None:
            self.dots = self._choose_dots(faces, frame.shape)
        pts = faces.landmarks[0, self.dots, :2].astype(np.float64)
        self.latest = pts
        if self.show_history:
            if self.history_mode == "origin":
                if self._origin is None:
                    self._origin = pts.copy()
                for a, b in zip(self._origin, pts):
                    cv2.line(out, _px(a), _px(b), self.history_color, 1, cv2.LINE_AA, 4)
            else:
                self._trail.append((t, pts))
                while self._trail and t - self._trail[0][0] > self.history_window_msec / 1000.0:
                    self._trail.popleft()
                for (_, a), (_, b) in zip(self._trail, list(self._trail)[1:]):
                    for p, q in zip(a, b):
                        cv2.line(out, _px(p), _px(q), self.history_color, 1, cv2.LINE_AA, 4)
        for p in pts:
            if self.point_radius == 0:
                xi, yi = int(round(p[0])), int(round(p[1]))
                if 0 <= yi < out.shape[0] and 0 <= xi < out.shape[1]:
                    out[yi, xi] = self.point_color
            else:
                cv2.circle(out, _px(p), self.point_radius * 16, self.point_color, -1, cv2.LINE_AA, 4)
        return out

    def draws(self) -> dict[str, Any]:
        return {"dot_landmarks": self.dots}


def _px(p: np.ndarray) -> tuple[int, int]:
    return int(round(p[0] * 16)), int(round(p[1] * 16))


class PointLightProbe(Probe):
    """Dot trajectories of a :class:`PointLightDisplay`: ``frame, timestamp_s, dot, landmark, x, y``.

    Made by the layer (``layer.probe``), never on its own, so it is not registered.
    """

    table_name = "trajectories"

    def __init__(self, layer: PointLightDisplay) -> None:
        super().__init__()
        self._layer = layer

    def observe(self, frame: np.ndarray, faces: Faces, t: float) -> list[dict[str, Any]]:
        pts = self._layer.latest
        if pts is None or self._layer.dots is None:
            return []
        return [{"dot": i, "landmark": int(lm), "x": float(x), "y": float(y)}
                for i, (lm, (x, y)) in enumerate(zip(self._layer.dots, pts))]

__all__ = ["PointLightDisplay", "PointLightProbe", "even_subset"]
