"""On-disk cache of a file's tracked landmarks, so a second pass skips tracking.

The key is the input's content sha256, the model's sha256 and the tracker settings; a
file that changes, a new model or other thresholds miss the cache. Entries are ``.npz``
files written atomically.

Examples
--------
>>> import tempfile, numpy as np
>>> from pyfame.face.faces import Faces
>>> cache = LandmarkCache(tempfile.mkdtemp())
>>> key = cache.key("0" * 64, {"num_faces": 1})
>>> _ = cache.save(key, [Faces.empty()])
>>> len(cache.load(key))
1
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from pyfame.face.faces import N_BLENDSHAPES, N_LANDMARKS, Faces
from pyfame.hashing import stable_json_hash
from pyfame.models import MODEL_SHA256

log = logging.getLogger(__name__)

CACHE_FORMAT = 1


def default_cache_dir() -> Path:
    """``$PYFAME_CACHE_DIR``, else ``$XDG_CACHE_HOME/pyfame/landmarks``, else ``~/.cache/...``."""
    env = os.environ.get("PYFAME_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pyfame" / "landmarks"


class LandmarkCache:
    """A folder of cached tracking results.

    Parameters
    ----------
    folder : str or Path, optional
        Where entries live; :func:`default_cache_dir` by default. Created on first save.
    """

    def __init__(self, folder: str | os.PathLike[str] | None = None) -> None:
        self.folder = Path(folder) if folder is not None else default_cache_dir()

    @staticmethod
    def key(input_sha256: str, settings: dict[str, Any], frame_shape: tuple[int, ...] | None = None) -> str:
        """The entry name for an input's hash under the given tracker settings."""
        return stable_json_hash(
            {
                "format": CACHE_FORMAT,
                "input": input_sha256,
                "model": MODEL_SHA256,
                "settings": settings,
                "shape": list(frame_shape) if frame_shape else None,
            }
        )

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.npz"

    def load(self, key: str) -> list[Faces] | None:
        """The cached faces per frame, or None on a miss (or an unreadable entry)."""
        path = self._path(key)
        if not path.is_file():
            return None
        try:
            with np.load(path, allow_pickle=False) as data:
                counts = data["counts"]
                landmarks = data["landmarks"]
                boxes = data["boxes"]
                blend = data["blendshapes"] if "blendshapes" in data.files else None
                mats = data["matrices"] if "matrices" in data.files else None
        except Exception as exc:  # a damaged entry is a miss, never an error
            log.warning("ignoring unreadable landmark cache entry %s: %s", path, exc)
            return None
        out: list[Faces] = []
        start = 0
        for n in counts.tolist():
            stop = start + n
            out.append(
                Faces(
                    landmarks[start:stop],
                    boxes[start:stop],
                    None if blend is None else blend[start:stop],
                    None if mats is None else mats[start:stop],
                )
            )
            start = stop
        log.debug("landmark cache hit %s (%d frames)", path, len(out))
        return out

    def save(self, key: str, faces_per_frame: list[Faces]) -> Path:
        """Store faces per frame under ``key``; atomic (temp file, then rename)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        counts = np.array([f.count for f in faces_per_frame], np.int32)
        arrays: dict[str, np.ndarray] = {
            "counts": counts,
            "landmarks": _concat([f.landmarks for f in faces_per_frame], (0, N_LANDMARKS, 3)),
            "boxes": _concat([f.boxes for f in faces_per_frame], (0, 4), np.int32),
        }
        with_faces = [f for f in faces_per_frame if f]
        if with_faces and all(f.blendshapes is not None for f in with_faces):
            arrays["blendshapes"] = _concat([f.blendshapes for f in faces_per_frame if f], (0, N_BLENDSHAPES))
        if with_faces and all(f.matrices is not None for f in with_faces):
            arrays["matrices"] = _concat([f.matrices for f in faces_per_frame if f], (0, 4, 4))
        target = self._path(key)
        fd, tmp = tempfile.mkstemp(prefix=f".{key[:16]}-", suffix=".npz.tmp", dir=self.folder)
        try:
            with os.fdopen(fd, "wb") as handle:
                np.savez(handle, **arrays)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return target


def _concat(parts: list[np.ndarray | None], empty_shape: tuple[int, ...], dtype=np.float32) -> np.ndarray:
    parts = [p for p in parts if p is not None and len(p)]
    if not parts:
        return np.zeros(empty_shape, dtype)
    return np.concatenate(parts).astype(dtype, copy=False)
