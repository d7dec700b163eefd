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
from pyfame.pipeline.layer import Layer, Probe, SourceInfo
from pyfame.face.regions import CHEEKS_PATH, CHIN_PATH, FACE_OVAL_MASK, NOSE_PATH, resolve_regions
from pyfame.utils.predefined_constants import OPTICAL_FLOW_NAMES, SPARSE_OPTICAL_FLOW, options
from pyfame.validation import check_choice, check_color, check_float, check_int

DENSE_REGIONS = (FACE_OVAL_MASK, CHEEKS_PATH, NOSE_PATH, CHIN_PATH)


def _win(value: Any) -> tuple[int, int]:
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        value = (value, value)
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        from pyfame.errors import PyfameTypeError

        raise PyfameTypeError(f"win_size must be a pair of ints like (15, 15), got {value!r}")
    return (check_int(value[0], "win_size[0]", low=3, high=255), check_int(value[1], "win_size[1]", low=3, high=255))


class OpticalFlow(Layer):
    """Compute and draw optical flow; see the module docstring.

    Parameters
    ----------
    optical_flow_type : int or str
        ``SPARSE_OPTICAL_FLOW`` ("sparse", default) or ``DENSE_OPTICAL_FLOW`` ("dense").
    landmarks_to_track : list of int, optional
        Sparse: track these landmarks instead of Shi-Tomasi corners found in the face.
    max_corners, corner_quality_lvl, min_corner_distance, block_size
        Shi-Tomasi corner detection (``cv2.goodFeaturesToTrack``), inside the face oval.
    win_size, max_pyr_lvl, max_iter, lk_accuracy_thresh
        Lucas-Kanade window, pyramid levels, and stop criteria (sparse); Farneback uses
        ``win_size[0]``, ``max_pyr_lvl`` levels and ``max_iter`` iterations.
    pyr_scale, poly_sigma
        Farneback's pyramid scale and polynomial sigma (its ``poly_n`` is 5 for
        ``poly_sigma < 1.3``, else 7).
    point_color, point_radius, vector_color
        Drawing of sparse points and their motion trails (RGB; ``vector_color=None`` uses
        the point colour).
    regions
        Dense: face regions summarised in the table.

    Examples
    --------
    >>> import pyfame as pf
    >>> flow = pf.OpticalFlow("dense")
    >>> # pf.apply_layers("clip.mp4", "out/", [flow], [flow.probe])
    """

    name = "optical_flow"
    needs_face = False

    def __init__(self, optical_flow_type: Any = SPARSE_OPTICAL_FLOW, landmarks_to_track: list[int] | None = None,
                 max_corners: int = 20, corner_quality_lvl: float = 0.3, min_corner_distance: int = 7,
                 block_size: int = 5, win_size: Any = (15, 15), max_pyr_lvl: int = 2, pyr_scale: float = 0.5,
                 max_iter: int = 10, lk_accuracy_thresh: float = 0.03, poly_sigma: float = 1.2,
                 point_color: tuple[int, int, int] = (255, 255, 255), point_radius: int = 5,
                 vector_color: tuple[int, int, int] | None = None, regions: Any = DENSE_REGIONS,
                 csv_sample_freq: float = 1000.0) -> None:
        self.optical_flow_type = check_choice(optical_flow_type, "optical_flow_type", options(OPTICAL_FLOW_NAMES))
        if landmarks_to_track is not None:
            if not isinstance(landmarks_to_track, (list, tuple)) or not landmarks_to_track:
                from pyfame.errors import PyfameTypeError

                raise PyfameTypeError(f"landmarks_to_track must be a list of landmark indices, got {landmarks_to_track!r}")
            landmarks_to_track = [check_int(i, "landmarks_to_track", low=0, high=477) for i in landmarks_to_track]
        self.landmarks_to_track = landmarks_to_track
        self.max_corners = check_int(max_corners, "max_corners", low=1, high=10_000)
        self.corner_quality_lvl = check_float(corner_quality_lvl, "corner_quality_lvl", low=0.0, high=1.0,
                                              low_inclusive=False)
        self.min_corner_distance = check_int(min_corner_distance, "min_corner_distance", low=0, high=1000)
        self.block_size = check_int(block_size, "block_size", low=1, high=63)
        self.win_size = _win(win_size)
        self.max_pyr_lvl = check_int(max_pyr_lvl, "max_pyr_lvl", low=0, high=10)
        self.pyr_scale = check_float(pyr_scale, "pyr_scale", low=0.0, high=1.0, low_inclusive=False,
                                     high_inclusive=False)
        self.max_iter = check_int(max_iter, "max_iter", low=1, high=1000)
        self.lk_accuracy_thresh = check_float(lk_accuracy_thresh, "lk_accuracy_thresh", low=0.0, low_inclusive=False)
        self.poly_sigma = check_float(poly_sigma, "poly_sigma", low=0.0, low_inclusive=False, high=10.0)
        self.point_color = check_color(point_color, "point_color")
        self.point_radius = check_int(point_radius, "point_radius", low=0, high=100)
        self.vector_color = None if vector_color is None else check_color(vector_color, "vector_color")
        self.regions = resolve_regions(list(regions) if isinstance(regions, tuple) else regions, "regions")
        self.probe = OpticalFlowProbe(self, csv_sample_freq)
        self._reset()

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

    def params(self) -> dict[str, Any]:
        p = {k: v for k, v in vars(self).items() if not k.startswith("_") and k not in ("probe", "latest", "regions")}
        p["regions"] = [r.name for r in self.regions]
        p["csv_sample_freq"] = self.probe.csv_sample_freq
        return p


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

    name = "optical_flow"

    def __init__(self, layer: OpticalFlow, csv_sample_freq: float = 1000.0) -> None:
        self._layer = layer
        self.csv_sample_freq = check_float(csv_sample_freq, "csv_sample_freq", low=0.0, low_inclusive=False)
        self._next_t = 0.0

    def start(self, info: SourceInfo) -> None:
        self._next_t = 0.0

    def observe(self, frame: np.ndarray, faces: Faces, t: float) -> list[dict[str, Any]]:
        rows = self._layer.latest
        if not rows or t + 1e-9 < self._next_t:
            return []
        period = self.csv_sample_freq / 1000.0
        self._next_t = (math.floor(t / period + 1e-9) + 1) * period
        return [dict(r) for r in rows]

    def params(self) -> dict[str, Any]:
        return {"csv_sample_freq": self.csv_sample_freq}
