"""Sparse (Shi-Tomasi + pyramidal Lucas-Kanade) and dense (Farneback) optical flow.

:class:`OpticalFlow` is a layer that computes the flow between consecutive frames and draws
it (the frame becomes the visualisation); its :attr:`OpticalFlow.probe` turns the same
computation into table rows, sampled every ``csv_sample_freq`` ms. Displacements are in
pixels per frame; directions in degrees, 0 = right, 90 = down (image coordinates).
"""

from __future__ import annotations

import math
from typing import Any

import cv2
import numpy as np

from pyfame.face.faces import Faces
from pyfame.face.region_mask import region_mask
from pyfame.face.regions import CHEEKS_PATH, CHIN_PATH, FACE_OVAL_MASK, NOSE_PATH
from pyfame.pipeline.layer import Layer, Probe, SourceInfo
from pyfame.pipeline.params import (
    Choice,
    Color,
    Integer,
    IntegerList,
    IntegerPair,
    Number,
    Optional,
    Param,
    Regions,
)
from pyfame.utils.predefined_constants import OPTICAL_FLOW_NAMES

DENSE_REGIONS = [FACE_OVAL_MASK, CHEEKS_PATH, NOSE_PATH, CHIN_PATH]


class OpticalFlow(Layer):
    """Compute and draw optical flow; see the module docstring.

    Examples
    --------
    >>> import pyfame as pf
    >>> flow = pf.OpticalFlow("dense")
    >>> # pf.apply_layers("clip.mp4", "out/", [flow], [flow.probe])
    """

    name = "optical_flow"
    subfolder = "Optical_Flow"
    needs_face = False
    references = ("Lucas, B. D., & Kanade, T. (1981). An iterative image registration technique with an "
                  "application to stereo vision. Proceedings of IJCAI, 674-679.",
                  "Farnebäck, G. (2003). Two-frame motion estimation based on polynomial expansion. "
                  "Image Analysis (SCIA 2003), LNCS 2749, 363-370.")

    optical_flow_type: str = Param(Choice(OPTICAL_FLOW_NAMES), default="sparse",
                                   help="Sparse (Lucas-Kanade on points) or dense (every pixel).",
                                   cli_names=("--type",))
    landmarks_to_track: list | None = Param(Optional(IntegerList(0, 477)), default=None,
                                            help="Sparse: track these landmarks instead of corners found in the face.",
                                            cli_names=("--landmark",))
    max_corners: int = Param(Integer(1, 10_000), default=20, help="Sparse: most corners tracked.")
    corner_quality_lvl: float = Param(Number(0.0, 1.0, low_open=True), default=0.3,
                                      unit="fraction of the best corner's score",
                                      help="Sparse: corner quality threshold (Shi-Tomasi), relative to the best.")
    min_corner_distance: int = Param(Integer(0, 1000), default=7, unit="px", help="Sparse: least distance between corners.")
    block_size: int = Param(Integer(1, 63), default=5, unit="px", help="Sparse: corner detection window.")
    win_size: tuple = Param(IntegerPair(3, 255), default=(15, 15), unit="px",
                            help="Lucas-Kanade search window; dense: averaging window (first value).")
    max_pyr_lvl: int = Param(Integer(0, 10), default=2, help="Pyramid levels above the full image.")
    pyr_scale: float = Param(Number(0.0, 1.0, low_open=True, high_open=True), default=0.5,
                             unit="ratio of image sizes", help="Dense: scale between pyramid levels.")
    max_iter: int = Param(Integer(1, 1000), default=10, help="Iterations per level.")
    lk_accuracy_thresh: float = Param(Number(0.0, low_open=True), default=0.03, unit="px",
                                      help="Sparse: stop iterating when a point moves less than this.")
    poly_sigma: float = Param(Number(0.0, 10.0, low_open=True), default=1.2, unit="px",
                              help="Dense: Gaussian sigma of Farneback's polynomial expansion.")
    point_color: tuple = Param(Color(), default=(255, 255, 255), help="Sparse: colour of the points (RGB).")
    point_radius: int = Param(Integer(0, 100), default=5, unit="px", help="Sparse: radius of the points.")
    vector_color: tuple | None = Param(Optional(Color()), default=None,
                                       help="Sparse: colour of the motion trails (RGB; none: the point colour).")
    regions: list = Param(Regions(), default=DENSE_REGIONS, help="Dense: face regions summarised in the table.")
    csv_sample_freq: float = Param(Number(0.0, low_open=True), default=1000.0, unit="ms",
                                   help="Table sampling period.", cli_names=("--every",))

    def __post_init__(self) -> None:
        self.probe = OpticalFlowProbe(self)
        self._reset()

    def covered_regions(self) -> None:
        """None: this layer changes the whole frame, not only its regions."""
        return None

    def accepts(self, kind: str) -> str | None:
        return "optical flow needs a video: a still image has no motion" if kind == "image" else None

    def companion_probe(self) -> Probe:
        return self.probe

    def _reset(self) -> None:
        self._prev_gray: np.ndarray | None = None
        self._points: np.ndarray | None = None  # (n, 2) float32, sparse
        self._ids: np.ndarray | None = None
        self._next_id = 0
        self._trails: dict[int, list[tuple[float, float]]] = {}
        self.latest: list[dict[str, Any]] = []

    def start(self, info: SourceInfo) -> None:
        self._reset()

    # -- sparse ----------------------------------------------------------------------------
    def _seed_points(self, gray: np.ndarray, faces: Faces) -> None:
        if not faces:
            self._points = None
            return
        if self.landmarks_to_track:
            pts = faces.landmarks[0, self.landmarks_to_track, :2]
        else:
            mask = (region_mask(faces, FACE_OVAL_MASK, gray.shape).full() > 0.5).astype(np.uint8) * 255
            found = cv2.goodFeaturesToTrack(gray, self.max_corners, self.corner_quality_lvl,
                                            self.min_corner_distance, mask=mask, blockSize=self.block_size)
            pts = np.zeros((0, 2), np.float32) if found is None else found.reshape(-1, 2)
        self._points = np.ascontiguousarray(pts, np.float32)
        self._ids = np.arange(self._next_id, self._next_id + len(pts))
        self._next_id += len(pts)
        self._trails = {int(i): [tuple(p)] for i, p in zip(self._ids, self._points)}

    def _sparse(self, gray: np.ndarray, faces: Faces, frame: np.ndarray) -> np.ndarray:
        rows: list[dict[str, Any]] = []
        if self._prev_gray is not None and self._points is not None and len(self._points):
            new, status, _ = cv2.calcOpticalFlowPyrLK(
                self._prev_gray, gray, self._points.reshape(-1, 1, 2), None, winSize=self.win_size,
                maxLevel=self.max_pyr_lvl,
                criteria=(cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, self.max_iter, self.lk_accuracy_thresh))
            ok = status.reshape(-1) == 1
            new = new.reshape(-1, 2)
            for pid, (x0, y0), (x1, y1), good in zip(self._ids, self._points, new, ok):
                if not good:
                    continue
                dx, dy = float(x1 - x0), float(y1 - y0)
                rows.append({"point": int(pid), "x": float(x1), "y": float(y1), "dx": dx, "dy": dy,
                             "magnitude": math.hypot(dx, dy), "direction_deg": math.degrees(math.atan2(dy, dx)) % 360})
                self._trails.setdefault(int(pid), []).append((float(x1), float(y1)))
            self._points, self._ids = new[ok], self._ids[ok]
            if self.landmarks_to_track and faces:
                # landmark points follow the tracker; LK gives their motion between frames
                self._points = np.ascontiguousarray(faces.landmarks[0, self.landmarks_to_track, :2], np.float32)
                self._ids = np.arange(len(self._points))
        if self._points is None or len(self._points) < max(1, (len(self.landmarks_to_track or []) or
                                                               self.max_corners) // 2):
            self._seed_points(gray, faces)
        self.latest = rows
        return self._draw_sparse(frame)

    def _draw_sparse(self, frame: np.ndarray) -> np.ndarray:
        out = frame.copy()
        color = self.vector_color or self.point_color
        alive = set(int(i) for i in (self._ids if self._ids is not None else []))
        for pid, trail in list(self._trails.items()):
            if pid not in alive:
                del self._trails[pid]
                continue
            recent = trail[-12:]
            self._trails[pid] = recent
            for (xa, ya), (xb, yb) in zip(recent, recent[1:]):
                cv2.line(out, (round(xa), round(ya)), (round(xb), round(yb)), color, 2, cv2.LINE_AA)
            x, y = recent[-1]
            cv2.circle(out, (round(x), round(y)), self.point_radius, self.point_color, -1, cv2.LINE_AA)
        return out

    # -- dense -----------------------------------------------------------------------------
    def _dense(self, gray: np.ndarray, faces: Faces, frame: np.ndarray) -> np.ndarray:
        if self._prev_gray is None:
            flow = np.zeros((*gray.shape, 2), np.float32)
        else:
            flow = cv2.calcOpticalFlowFarneback(
                self._prev_gray, gray, None, self.pyr_scale, self.max_pyr_lvl + 1, self.win_size[0], self.max_iter,
                5 if self.poly_sigma < 1.3 else 7, self.poly_sigma, 0)
        rows = []
        if self._prev_gray is not None:
            for region in self.regions:
                row: dict[str, Any] = {"region": region.name, "face_detected": bool(faces)}
                if faces:
                    mask = region_mask(faces, region, gray.shape)
                    w = mask.alpha.astype(np.float64)
                    f = flow[mask.slices].astype(np.float64)
                    total = w.sum()
                    dx, dy = (f[..., 0] * w).sum() / total, (f[..., 1] * w).sum() / total
                    mag = np.hypot(f[..., 0], f[..., 1])
                    row.update({"mean_dx": dx, "mean_dy": dy, "mean_magnitude": float((mag * w).sum() / total),
                                "mean_direction_deg": math.degrees(math.atan2(dy, dx)) % 360})
                else:
                    row.update({"mean_dx": np.nan, "mean_dy": np.nan, "mean_magnitude": np.nan,
                                "mean_direction_deg": np.nan})
                rows.append(row)
        self.latest = rows
        return flow_image(flow)

    def apply(self, frame: np.ndarray, faces: Faces, t: float, rng: np.random.Generator) -> np.ndarray:
        gray = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)
        out = self._sparse(gray, faces, frame) if self.optical_flow_type == "sparse" else self._dense(gray, faces, frame)
        self._prev_gray = gray
        return out

FLOW_SCALE_PX = 8.0  # magnitude (px/frame) drawn at full brightness


def flow_image(flow: np.ndarray, scale: float = FLOW_SCALE_PX) -> np.ndarray:
    """Dense flow as colour: hue = direction, value = magnitude (``scale`` px/frame = full),
    with a colour-wheel legend in the top-left corner."""
    mag, ang = cv2.cartToPolar(flow[..., 0], flow[..., 1], angleInDegrees=True)
    hsv = np.zeros((*flow.shape[:2], 3), np.float32)
    hsv[..., 0] = ang
    hsv[..., 1] = 1.0
    hsv[..., 2] = np.clip(mag / scale, 0, 1)
    rgb = (cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB) * 255).astype(np.uint8)
    size = min(64, flow.shape[0] // 4, flow.shape[1] // 4)
    if size >= 16:
        yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) - (size - 1) / 2
        wheel = np.stack([xx, yy], axis=-1) / ((size - 1) / 2) * scale
        inside = np.hypot(xx, yy) <= (size - 1) / 2
        legend = flow_image_plain(wheel, scale)
        legend[~inside] = 40
        rgb[4:4 + size, 4:4 + size] = legend
    return rgb


def flow_image_plain(flow: np.ndarray, scale: float) -> np.ndarray:
    """The colour coding of :func:`flow_image` without the legend."""
    mag, ang = cv2.cartToPolar(flow[..., 0], flow[..., 1], angleInDegrees=True)
    hsv = np.stack([ang, np.ones_like(ang), np.clip(mag / scale, 0, 1)], axis=-1).astype(np.float32)
    return (cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB) * 255).astype(np.uint8)


class OpticalFlowProbe(Probe):
    """Rows of an :class:`OpticalFlow` layer, sampled every ``csv_sample_freq`` ms.

    Sparse: one row per tracked point (``point, x, y, dx, dy, magnitude, direction_deg``);
    dense: one row per region (``region, mean_dx, mean_dy, mean_magnitude,
    mean_direction_deg``). ``dx``/``dy`` are pixels per frame.
    """

    table_name = "optical_flow"

    def __init__(self, layer: OpticalFlow) -> None:
        super().__init__()
        self._layer = layer
        self._next_t = 0.0

    def start(self, info: SourceInfo) -> None:
        self._next_t = 0.0

    def observe(self, frame: np.ndarray, faces: Faces, t: float) -> list[dict[str, Any]]:
        rows = self._layer.latest
        if not rows or t + 1e-9 < self._next_t:
            return []
        period = self._layer.csv_sample_freq / 1000.0
        self._next_t = (math.floor(t / period + 1e-9) + 1) * period
        return [dict(r) for r in rows]

__all__ = ["OpticalFlow", "OpticalFlowProbe"]
