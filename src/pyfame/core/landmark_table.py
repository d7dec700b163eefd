"""Per-frame landmark tables: a probe and a file-level function."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pyfame.errors import PyfameValueError
from pyfame.face.faces import N_LANDMARKS, Faces
from pyfame.face.tracker import blendshape_names
from pyfame.pipeline.layer import Probe, SourceInfo

_COLUMNS = [f"{axis}{i}" for i in range(N_LANDMARKS) for axis in ("x", "y", "z")]


class LandmarkProbe(Probe):
    """One row per frame and face: the 478 landmarks in pixels (``x0, y0, z0, ...``).

    Frames without a face give one row with ``face_detected=False`` and empty landmarks.
    Blendshape scores are added when the tracker computed them.

    Example
    -------
    >>> probe = LandmarkProbe()
    >>> probe.name
    'landmarks'
    """

    name = "landmarks"

    def start(self, info: SourceInfo) -> None:
        self._size = (info.width, info.height)

    def observe(self, frame: np.ndarray, faces: Faces, t: float) -> list[dict[str, Any]]:
        if not faces:
            return [{"face": -1, "face_detected": False}]
        rows = []
        for i in range(faces.count):
            row: dict[str, Any] = {"face": i, "face_detected": True}
            row.update(zip(_COLUMNS, faces.landmarks[i].reshape(-1).tolist()))
            if faces.blendshapes is not None:
                row.update(zip(blendshape_names(), faces.blendshapes[i].tolist()))
            rows.append(row)
        return rows


def write_table(table: pd.DataFrame, target: Path) -> Path:
    """Write a table as CSV or Parquet (by extension), atomically."""
    from pyfame.io.atomic_write import atomic_output

    suffix = target.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise PyfameValueError(f"output: {target} must end in .csv or .parquet")
    with atomic_output(target) as tmp:
        if suffix == ".csv":
            table.to_csv(tmp, index=False)
        else:
            try:
                table.to_parquet(tmp, index=False)
            except ImportError as exc:
                raise PyfameValueError(
                    f"output: writing {target} needs pyarrow (pip install 'pyfame[parquet]')"
                ) from exc
    return target


def landmark_table(input_path: str | os.PathLike[str], **run_kw: Any) -> pd.DataFrame:
    """Track a file and return its per-frame landmark table (see :class:`LandmarkProbe`).

    Example
    -------
    >>> # landmark_table("clip.mp4").shape  → (frames × faces, 3 + 2 + 1434)
    """
    from pyfame.pipeline.file_pass import run_file
    from pyfame.pipeline.run_options import RunOptions

    result = run_file(Path(input_path), None, [], [LandmarkProbe()], RunOptions(**run_kw), "landmarks")
    return result.tables["landmarks"]
