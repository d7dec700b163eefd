"""The face model bundled with PyFAME, checked against its published hash.

Examples
--------
>>> from pyfame.models import model_path, MODEL_SHA256
>>> model_path().name
'face_landmarker.task'
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources
from pathlib import Path

from pyfame.errors import ModelFileError

MODEL_FILENAME = "face_landmarker.task"
MODEL_SHA256 = "64184e229b263107bc2b804c6625db1341ff2bb731874b0bcc2fe6544e0bc9ff"
MODEL_NAME = "MediaPipe Face Landmarker (float16, v1)"


def model_path() -> Path:
    """Path of the bundled ``face_landmarker.task`` (not yet verified)."""
    return Path(str(resources.files("pyfame.models").joinpath(MODEL_FILENAME)))


def file_sha256(path: Path, chunk_size: int = 1 << 20) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(chunk_size), b""):
            digest.update(block)
    return digest.hexdigest()


@lru_cache(maxsize=4)
def _verified_bytes(path: str, expected: str) -> bytes:
    p = Path(path)
    if not p.is_file():
        raise ModelFileError(
            f"the face model {p} is missing; reinstall pyfame (the model ships inside the package)"
        )
    data = p.read_bytes()
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise ModelFileError(
            f"the face model {p} has sha256 {actual}, expected {expected}: "
            "the file is altered or damaged; reinstall pyfame"
        )
    return data


def load_model_bytes(path: Path | None = None, expected_sha256: str = MODEL_SHA256) -> bytes:
    """Read the model and check its sha256.

    Parameters
    ----------
    path : Path, optional
        Model file; the bundled one by default.
    expected_sha256 : str
        The hash it must have.

    Raises
    ------
    ModelFileError
        When the file is missing or its hash differs.

    Examples
    --------
    >>> len(load_model_bytes()) > 1_000_000
    True
    """
    return _verified_bytes(str(path or model_path()), expected_sha256)
