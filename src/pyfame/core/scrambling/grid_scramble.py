"""Grid scrambles: the face's grid squares shuffled (high level) or moved within their row (low level)."""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from pyfame.face.faces import Faces
from pyfame.face.region_mask import region_mask
from pyfame.face.regions import FACE_OVAL_MASK
from pyfame.pipeline.layer import Layer, SourceInfo
from pyfame.pipeline.params import Boolean, Choice, Integer, Param


def bounded_permutation(n: int, threshold: int, rng: np.random.Generator) -> np.ndarray:
    """A random permutation of ``range(n)`` in which no item moves more than ``threshold`` places.

    Items are sorted by ``i + u * threshold`` with ``u`` uniform in [0, 1): an item can only
    pass items fewer than ``threshold`` places away, so ``|perm[j] - j| <= threshold``.

    Examples
    --------
    >>> p = bounded_permutation(10, 2, np.random.default_rng(0))
    >>> sorted(p.tolist()) == list(range(10)) and bool(np.abs(p - np.arange(10)).max() <= 2)
    True
    """
    keys = np.arange(n) + rng.random(n) * threshold
    return np.argsort(keys, kind="stable")


class GridScramble(Layer):
    """Cut the face's bounding box into a grid and shuffle the squares that lie on the face.

    ``method="high"`` permutes all face squares freely; ``"low"`` moves each face square
    within its row by at most ``grid_scramble_threshold`` places (among that row's face
    squares). Squares whose centre is outside the face oval, and everything outside the face's
    box, stay put. The grid is laid on the first frame with a face (squares of
    ``grid_square_size`` pixels from the box's top-left corner) and follows the box after
    that, scaled with it; the permutation is drawn once (seeded) and kept for the whole
    video. It is written to the sidecar.

    Examples
    --------
    >>> import pyfame as pf
    >>> layer = pf.GridScramble("low", grid_square_size=30, grid_scramble_threshold=2)
    """

    name = "grid_scramble"
    subfolder = "Scrambled"

    method: str = Param(Choice(("high", "low")), default="high",
                        help="'high': squares shuffled freely; 'low': each moves at most a few places in its row.")
    grid_square_size: int = Param(Integer(2, 2048), default=40, unit="px", help="Side of the grid squares.",
                                  cli_names=("--square",))
    grid_scramble_threshold: int = Param(Integer(1, 1000), default=2, unit="squares",
                                         help="'low': the most places a square moves.", cli_names=("--threshold",))
    out_grayscale: bool = Param(Boolean(), default=False, help="Write the result in grey.",
                                cli_names=("--grayscale",))

    def __post_init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self._shape: tuple[int, int] | None = None  # rows, cols
        self._mapping: dict[int, int] | None = None  # destination cell → source cell
        self._box_size: tuple[int, int] = (0, 0)  # the face box (w, h) the grid was laid on

    def start(self, info: SourceInfo) -> None:
        self._reset()

    def _plan(self, faces: Faces, frame_shape: tuple[int, ...], rng: np.random.Generator) -> None:
        x0, y0, x1, y1 = (int(v) for v in faces.boxes[0])
        s = self.grid_square_size
        rows, cols = max(1, (y1 - y0) // s), max(1, (x1 - x0) // s)
        mask = region_mask(Faces(faces.landmarks[:1], faces.boxes[:1]), FACE_OVAL_MASK, frame_shape).full()
        inside = []
        for r in range(rows):
            for c in range(cols):
                cy, cx = y0 + r * s + s // 2, x0 + c * s + s // 2
                if mask[min(cy, mask.shape[0] - 1), min(cx, mask.shape[1] - 1)] >= 0.5:
                    inside.append(r * cols + c)
        mapping: dict[int, int] = {}
        if self.method == "high":
            perm = rng.permutation(len(inside))
            mapping = {inside[i]: inside[int(p)] for i, p in enumerate(perm)}
        else:
            for r in range(rows):
                cells = [i for i in inside if i // cols == r]
                perm = bounded_permutation(len(cells), self.grid_scramble_threshold, rng)
                mapping.update({cells[i]: cells[int(p)] for i, p in enumerate(perm)})
        self._shape, self._mapping, self._box_size = (rows, cols), mapping, (x1 - x0, y1 - y0)

    def apply(self, frame: np.ndarray, faces: Faces, t: float, rng: np.random.Generator) -> np.ndarray:
        if self._mapping is None:
            self._plan(faces, frame.shape, rng)
        assert self._shape is not None and self._mapping is not None
        rows, cols = self._shape
        x0, y0, x1, y1 = (int(v) for v in faces.boxes[0])
        s = self.grid_square_size
        box_w, box_h = self._box_size
        if (x1 - x0, y1 - y0) == self._box_size:
            xs = [x0 + c * s for c in range(cols + 1)]
            ys = [y0 + r * s for r in range(rows + 1)]
        else:  # the face changed size: the same grid, scaled to the box
            xs = np.round(np.linspace(x0, x0 + cols * s * (x1 - x0) / box_w, cols + 1)).astype(int).tolist()
            ys = np.round(np.linspace(y0, y0 + rows * s * (y1 - y0) / box_h, rows + 1)).astype(int).tolist()
        h, w = frame.shape[:2]
        xs = [min(max(v, 0), w) for v in xs]
        ys = [min(max(v, 0), h) for v in ys]
        gy0, gx0 = ys[0], xs[0]
        src = frame[gy0:ys[-1], gx0:xs[-1]].copy()  # the grid's area only: squares move within it
        out = frame if frame.flags.writeable else frame.copy()
        for dst, source in self._mapping.items():
            dr, dc, sr, sc = dst // cols, dst % cols, source // cols, source % cols
            target = out[ys[dr]:ys[dr + 1], xs[dc]:xs[dc + 1]]
            piece = src[ys[sr] - gy0:ys[sr + 1] - gy0, xs[sc] - gx0:xs[sc + 1] - gx0]
            if target.size == 0 or piece.size == 0:
                continue
            if piece.shape != target.shape:
                piece = cv2.resize(piece, (target.shape[1], target.shape[0]), interpolation=cv2.INTER_LINEAR)
            target[:] = piece
        if self.out_grayscale:
            out[:] = cv2.cvtColor(cv2.cvtColor(out, cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB)
        return out

    def draws(self) -> dict[str, Any]:
        if self._mapping is None or self._shape is None:
            return {}
        return {"grid_rows_cols": list(self._shape),
                "destination_to_source_cell": {str(k): v for k, v in sorted(self._mapping.items())}}

