"""Content hashes used for caches and provenance.

Examples
--------
>>> from pyfame.hashing import stable_json_hash
>>> stable_json_hash({"b": 1, "a": 2}) == stable_json_hash({"a": 2, "b": 1})
True
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from pyfame.models import file_sha256

__all__ = ["file_sha256", "stable_json_hash", "to_jsonable"]


def to_jsonable(value: Any) -> Any:
    """Turn parameters (numpy scalars, tuples, paths, callables) into JSON-ready values."""
    import numpy as np

    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    if callable(value):
        return f"{getattr(value, '__module__', '?')}.{getattr(value, '__qualname__', repr(value))}"
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)


def stable_json_hash(value: Any) -> str:
    """sha256 of a value's canonical JSON form (sorted keys)."""
    text = json.dumps(to_jsonable(value), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
