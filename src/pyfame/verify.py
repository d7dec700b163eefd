"""``pyfame verify``: make an output again from its sidecar and compare the bytes."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pyfame.errors import FileReadError, PyfamePathError
from pyfame.io.video_sink import DEFAULT_CRF, DEFAULT_PRESET


@dataclass
class VerifyReport:
    """Whether an output was re-created byte for byte, and if not, by how much it differs."""

    output: Path
    identical: bool
    message: str
    differing_pixels: int = 0
    max_difference: int = 0
    mean_difference: float = 0.0


def verify_output(output: str | os.PathLike[str]) -> VerifyReport:
    """Re-create ``output`` from its sidecar (same input, layers, seed, settings) and compare.

    The input named in the sidecar must still exist with the same sha256. Outputs made with
    a custom timing function or layer cannot be re-created and say so.

    Examples
    --------
    >>> # verify_output("out/Color_Shifted/face.png").identical
    """
    from pyfame.experiment.registry import build_layer, rebuildable
    from pyfame.face.tracker_settings import TrackerSettings
    from pyfame.hashing import file_sha256
    from pyfame.pipeline.file_pass import run_file
    from pyfame.pipeline.run_options import RunOptions
    from pyfame.provenance import sidecar_path

    out = Path(output)
    if not out.is_file():
        raise PyfamePathError(f"output: {out} does not exist")
    side = sidecar_path(out)
    if not side.is_file():
        raise PyfamePathError(f"output: {out} has no sidecar ({side.name}); it was not made by PyFAME")
    try:
        record = json.loads(side.read_text())
    except ValueError as exc:
        raise FileReadError(f"output: the sidecar {side} is not valid JSON ({exc})") from exc
    source = Path(record["input"]["path"])
    if not source.is_file():
        return VerifyReport(out, False, f"the input {source} named in the sidecar is gone")
    if file_sha256(source) != record["input"]["sha256"]:
        return VerifyReport(out, False, f"the input {source} has changed since the output was made")
    specs = record.get("experiment", {}).get("layer_specs") or [
        {"type": layer["name"], **{k: v for k, v in layer["params"].items() if k != "timing_kwargs"},
         **(layer["params"].get("timing_kwargs") or {})} for layer in record["layers"]]
    for spec in specs:
        why = rebuildable(spec)
        if why:
            return VerifyReport(out, False, f"cannot re-create: {why}")
    layers = [build_layer(spec) for spec in specs]
    encoder = record.get("encoder") or {}
    options = RunOptions(tracker=TrackerSettings(**record["tracker"]), no_face=record["no_face_policy"],
                         seed=record["seed"], crf=encoder.get("crf", DEFAULT_CRF), preset=encoder.get("preset", DEFAULT_PRESET),
                         landmark_cache=False)
    from pyfame.experiment.registry import build_probe

    probes = [build_probe(spec) for spec in record.get("experiment", {}).get("probe_specs", [])]
    with tempfile.TemporaryDirectory(prefix="pyfame-verify-") as tmp:
        again = Path(tmp) / out.name
        run_file(source, again, layers, probes, options, record.get("operation", "verify"))
        if again.read_bytes() == out.read_bytes():
            return VerifyReport(out, True, f"{out}: identical ({record['output']['sha256'][:12]}…)")
        report = _compare(out, again)
        changed = _changed_software(record)
        if changed:
            report.message += f"; made with other software ({changed}), which can explain it"
        return report


def _changed_software(record: dict) -> str:
    """The versions in a sidecar that differ from this installation, e.g. ``pyfame 0.1.0 -> 0.2.0``."""
    from pyfame.provenance import environment

    now = environment()
    then_pkgs, now_pkgs = record.get("packages") or {}, now["packages"]
    pairs = [("pyfame", record.get("pyfame"), now["pyfame"]),
             *((name, then_pkgs.get(name), now_pkgs.get(name)) for name in now_pkgs),
             ("model", (record.get("model") or {}).get("sha256"), now["model"]["sha256"])]
    return ", ".join(f"{name} {old} -> {new}" for name, old, new in pairs if old is not None and old != new)


def _compare(out: Path, again: Path) -> VerifyReport:
    from pyfame.io import open_source

    differing, worst, total, count = 0, 0, 0.0, 0
    with open_source(out) as a, open_source(again) as b:
        frames_a, frames_b = list(a), list(b)
    if len(frames_a) != len(frames_b):
        return VerifyReport(out, False, f"{out}: differs: {len(frames_a)} frames, re-created {len(frames_b)}")
    for fa, fb in zip(frames_a, frames_b):
        if fa.pixels.shape != fb.pixels.shape:
            return VerifyReport(out, False, f"{out}: differs: frame {fa.index} has another size")
        d = np.abs(fa.pixels.astype(np.int16) - fb.pixels).max(axis=2)
        differing += int((d > 0).sum())
        worst = max(worst, int(d.max()))
        total += float(d.sum())
        count += d.size
    mean = total / count if count else 0.0
    return VerifyReport(out, False, f"{out}: differs: {differing} pixels differ, by up to {worst} "
                                    f"(mean {mean:.3f} over all pixels)", differing, worst, mean)
