"""Sparse (Shi-Tomasi + pyramidal Lucas-Kanade) and dense (DIS or Farneback) optical flow.

:class:`OpticalFlow` is a layer that computes the flow between consecutive frames and draws
it (the frame becomes the visualisation); its :attr:`OpticalFlow.probe` turns the same
computation into table rows, sampled every ``csv_sample_freq`` ms. Displacements are in
pixels per frame; directions in degrees, 0 = right, 90 = down (image coordinates).

Dense flow is computed by OpenCV's DIS (dense inverse search, at a named preset) or by
Farneback's polynomial expansion, either inside the face's box (the union of the previous
and the current frame's boxes, padded; the default, and all the per-region table needs) or
over the whole frame. The drawing shows the flow as colour where it was computed and the
frame itself, grey and dimmed, where it was not.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import cv2
import numpy as np

from pyfame.face.faces import Faces
from pyfame.errors import PyfameValueError
from pyfame.face.region_mask import RegionMask, region_mask
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

#: OpenCV's DIS presets by name (Kroeger et al., 2016; OpenCV's ``DISOpticalFlow``):
#: finest pyramid level, patch stride, gradient-descent and variational-refinement
#: iterations are ``2, 4, 12, 0`` (ultrafast), ``2, 4, 16, 5`` (fast), ``1, 3, 25, 5``
#: (medium); 8 px patches in all three.
DIS_PRESETS = {"ultrafast": cv2.DISOPTICAL_FLOW_PRESET_ULTRAFAST, "fast": cv2.DISOPTICAL_FLOW_PRESET_FAST,
               "medium": cv2.DISOPTICAL_FLOW_PRESET_MEDIUM}
#: Parameters that tune Farneback's dense flow (``win_size``, ``max_pyr_lvl`` and ``max_iter``
#: also tune the sparse flow); refused with ``dense_method="dis"`` unless left at their defaults.
FARNEBACK_PARAMS = ("win_size", "max_pyr_lvl", "pyr_scale", "max_iter", "poly_sigma")
#: The face box grows by this share of its larger side on every side before the flow is computed.
FACE_BOX_PAD = 0.2
#: Least side (px) of the area the flow is computed on; smaller areas grow (or, in a frame that
#: small, are padded by repeating their edge), because DIS needs a few of its 8 px patches.
MIN_FLOW_SIDE = 32


class OpticalFlow(Layer):
    """Compute and draw optical flow; see the module docstring.

    Dense flow (``optical_flow_type="dense"``) is DIS at ``dis_preset`` by default, or
    Farneback (``dense_method="farneback"``, tuned by ``win_size``, ``max_pyr_lvl``,
    ``pyr_scale``, ``max_iter`` and ``poly_sigma``). With ``dense_area="face"`` it is computed
    in the padded box holding the face (and its regions) in both frames of each pair, which
    is all the per-region table needs; the drawn video then shows flow colours in that box
    and the frame in dimmed grey around it (not measured). ``dense_area="frame"`` computes
    and draws the whole frame. The first frame has no previous one: nothing is measured on it.

    Examples
    --------
    >>> import pyfame as pf
    >>> flow = pf.OpticalFlow("dense", dense_method="dis", dis_preset="medium")
    >>> flow.dense_area
    'face'
    >>> # pf.apply_layers("clip.mp4", "out/", [flow], [flow.probe])
    """

    name = "optical_flow"
    subfolder = "Optical_Flow"
    needs_face = False
    references = ("Lucas, B. D., & Kanade, T. (1981). An iterative image registration technique with an "
                  "application to stereo vision. Proceedings of IJCAI, 674-679.",
                  "Farnebäck, G. (2003). Two-frame motion estimation based on polynomial expansion. "
                  "Image Analysis (SCIA 2003), LNCS 2749, 363-370.",
                  "Kroeger, T., Timofte, R., Dai, D., & Van Gool, L. (2016). Fast optical flow using dense "
                  "inverse search. Computer Vision - ECCV 2016, LNCS 9908, 471-488.")

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
                            help="Lucas-Kanade search window; dense Farneback: averaging window (first value).")
    max_pyr_lvl: int = Param(Integer(0, 10), default=2,
                             help="Sparse and dense Farneback: pyramid levels above the full image.")
    pyr_scale: float = Param(Number(0.0, 1.0, low_open=True, high_open=True), default=0.5,
                             unit="ratio of image sizes", help="Dense Farneback: scale between pyramid levels.")
    max_iter: int = Param(Integer(1, 1000), default=10, help="Sparse and dense Farneback: iterations per level.")
    lk_accuracy_thresh: float = Param(Number(0.0, low_open=True), default=0.03, unit="px",
                                      help="Sparse: stop iterating when a point moves less than this.")
    poly_sigma: float = Param(Number(0.0, 10.0, low_open=True), default=1.2, unit="px",
                              help="Dense Farneback: Gaussian sigma of the polynomial expansion.")
    point_color: tuple = Param(Color(), default=(255, 255, 255), help="Sparse: colour of the points (RGB).")
    point_radius: int = Param(Integer(0, 100), default=5, unit="px", help="Sparse: radius of the points.")
    vector_color: tuple | None = Param(Optional(Color()), default=None,
                                       help="Sparse: colour of the motion trails (RGB; none: the point colour).")
    regions: list = Param(Regions(), default=DENSE_REGIONS, help="Dense: face regions summarised in the table.")
    csv_sample_freq: float = Param(Number(0.0, low_open=True), default=1000.0, unit="ms",
                                   help="Table sampling period.", cli_names=("--every",))
    dense_method: str = Param(Choice(("dis", "farneback")), default="dis",
                              help="Dense: the method, DIS (dense inverse search, at dis_preset) or Farneback.")
    dis_preset: str = Param(Choice(tuple(DIS_PRESETS)), default="fast",
                            help="Dense DIS: OpenCV's preset (ultrafast, fast, or medium: finer and slower).")
    dense_area: str = Param(Choice(("face", "frame")), default="face",
                            help="Dense: where the flow is computed, the padded box of the face in both frames "
                                 "or the whole frame.")

    def validate(self) -> None:
        if self.optical_flow_type != "dense":
            return
        if self.dense_method == "dis":
            for name in FARNEBACK_PARAMS:
                param = self.parameters[name]
                if getattr(self, name) != param.default_value():
                    raise PyfameValueError(
                        f"{self.name}: {name} tunes Farneback's dense flow, which dense_method='dis' does not "
                        f"use; give dense_method='farneback' to use it, or leave {name} out", param=name)
        elif self.dis_preset != self.parameters["dis_preset"].default_value():
            raise PyfameValueError(f"{self.name}: dis_preset applies to dense_method='dis', not "
                                   f"{self.dense_method!r}", param="dis_preset")

    def __post_init__(self) -> None:
        self.probe = OpticalFlowProbe(self)
        self._dis: Any = None  # made on first use: OpenCV objects do not pickle (process workers)
        self._reset()

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_dis"] = None
        return state

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
        self._prev_masks: list[RegionMask] | None = None  # dense: the previous frame's region masks
        self._prev_box: tuple[int, int, int, int] | None = None  # dense: the previous frame's face box
        self._pending: tuple[Any, ...] | None = None  # dense: what the last frame's rows are made from
        self._rows: list[dict[str, Any]] | None = []

    @property
    def latest(self) -> list[dict[str, Any]]:
        """The table rows of the last frame (dense: computed when first asked for, so frames
        the probe does not sample cost no region means)."""
        if self._rows is None:
            self._rows = self._dense_rows(*self._pending) if self._pending is not None else []
            self._pending = None
        return self._rows

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
        self._rows = rows
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
    def _flow(self, prev: np.ndarray, gray: np.ndarray, area: tuple[int, int, int, int]) -> np.ndarray:
        if self.dense_method == "farneback":
            return dense_flow(prev, gray, area, "farneback", farneback=(
                self.pyr_scale, self.max_pyr_lvl + 1, self.win_size[0], self.max_iter,
                5 if self.poly_sigma < 1.3 else 7, self.poly_sigma))
        if self._dis is None:
            self._dis = cv2.DISOpticalFlow_create(DIS_PRESETS[self.dis_preset])
        return dense_flow(prev, gray, area, "dis", dis=self._dis)

    def _dense(self, gray: np.ndarray, faces: Faces) -> np.ndarray:
        masks = [region_mask(faces, region, gray.shape) for region in self.regions] if faces else None
        box = face_box(faces, masks)
        area = flow = polar = None
        if self._prev_gray is not None:
            if self.dense_area == "frame":
                area = (0, 0, gray.shape[1], gray.shape[0])
            else:
                area = padded_box([b for b in (self._prev_box, box) if b is not None], gray.shape)
            if area is not None:
                flow = self._flow(self._prev_gray, gray, area)
                polar = cv2.cartToPolar(flow[..., 0], flow[..., 1], angleInDegrees=True)
            # the flow is indexed by the previous frame's pixels: average it over where the
            # regions were then (the current frame's regions when the face has just appeared)
            summed = self._prev_masks if self._prev_masks is not None else masks
            self._pending, self._rows = (bool(faces), flow, polar, area, summed), None
        else:
            self._pending, self._rows = None, []
        self._prev_masks, self._prev_box = masks, box
        return draw_dense_flow(gray, flow, area, polar=polar)

    def _dense_rows(self, face: bool, flow: np.ndarray | None, polar: tuple[np.ndarray, np.ndarray] | None,
                    area: tuple[int, int, int, int] | None, masks: list[RegionMask] | None) -> list[dict[str, Any]]:
        rows = []
        for i, region in enumerate(self.regions):
            row: dict[str, Any] = {"region": region.name, "face_detected": face}
            if face and flow is not None and masks is not None:
                row.update(region_flow(flow, area, masks[i], None if polar is None else polar[0]))  # type: ignore[arg-type]
            else:
                row.update(_NO_FLOW)
            rows.append(row)
        return rows

    def apply(self, frame: np.ndarray, faces: Faces, t: float, rng: np.random.Generator) -> np.ndarray:
        gray = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)
        out = self._sparse(gray, faces, frame) if self.optical_flow_type == "sparse" else self._dense(gray, faces)
        self._prev_gray = gray
        return out


def face_box(faces: Faces, masks: list[RegionMask] | None = None) -> tuple[int, int, int, int] | None:
    """The box ``(x0, y0, x1, y1)`` holding every face's landmarks and the non-empty ``masks``
    (regions may reach beyond the landmarks), or None without a face.

    Examples
    --------
    >>> face_box(Faces.empty()) is None
    True
    """
    if not faces:
        return None
    boxes = [faces.union_box()] + [m.box for m in masks or [] if not m.empty]
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),  # type: ignore[index]
            max(b[2] for b in boxes), max(b[3] for b in boxes))  # type: ignore[index]


def padded_box(boxes: list[tuple[int, int, int, int]], frame_shape: tuple[int, ...], pad: float = FACE_BOX_PAD,
               min_side: int = MIN_FLOW_SIDE) -> tuple[int, int, int, int] | None:
    """The union of ``boxes`` grown by ``pad`` times its larger side on every side, and to at
    least ``min_side`` pixels a side, clipped to the frame; None when there is no box.

    The flow of a pair of frames needs the same area in both: the union of the previous and
    the current frame's face boxes holds the face wherever it moved, and the padding gives
    the flow's pyramid some context around it.

    Examples
    --------
    >>> padded_box([(100, 100, 150, 200), (110, 90, 160, 190)], (480, 640), pad=0.1)
    (89, 79, 171, 211)
    >>> padded_box([(630, 5, 636, 9)], (480, 640), pad=0.0)  # tiny, at the edge: 32 px inside the frame
    (608, 0, 640, 32)
    >>> padded_box([], (480, 640)) is None
    True
    """
    if not boxes:
        return None
    h, w = int(frame_shape[0]), int(frame_shape[1])
    x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
    grow = int(round(pad * max(x1 - x0, y1 - y0)))
    x0, x1 = _span(x0 - grow, x1 + grow, w, min_side)
    y0, y1 = _span(y0 - grow, y1 + grow, h, min_side)
    return x0, y0, x1, y1


def _span(lo: int, hi: int, limit: int, least: int) -> tuple[int, int]:
    """``[lo, hi)`` clipped to ``[0, limit)``, then widened about its centre to at least
    ``least`` (at most ``limit``), staying inside."""
    lo, hi = max(lo, 0), min(hi, limit)
    least = min(least, limit)
    short = least - (hi - lo)
    if short > 0:
        lo = min(max(lo - short // 2, 0), limit - least)
        hi = lo + least
    return lo, hi


def dense_flow(prev: np.ndarray, cur: np.ndarray, area: tuple[int, int, int, int], method: str = "dis",
               dis: Any = None, farneback: tuple = (0.5, 3, 15, 10, 5, 1.2)) -> np.ndarray:
    """Dense flow from ``prev`` to ``cur`` (grey uint8 frames) inside ``area``
    ``(x0, y0, x1, y1)``: float32 ``(y1 - y0, x1 - x0, 2)``, ``(dx, dy)`` in pixels per frame,
    indexed by the pixels of ``prev`` (``prev[y, x]`` moved to ``(x + dx, y + dy)``).

    ``method`` is ``"dis"`` (``dis``: an OpenCV ``DISOpticalFlow``; default: the fast preset)
    or ``"farneback"`` (``farneback``: ``pyr_scale, levels, winsize, iterations, poly_n,
    poly_sigma`` of ``cv2.calcOpticalFlowFarneback``). An area narrower than
    :data:`MIN_FLOW_SIDE` (only in a frame that small) is padded by repeating its edge.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> a = cv2.GaussianBlur(rng.integers(0, 256, (96, 96), dtype=np.uint8), (0, 0), 2)
    >>> b = np.roll(a, 2, axis=1)  # everything moved 2 px right
    >>> f = dense_flow(a, b, (16, 16, 80, 80))
    >>> f.shape, round(float(np.median(f[8:-8, 8:-8, 0])), 1), abs(round(float(np.median(f[8:-8, 8:-8, 1])), 1))
    ((64, 64, 2), 2.0, 0.0)
    """
    x0, y0, x1, y1 = area
    a = np.ascontiguousarray(prev[y0:y1, x0:x1])
    b = np.ascontiguousarray(cur[y0:y1, x0:x1])
    h, w = a.shape
    grow_y, grow_x = max(MIN_FLOW_SIDE - h, 0), max(MIN_FLOW_SIDE - w, 0)
    if grow_x or grow_y:
        a = cv2.copyMakeBorder(a, 0, grow_y, 0, grow_x, cv2.BORDER_REPLICATE)
        b = cv2.copyMakeBorder(b, 0, grow_y, 0, grow_x, cv2.BORDER_REPLICATE)
    if method == "farneback":
        flow = cv2.calcOpticalFlowFarneback(a, b, None, *farneback, 0)
    else:
        engine = dis if dis is not None else cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_FAST)
        flow = engine.calc(a, b, None)
    return flow[:h, :w]


_NO_FLOW = {"mean_dx": np.nan, "mean_dy": np.nan, "mean_magnitude": np.nan, "mean_direction_deg": np.nan}


def region_flow(flow: np.ndarray, area: tuple[int, int, int, int], mask: RegionMask,
                magnitude: np.ndarray | None = None) -> dict[str, float]:
    """Mask-weighted means of ``flow`` (computed over ``area``): ``mean_dx``, ``mean_dy``
    (pixels per frame), ``mean_magnitude`` (mean length of the vectors, pixels per frame) and
    ``mean_direction_deg`` (of the mean vector; 0 = right, 90 = down). NaN when the mask has
    no weight inside the area. ``magnitude``: the vectors' lengths over the area, when
    already computed.

    Examples
    --------
    >>> m = RegionMask((1, 1, 3, 3), np.ones((2, 2), np.float32), (4, 4))
    >>> flow = np.zeros((4, 4, 2), np.float32); flow[..., 1] = 2.0
    >>> r = region_flow(flow, (0, 0, 4, 4), m)
    >>> r["mean_dy"], r["mean_direction_deg"]
    (2.0, 90.0)
    """
    ax0, ay0, ax1, ay1 = area
    mx0, my0, mx1, my1 = mask.box
    x0, y0, x1, y1 = max(ax0, mx0), max(ay0, my0), min(ax1, mx1), min(ay1, my1)
    if x0 >= x1 or y0 >= y1:
        return dict(_NO_FLOW)
    w = mask.alpha[y0 - my0:y1 - my0, x0 - mx0:x1 - mx0]
    total = float(w.sum(dtype=np.float64))
    if total <= 0:
        return dict(_NO_FLOW)
    rows, cols = slice(y0 - ay0, y1 - ay0), slice(x0 - ax0, x1 - ax0)
    f = flow[rows, cols]
    if magnitude is None:
        magnitude = cv2.magnitude(flow[..., 0], flow[..., 1])
    # float32 products, float64 sums: the means keep float32's precision at any region size
    dx = float(np.sum(f[..., 0] * w, dtype=np.float64)) / total
    dy = float(np.sum(f[..., 1] * w, dtype=np.float64)) / total
    mag = float(np.sum(magnitude[rows, cols] * w, dtype=np.float64)) / total
    return {"mean_dx": dx, "mean_dy": dy, "mean_magnitude": mag,
            "mean_direction_deg": math.degrees(math.atan2(dy, dx)) % 360}


FLOW_SCALE_PX = 8.0  # magnitude (px/frame) drawn at full brightness


def draw_dense_flow(gray: np.ndarray, flow: np.ndarray | None, area: tuple[int, int, int, int] | None,
                    scale: float = FLOW_SCALE_PX,
                    polar: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """The drawing of a dense flow computed over ``area`` of a frame whose grey levels are
    ``gray``: flow colours (:func:`flow_image`) inside the area, the frame in grey at half
    brightness outside it (not measured: no colour), and the colour-wheel legend.
    ``polar``: the flow's ``(magnitude, angle in degrees)``, when already computed.

    Examples
    --------
    >>> gray = np.full((100, 100), 200, np.uint8)
    >>> out = draw_dense_flow(gray, np.zeros((10, 10, 2), np.float32), (50, 50, 60, 60))
    >>> out[55, 55].tolist(), out[90, 90].tolist()  # no motion is black; outside is grey
    ([0, 0, 0], [100, 100, 100])
    """
    out = cv2.cvtColor(gray // 2, cv2.COLOR_GRAY2RGB)
    if flow is not None and area is not None:
        x0, y0, x1, y1 = area
        out[y0:y1, x0:x1] = flow_image_plain(flow, scale, polar)
    _draw_legend(out, scale)
    return out


def flow_image(flow: np.ndarray, scale: float = FLOW_SCALE_PX) -> np.ndarray:
    """Dense flow as colour: hue = direction, value = magnitude (``scale`` px/frame = full),
    with a colour-wheel legend in the top-left corner."""
    rgb = flow_image_plain(flow, scale)
    _draw_legend(rgb, scale)
    return rgb


@functools.lru_cache(maxsize=8)
def _legend(size: int, scale: float) -> np.ndarray:
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) - (size - 1) / 2
    wheel = np.stack([xx, yy], axis=-1) / ((size - 1) / 2) * scale
    inside = np.hypot(xx, yy) <= (size - 1) / 2
    legend = flow_image_plain(wheel, scale)
    legend[~inside] = 40
    legend.flags.writeable = False
    return legend


def _draw_legend(rgb: np.ndarray, scale: float) -> None:
    size = min(64, rgb.shape[0] // 4, rgb.shape[1] // 4)
    if size >= 16:
        rgb[4:4 + size, 4:4 + size] = _legend(size, scale)


def flow_image_plain(flow: np.ndarray, scale: float,
                     polar: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """The colour coding of :func:`flow_image` without the legend (``polar``: the flow's
    magnitude and angle in degrees, when already computed).

    Hue is the direction in 256 steps (OpenCV's full-range 8-bit HSV), brightness the
    magnitude in 256 steps up to ``scale``; 8-bit throughout, more than ten times cheaper
    than converting float images, with no visible difference.

    Examples
    --------
    >>> right, down = np.array([[[8.0, 0.0]]], np.float32), np.array([[[0.0, 4.0]]], np.float32)
    >>> flow_image_plain(right, 8.0)[0, 0].tolist(), flow_image_plain(down, 8.0)[0, 0].tolist()
    ([255, 0, 0], [63, 128, 0])
    """
    mag, ang = polar if polar is not None else cv2.cartToPolar(flow[..., 0], flow[..., 1], angleInDegrees=True)
    hue = cv2.convertScaleAbs(ang, alpha=256.0 / 360.0)  # rounds and saturates: 359.9 deg stays 255
    value = cv2.convertScaleAbs(mag, alpha=255.0 / scale)
    saturation = np.full(hue.shape, 255, np.uint8)
    return cv2.cvtColor(cv2.merge([hue, saturation, value]), cv2.COLOR_HSV2RGB_FULL)


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
        if t + 1e-9 < self._next_t:
            return []
        rows = self._layer.latest
        if not rows:
            return []
        period = self._layer.csv_sample_freq / 1000.0
        self._next_t = (math.floor(t / period + 1e-9) + 1) * period
        return [dict(r) for r in rows]

__all__ = ["OpticalFlow", "OpticalFlowProbe"]
