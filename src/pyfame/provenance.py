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
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from pyfame.errors import FileReadError, PyfamePathError
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
    """The sidecar of ``output``, checked (:func:`check_sidecar`): a :class:`SidecarError`
    naming the key when it is damaged, a ``PyfamePathError`` when there is none."""
    side = sidecar_path(Path(output))
    if not side.is_file():
        raise PyfamePathError(f"output: {output} has no sidecar ({side.name}); it was not made by PyFAME",
                              param="output")
    try:
        record = json.loads(side.read_text())
    except (ValueError, UnicodeDecodeError) as exc:
        raise SidecarError(f"{side}: not valid JSON ({exc})", param="output") from exc
    return check_sidecar(record, str(side))


# ---- what a sidecar may hold -----------------------------------------------------------------


class SidecarError(FileReadError):
    """A sidecar that is not a PyFAME sidecar: not JSON, not a mapping, a key PyFAME never
    writes, a missing key, or a value of the wrong kind; the message names the key."""


@dataclass(frozen=True)
class _Record:
    """A JSON object with these keys (each optional unless ``required``); ``open``: other
    keys allowed too (a layer's parameters, a tracker's settings)."""

    fields: dict[str, Any] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    open: bool = False


@dataclass(frozen=True)
class _ListOf:
    item: Any


@dataclass(frozen=True)
class _MapOf:
    value: Any


_NONE = type(None)
_OBJECT = _Record(open=True)
_PATH_RECORD = _Record({"name": str, "path": str, "sha256": str, "relative_path": (str, _NONE)})

#: Every key a sidecar written by PyFAME holds (layers, probes, frame plans, operations,
#: experiments, tables), and what kind of value it has. A sidecar is checked against it, in
#: one place, before anything reads it (``pyfame verify``, resuming a run, ``pyfame methods``).
SIDECAR_SCHEMA = _Record({
    "format": int, "pyfame": (str, _NONE), "model": _Record({"name": (str, _NONE), "sha256": (str, _NONE)}),
    "packages": _MapOf((str, _NONE)),
    "operation": str,
    "input": _Record({"path": str, "sha256": str, "relative_path": (str, _NONE)}),
    "inputs": _ListOf(_PATH_RECORD),
    "made_from": _ListOf(_Record({**_PATH_RECORD.fields, "frames": int, "frames_with_face": int})),
    "seed": (int, _NONE),
    "layers": _ListOf(_Record({"name": str, "params": _OBJECT, "draws": object}, required=("name",))),
    "probes": _ListOf(_Record({"name": str, "params": _OBJECT}, required=("name",))),
    "frame_plan": (_NONE, _Record({"name": str, "params": _OBJECT}, open=True)),
    "tracker": _OBJECT, "no_face_policy": str,
    "encoder": (_NONE, _Record({"codec": str, "crf": int, "preset": str, "profile": (str, _NONE),
                                "x264_params": str, "threads": int}, required=("codec", "crf", "preset"))),
    "frames": _Record({"decoded": int, "written": int, "with_face": int, "without_face": int,
                       "without_face_ranges": list, "held_face_ranges": list}),
    "landmark_cache_hit": bool,
    "truncated": _OBJECT,
    "request": _Record({"input_sha256": str, "layers": _ListOf(_OBJECT), "probes": _ListOf(_OBJECT),
                        "frame_plan": (_NONE, _OBJECT), "operation": _OBJECT, "inputs": _ListOf(list),
                        "seed": (int, _NONE), "tracker": _OBJECT, "no_face": str, "encoder": (_NONE, _OBJECT),
                        "pyfame": (str, _NONE), "model": (str, _NONE), "table_format": str}),
    "experiment": _Record({"condition": str, "factors": _OBJECT, "layer_specs": _ListOf(_OBJECT),
                           "probe_specs": _ListOf(_OBJECT), "frame_plan_spec": (_NONE, _OBJECT),
                           "probe_summary": _OBJECT}),
    "output": _Record({"path": str, "sha256": str, "folder_path": str}),
    "tables": _MapOf(str),
    "params": _OBJECT,
    "made": _OBJECT,
}, required=("input", "output", "tracker", "no_face_policy", "seed"))


def _kind(spec: Any) -> str:
    if isinstance(spec, tuple):
        return " or ".join(_kind(s) for s in spec)
    if isinstance(spec, _Record):
        return "an object"
    if isinstance(spec, _ListOf):
        return "a list"
    if isinstance(spec, _MapOf):
        return "an object"
    return {str: "a string", int: "an integer", bool: "true or false", _NONE: "null", list: "a list",
            object: "any value"}.get(spec, getattr(spec, "__name__", str(spec)))


def _fits(value: Any, spec: Any) -> bool:
    """Whether ``value`` is of ``spec``'s kind (its inside is checked by :func:`_check`)."""
    if isinstance(spec, tuple):
        return any(_fits(value, s) for s in spec)
    if isinstance(spec, (_Record, _MapOf)):
        return isinstance(value, dict)
    if isinstance(spec, _ListOf):
        return isinstance(value, list)
    if spec is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, spec)


def _check(value: Any, spec: Any, key: str, where: str) -> None:
    if not _fits(value, spec):
        shown = json.dumps(value)[:60] if not isinstance(value, (dict, list)) else type(value).__name__
        raise SidecarError(f"{where}: {key} must be {_kind(spec)}, got {shown}", param="output")
    if isinstance(spec, tuple):
        spec = next(s for s in spec if _fits(value, s))
    if isinstance(spec, _Record):
        for name in spec.required:
            if name not in value:
                raise SidecarError(f"{where}: not a PyFAME sidecar ({key + '.' if key else ''}{name} is missing)",
                                   param="output")
        for name, item in value.items():
            path = f"{key}.{name}" if key else str(name)
            if name in spec.fields:
                _check(item, spec.fields[name], path, where)
            elif not spec.open:
                raise SidecarError(f"{where}: {path}: a key PyFAME never writes in a sidecar", param="output")
    elif isinstance(spec, _ListOf):
        for i, item in enumerate(value):
            _check(item, spec.item, f"{key}[{i}]", where)
    elif isinstance(spec, _MapOf):
        for name, item in value.items():
            _check(item, spec.value, f"{key}.{name}", where)


def check_sidecar(record: Any, where: str = "sidecar") -> dict[str, Any]:
    """``record`` (a parsed sidecar) checked against :data:`SIDECAR_SCHEMA`: the keys PyFAME
    writes, the required ones, and the kind of every value; a :class:`SidecarError` naming
    the key otherwise. Returns the record.

    Examples
    --------
    >>> check_sidecar({"input": {}, "output": {}, "tracker": {}, "no_face_policy": "pass", "seed": 1})["seed"]
    1
    >>> check_sidecar({"input": {"path": 5}, "output": {}, "tracker": {}, "no_face_policy": "pass", "seed": 1})
    Traceback (most recent call last):
    ...
    pyfame.provenance.SidecarError: sidecar: input.path must be a string, got 5
    >>> check_sidecar({"input": {}, "output": {}, "tracker": {}, "no_face_policy": "pass", "seed": 1, "x": 2})
    Traceback (most recent call last):
    ...
    pyfame.provenance.SidecarError: sidecar: x: a key PyFAME never writes in a sidecar
    """
    if not isinstance(record, dict):
        raise SidecarError(f"{where}: a sidecar is a JSON object, got {type(record).__name__}", param="output")
    _check(record, SIDECAR_SCHEMA, "", where)
    return record
