"""Existing outputs: skipped when made by the same request, refused otherwise (unless overwrite).

A sidecar records the *request* an output answers: the input's hash, the declared
parameters of every layer, probe and frame plan, the seed the user gave, the tracker
settings, the no-face policy, the encoder and the software. Before any work, a run compares
its request with the sidecar of every output that exists already: the same request (and
outputs whose bytes still match their sidecar) is skipped as already made; anything else is
refused with :class:`OutputExistsError`, naming the file, unless ``overwrite=True``.

Examples
--------
>>> same_request({"seed": None, "a": 1}, {"seed": 5, "a": 1})
True
>>> same_request({"seed": 4, "a": 1}, {"seed": 5, "a": 1})
False
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

from pyfame.errors import FileWriteError
from pyfame.hashing import file_sha256, to_jsonable
from pyfame.models import MODEL_SHA256
from pyfame.provenance import sidecar_path


class OutputExistsError(FileWriteError):
    """An output exists already and was made from a different request; pass ``overwrite=True``
    (``--overwrite``) to replace it."""


@lru_cache(maxsize=1)
def _pyfame_version() -> str:
    # Read once per process, like the sidecar's environment: importlib.metadata parses the
    # package's METADATA each time: 0.4 ms a file, nine tenths of making a request record.
    return version("pyfame")


def request_record(work: Any, options: Any, input_sha256: str, media: Path | None) -> dict[str, Any]:
    """What an output depends on (stored in its sidecar as ``request``)."""
    return to_jsonable({
        "input_sha256": input_sha256,
        **work.specs(),
        "seed": options.seed,
        "tracker": options.tracker.as_dict(),
        "no_face": options.no_face,
        "encoder": {"crf": options.crf, "preset": options.preset}
        if media is not None and media.suffix.lower() == ".mp4" else None,
        "pyfame": _pyfame_version(),
        "model": MODEL_SHA256,
    })


def same_request(asked: dict[str, Any], made: dict[str, Any]) -> bool:
    """True when ``made`` answers ``asked`` (a seed left unset matches any seed)."""
    if asked.get("seed") is None:
        made = {**made, "seed": None}
    return asked == made


def existing_state(targets: Any, request: dict[str, Any]) -> str:
    """What exists of a job's outputs.

    ``"absent"``: nothing; ``"same"``: everything, made by this request, bytes intact;
    ``"incomplete"``: made by this request but a file is missing (a deleted output, a probe
    table that is gone) — made again; ``"different"``: anything else (other parameters,
    changed bytes, no sidecar, not PyFAME's).
    """
    files = [p for p in [targets.media, *targets.tables.values()] if p is not None]
    sidecars = [sidecar_path(p) for p in ([targets.media] if targets.media is not None else targets.tables.values())]
    if not any(p.exists() for p in files + sidecars):
        return "absent"
    complete = True
    for output, side in zip([targets.media] if targets.media is not None else list(targets.tables.values()),
                            sidecars):
        try:
            record = json.loads(side.read_text())
        except (OSError, ValueError):
            return "different"
        if not isinstance(record, dict) or not same_request(request, record.get("request") or {}):
            return "different"
        recorded = {output: (record.get("output") or {}).get("sha256"),
                    **{output.with_name(n): d for n, d in (record.get("tables") or {}).items()}}
        for path, digest in recorded.items():
            if not path.is_file():
                complete = False
            elif file_sha256(path) != digest:
                return "different"
    if not all(p.is_file() for p in files):
        complete = False
    return "same" if complete else "incomplete"


def refusal(path: Path) -> OutputExistsError:
    """The error for an existing output made by another request."""
    return OutputExistsError(f"{path} exists and was made with other parameters (or is not PyFAME's); "
                             "pass overwrite=True (--overwrite) to replace it, or choose another output folder",
                             param="overwrite")
