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
from pyfame.pipeline.params import Boolean, Param

_PIXEL_COLUMNS = [f"{axis}{i}" for i in range(N_LANDMARKS) for axis in ("x", "y", "z")]
_NORM_COLUMNS = [f"{axis}{i}_norm" for i in range(N_LANDMARKS) for axis in ("x", "y")]


class LandmarkProbe(Probe):
    """One row per frame and face.

    Columns: ``face``, ``face_detected``; ``x0, y0, z0, … x477, y477, z477`` in pixels (z in
    the scale of x); with ``normalised=True`` also ``x0_norm, y0_norm, …`` in [0, 1] of the
    frame's width and height; the 52 blendshape scores by their MediaPipe names when the
    tracker computed them; ``yaw_deg, pitch_deg, roll_deg, tx, ty, tz`` when it computed
    head pose (see :func:`~pyfame.core.analysis.head_pose.head_pose`). Frames without a face
    give one row with ``face_detected=False`` and empty values.

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
