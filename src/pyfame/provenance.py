"""Sidecars: a JSON record beside every output of what made it.

Examples
--------
>>> env = environment()
>>> sorted(env)[:2]
['model', 'packages']
"""

from __future__ import annotations

import json
import platform
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from pyfame.hashing import to_jsonable
from pyfame.io.atomic_write import atomic_output
from pyfame.models import MODEL_NAME, MODEL_SHA256

SIDECAR_SUFFIX = ".pyfame.json"
SIDECAR_FORMAT = 1


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


@lru_cache(maxsize=1)
def _environment() -> str:
    import cv2
    import numpy

    return json.dumps({
        "pyfame": _version("pyfame"),
        "model": {"name": MODEL_NAME, "sha256": MODEL_SHA256},
        "packages": {
            "python": platform.python_version(),
            "mediapipe": _version("mediapipe"),
            "av": _version("av"),
            "opencv": cv2.__version__,
            "numpy": numpy.__version__,
            "pandas": _version("pandas"),
        },
    })


def environment() -> dict[str, Any]:
    """Versions of PyFAME, its main dependencies and the model (read once per process: an
    operation writing a thousand stimuli writes a thousand sidecars)."""
    return json.loads(_environment())


def sidecar_path(output: Path) -> Path:
    """``clip.mp4`` → ``clip.mp4.pyfame.json``."""
    return output.with_name(output.name + SIDECAR_SUFFIX)


def sidecar_text(record: dict[str, Any]) -> str:
    """The sidecar's JSON text: the format, the environment, then ``record``."""
    body = {"format": SIDECAR_FORMAT, **environment(), **record}
    return json.dumps(to_jsonable(body), indent=2, sort_keys=False) + "\n"


def write_sidecar(output: Path, record: dict[str, Any]) -> Path:
    """Write ``record`` (plus the environment) beside ``output``, atomically."""
    target = sidecar_path(output)
    with atomic_output(target) as tmp:
        tmp.write_text(sidecar_text(record))
    return target


def read_sidecar(output: Path) -> dict[str, Any]:
    """The sidecar of ``output`` as a dict."""
    return json.loads(sidecar_path(output).read_text())
