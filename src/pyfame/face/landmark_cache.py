"""On-disk cache of a file's tracked landmarks, so a second pass skips tracking.

The key is the input's content sha256, the model's sha256 and the tracker settings; a
file that changes, a new model or other thresholds miss the cache. Entries are ``.npz``
files written atomically.

An entry is checked before it is used: it must hold the input's sha256 it was made from,
the source's frame count it was made with (``source.frame_count``: the container's count,
which may differ from the frames decoded, e.g. under an edit list, so both are stored),
finite landmarks and arrays whose shapes agree with each other and with the frames stored. An entry that fails any check (damaged, cut
short, edited, or another input's) is a miss, logged as a warning: the file is tracked
again and the entry replaced. A bad entry never raises and never gives wrong landmarks.

Examples
--------
>>> import tempfile, numpy as np
>>> from pyfame.face.faces import Faces
>>> cache = LandmarkCache(tempfile.mkdtemp())
>>> key = cache.key("0" * 64, {"num_faces": 1})
>>> _ = cache.save(key, [Faces.empty()], input_sha256="0" * 64, source_frame_count=1)
>>> len(cache.load(key, input_sha256="0" * 64, frame_count=1))
1
>>> cache.load(key, input_sha256="1" * 64) is None  # another input's entry: a miss
True
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import numpy as np

from pyfame.face.faces import N_BLENDSHAPES, N_LANDMARKS, Faces
from pyfame.face.hairline import N_POINTS as N_HAIRLINE
from pyfame.hashing import stable_json_hash
from pyfame.io.atomic_write import atomic_output
from pyfame.models import MODEL_SHA256

log = logging.getLogger(__name__)

#: Version 2 stores the input's sha256 and the frame counts inside each entry; version 3 each
#: face's hairline (entries without it would give foreheads that stop at the mesh's oval).
CACHE_FORMAT = 3


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

    def load(self, key: str, input_sha256: str | None = None, frame_count: int | None = None) -> list[Faces] | None:
        """The cached faces per frame, or None on a miss.

        Parameters
        ----------
        key : str
            The entry's name (:meth:`key`).
        input_sha256 : str, optional
            The input's sha256: an entry made from another input is a miss.
        frame_count : int, optional
            The source's frame count (``source.frame_count``): an entry made for a source
            with another count is a miss.

        Returns
        -------
        list of Faces or None
            None when there is no entry or the entry fails a check (logged as a warning).
        """
        path = self._path(key)
        if not path.is_file():
            return None
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {name: data[name] for name in data.files}
            out = _checked_faces(arrays, input_sha256, frame_count)
        except Exception as exc:  # a damaged or inconsistent entry is a miss, never an error
            log.warning("ignoring landmark cache entry %s: %s", path, exc)
            return None
        log.debug("landmark cache hit %s (%d frames)", path, len(out))
        return out

    def save(self, key: str, faces_per_frame: list[Faces], input_sha256: str = "",
             source_frame_count: int | None = None) -> Path:
        """Store faces per frame under ``key``; atomic (temp file, then rename).

        ``input_sha256`` and ``source_frame_count`` (the source's ``frame_count``; the
        number of frames stored when not given) go into the entry for :meth:`load` to check.
        """
        self.folder.mkdir(parents=True, exist_ok=True)
        counts = np.array([f.count for f in faces_per_frame], np.int32)
        arrays: dict[str, np.ndarray] = {
            "format": np.array(CACHE_FORMAT, np.int32),
            "input_sha256": np.array(str(input_sha256)),
            "frames": np.array(len(faces_per_frame), np.int64),
            "source_frame_count": np.array(
                len(faces_per_frame) if source_frame_count is None else int(source_frame_count), np.int64),
            "counts": counts,
            "landmarks": _concat([f.landmarks for f in faces_per_frame], (0, N_LANDMARKS, 3)),
            "boxes": _concat([f.boxes for f in faces_per_frame], (0, 4), np.int32),
        }
        with_faces = [f for f in faces_per_frame if f]
        if with_faces and all(f.blendshapes is not None for f in with_faces):
            arrays["blendshapes"] = _concat([f.blendshapes for f in faces_per_frame if f], (0, N_BLENDSHAPES))
        if with_faces and all(f.matrices is not None for f in with_faces):
            arrays["matrices"] = _concat([f.matrices for f in faces_per_frame if f], (0, 4, 4))
        if with_faces and all(f.hairline is not None for f in with_faces):
            arrays["hairline"] = _concat([f.hairline for f in faces_per_frame if f], (0, N_HAIRLINE, 2))
        target = self._path(key)
        with atomic_output(target) as tmp, open(tmp, "wb") as handle:
            np.savez(handle, **arrays)
        return target


def _concat(parts: list[np.ndarray | None], empty_shape: tuple[int, ...], dtype=np.float32) -> np.ndarray:
    parts = [p for p in parts if p is not None and len(p)]
    if not parts:
        return np.zeros(empty_shape, dtype)
    return np.concatenate(parts).astype(dtype, copy=False)


class _BadEntry(ValueError):
    """Why a cache entry cannot be used."""


def _checked_faces(arrays: dict[str, np.ndarray], input_sha256: str | None, frame_count: int | None) -> list[Faces]:
    """Faces per frame from an entry's arrays, after every consistency check."""
    for name in ("format", "input_sha256", "frames", "source_frame_count", "counts", "landmarks", "boxes"):
        if name not in arrays:
            raise _BadEntry(f"no {name!r} array (an older or damaged entry)")
    if arrays["format"].shape != () or int(arrays["format"]) != CACHE_FORMAT:
        raise _BadEntry(f"format {arrays['format']!r}, expected {CACHE_FORMAT}")
    stored_sha = str(arrays["input_sha256"])
    if input_sha256 is not None and stored_sha != input_sha256:
        raise _BadEntry(f"made from another input (sha256 {stored_sha[:12]}…, expected {input_sha256[:12]}…)")
    counts = arrays["counts"]
    if counts.ndim != 1 or counts.dtype.kind not in "iu" or (counts < 0).any():
        raise _BadEntry(f"face counts of shape {counts.shape} and type {counts.dtype}")
    stored_frames = int(arrays["frames"])
    if stored_frames != len(counts):
        raise _BadEntry(f"{len(counts)} frames of faces, but it says {stored_frames}")
    made_for = int(arrays["source_frame_count"])
    if frame_count is not None and made_for != frame_count:
        raise _BadEntry(f"made for a source of {made_for} frames, the input has {frame_count}")
    n = int(counts.sum())
    expected_shapes = {"landmarks": (n, N_LANDMARKS, 3), "boxes": (n, 4), "blendshapes": (n, N_BLENDSHAPES),
                       "matrices": (n, 4, 4), "hairline": (n, N_HAIRLINE, 2)}
    for name, shape in expected_shapes.items():
        if name not in arrays:
            continue
        array = arrays[name]
        if array.shape != shape:
            raise _BadEntry(f"{name} of shape {array.shape}, expected {shape}")
        if array.dtype.kind not in "fiu" or not np.isfinite(array).all():
            raise _BadEntry(f"{name} holds values that are not finite numbers")
    landmarks, boxes = arrays["landmarks"], arrays["boxes"]
    blend, mats, hair = arrays.get("blendshapes"), arrays.get("matrices"), arrays.get("hairline")
    out: list[Faces] = []
    start = 0
    for count in counts.tolist():
        stop = start + count
        out.append(
            Faces(
                landmarks[start:stop].astype(np.float32, copy=False),
                boxes[start:stop].astype(np.int32, copy=False),
                None if blend is None else blend[start:stop],
                None if mats is None else mats[start:stop],
                None if hair is None else hair[start:stop].astype(np.float32, copy=False),
            )
        )
        start = stop
    return out
