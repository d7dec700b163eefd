"""Per-frame landmark tables: landmarks, blendshapes and head pose, as a probe and a function."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pyfame.core.analysis.head_pose import head_pose
from pyfame.face.faces import N_LANDMARKS, Faces
from pyfame.face.tracker import blendshape_names
from pyfame.pipeline.layer import Probe, SourceInfo
from pyfame.pipeline.params import Boolean, Choice, Param

_PIXEL_COLUMNS = [f"{axis}{i}" for i in range(N_LANDMARKS) for axis in ("x", "y", "z")]
_NORM_COLUMNS = [f"{axis}{i}_norm" for i in range(N_LANDMARKS) for axis in ("x", "y")]


class LandmarkProbe(Probe):
    """One row per frame and face.

    Columns: ``face``, ``face_detected``; ``x0, y0, z0, … x477, y477, z477`` in pixels (z in
    the scale of x); with ``normalised=True`` also ``x0_norm, y0_norm, …`` in [0, 1] of the
    frame's width and height; the 52 blendshape scores by their MediaPipe names when the
    tracker computed them; ``yaw_deg, pitch_deg, roll_deg, tx, ty, tz`` when it computed
    head pose (see :func:`~pyfame.core.analysis.head_pose.head_pose`). Frames without a face
    give one row with ``face_detected=False`` and empty values. Coordinates are float32 (as
    the tracker gives them; Parquet keeps the type).

    ``layout="long"`` gives one row per frame, face and landmark instead
    (``frame, timestamp_s, face, face_detected, landmark, x, y, z`` and ``x_norm, y_norm``),
    the shape that R's and pandas' grouping wants. ``columns="openface"`` names the columns as
    OpenFace does, so existing analyses carry over: ``frame``, ``face_id``, ``timestamp``
    (seconds), ``confidence`` and ``success`` (1 where a face was tracked, 0 where not:
    MediaPipe reports no per-face score, faces below the tracker's thresholds are not
    returned), and ``x_0 … x_477``, ``y_…``, ``z_…`` in pixels.

    Examples
    --------
    >>> LandmarkProbe().name
    'landmarks'
    """

    name = "landmarks"
    subfolder = "Landmarks"

    normalised: bool = Param(Boolean(), default=True, help="Also give x and y in [0, 1] of the frame.")
    blendshapes: bool = Param(Boolean(), default=True, help="Add the 52 expression blendshape scores.")
    head_pose: bool = Param(Boolean(), default=True, help="Add yaw, pitch, roll (degrees) and translation.")
    layout: str = Param(Choice(("wide", "long")), default="wide",
                        help="One row per frame and face (wide), or per frame, face and landmark (long).")
    columns: str = Param(Choice(("pyfame", "openface")), default="pyfame",
                         help="Column names: PyFAME's, or OpenFace's (face_id, timestamp, confidence, success, x_0).")

    def __post_init__(self) -> None:
        self._size = (1, 1)

    def tracker_needs(self) -> dict[str, Any]:
        return {"blendshapes": self.blendshapes, "head_pose": self.head_pose}

    def start(self, info: SourceInfo) -> None:
        self._size = (info.width, info.height)

    def observe(self, frame: np.ndarray, faces: Faces, t: float) -> list[dict[str, Any]]:
        if not faces:
            return [{"face": -1, "face_detected": False}]
        rows = []
        w, h = self._size
        for i in range(faces.count):
            row: dict[str, Any] = {"face": i, "face_detected": True}
            lm = faces.landmarks[i]
            row.update(zip(_PIXEL_COLUMNS, lm.reshape(-1).tolist()))
            if self.normalised:
                norm = lm[:, :2] / np.array([w, h], np.float32)
                row.update(zip(_NORM_COLUMNS, norm.reshape(-1).tolist()))
            if self.blendshapes and faces.blendshapes is not None:
                row.update(zip(blendshape_names(), faces.blendshapes[i].tolist()))
            if self.head_pose and faces.matrices is not None:
                row.update(head_pose(faces.matrices[i]))
            rows.append(row)
        return rows


    def to_table(self, rows: list[dict[str, Any]]) -> pd.DataFrame:
        table = pd.DataFrame(rows)
        coords = [c for c in (*_PIXEL_COLUMNS, *_NORM_COLUMNS) if c in table.columns]
        if coords:
            table = table.astype(dict.fromkeys(coords, np.float32))
        if self.layout == "long":
            table = _long(table)
        if self.columns == "openface":
            table = _openface(table)
        return table


def _long(table: pd.DataFrame) -> pd.DataFrame:
    """One row per frame, face and landmark (frames without a face keep one row, landmark -1)."""
    keys = [c for c in ("frame", "timestamp_s", "face", "face_detected") if c in table.columns]
    if "x0" not in table.columns:
        return table.assign(landmark=-1)
    n = len(table)
    out = {k: np.repeat(table[k].to_numpy(), N_LANDMARKS) for k in keys}
    out["landmark"] = np.tile(np.arange(N_LANDMARKS), n)
    for axis in ("x", "y", "z"):
        out[axis] = table[[f"{axis}{i}" for i in range(N_LANDMARKS)]].to_numpy(np.float32).reshape(-1)
    if "x0_norm" in table.columns:
        for axis in ("x", "y"):
            out[f"{axis}_norm"] = table[[f"{axis}{i}_norm" for i in range(N_LANDMARKS)]].to_numpy(np.float32).reshape(-1)
    return pd.DataFrame(out)


def _openface(table: pd.DataFrame) -> pd.DataFrame:
    """OpenFace's column names (``face_id``, ``timestamp``, ``confidence``, ``success``, ``x_0``)."""
    renamed = {"face": "face_id", "timestamp_s": "timestamp"}
    renamed.update({c: f"{c[0]}_{c[1:]}" for c in table.columns if c[:1] in "xyz" and c[1:].isdigit()})
    out = table.rename(columns=renamed).copy()
    detected = out.pop("face_detected").fillna(False).astype(bool) if "face_detected" in out else None
    if detected is not None:
        at = list(out.columns).index("timestamp") + 1 if "timestamp" in out.columns else 0
        out.insert(at, "confidence", detected.astype(np.float32))
        out.insert(at + 1, "success", detected.astype(np.int8))
    return out


def landmark_table(input_path: str | os.PathLike[str], probe: LandmarkProbe | None = None,
                   **run_kw: Any) -> pd.DataFrame:
    """Track a file and return its per-frame landmark table (see :class:`LandmarkProbe`;
    ``run_kw`` are :class:`~pyfame.pipeline.run_options.RunOptions` fields).

    Examples
    --------
    >>> # landmark_table("clip.mp4", LandmarkProbe(blendshapes=False)).shape  → (frames × faces, columns)
    """
    from pyfame.pipeline.file_pass import Targets, Work, run_file
    from pyfame.pipeline.run_options import RunOptions

    work = Work([], [probe or LandmarkProbe()], operation="landmarks")
    result = run_file(Path(input_path), Targets(), work, RunOptions(**run_kw))
    return result.tables["landmarks"]

__all__ = ["LandmarkProbe", "landmark_table"]
