"""``pyfame verify``: check an output against its sidecar, and make it again to compare.

Trustworthy both ways: an output whose bytes no longer match the sha256 its sidecar records
DIFFERS whatever re-creating it gives (no false pass); the input is found relative to the
sidecar first (a moved folder still verifies); an input that is gone or changed is "cannot
verify", not DIFFERS (no false failure); shuffled and other reordered outputs are re-created
with their frame plan, and tables from their own sidecars.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pyfame.errors import PyfameError, PyfamePathError
from pyfame.provenance import SidecarError

#: ``VerifyReport.status`` values and the exit codes ``pyfame verify`` gives them.
EXIT_CODES = {"identical": 0, "differs": 1, "cannot verify": 3}


@dataclass
class VerifyReport:
    """Whether an output was re-created byte for byte, and if not, by how much it differs.

    ``status`` is ``"identical"``, ``"differs"`` or ``"cannot verify"`` (the input is gone or
    changed, or the output was made by something that cannot be rebuilt).
    """

    output: Path
    identical: bool
    message: str
    differing_pixels: int = 0
    max_difference: int = 0
    mean_difference: float = 0.0
    status: str = ""

    def __post_init__(self) -> None:
        if not self.status:
            self.status = "identical" if self.identical else "differs"


def read_record(output: Path) -> dict[str, Any]:
    """The sidecar of ``output``, checked to be a PyFAME sidecar (:func:`~pyfame.provenance.read_sidecar`:
    a ``SidecarError`` naming the key when it is damaged)."""
    from pyfame.provenance import read_sidecar

    return read_sidecar(output)


def find_input(output: Path, record: dict[str, Any]) -> Path | None:
    """The input named in the sidecar: relative to the output's folder first, then as recorded."""
    info = record["input"]
    candidates = []
    if info.get("relative_path"):
        candidates.append(output.resolve().parent / info["relative_path"])
    if info.get("path"):
        candidates.append(Path(info["path"]))
    return next((c for c in candidates if c.is_file()), None)


def verify_output(output: str | os.PathLike[str]) -> VerifyReport:
    """Check ``output`` against its sidecar, re-create it (same input, layers, probes, frame
    plan, seed, settings) and compare the bytes.

    Examples
    --------
    >>> # verify_output("out/Color_Shifted/face.png").status  → "identical"
    """
    from pyfame.hashing import file_sha256

    out = Path(output)
    if not out.is_file():
        raise PyfamePathError(f"output: {out} does not exist", param="output")
    record = read_record(out)
    if isinstance((record.get("request") or {}).get("operation"), dict):
        return _verify_operation(out, record)
    recorded = (record["output"] or {}).get("sha256")
    tampered = bool(recorded) and file_sha256(out) != recorded
    changed_note = f"its bytes changed since it was made (sha256 {str(recorded)[:12]}… recorded)"
    source = find_input(out, record)
    if source is None or file_sha256(source) != record["input"].get("sha256"):
        why = (f"input missing ({record['input'].get('path')})" if source is None
               else f"the input {source} has changed since the output was made")
        if tampered:  # whatever the input, these bytes are not the ones recorded
            return VerifyReport(out, False, f"{out}: differs: {changed_note}; cannot re-create it: {why}")
        return VerifyReport(out, False, f"{out}: cannot verify: {why}", status="cannot verify")
    try:
        work, options = _rebuild(record)
    except PyfameError as exc:
        if tampered:
            return VerifyReport(out, False, f"{out}: differs: {changed_note}")
        return VerifyReport(out, False, f"{out}: cannot verify: cannot re-create ({exc})", status="cannot verify")
    with tempfile.TemporaryDirectory(prefix="pyfame-verify-") as tmp:
        again = _remake(source, out, record, work, options, Path(tmp))
        if again.read_bytes() == out.read_bytes() and not tampered:
            return VerifyReport(out, True, f"{out}: identical ({file_sha256(out)[:12]}…)")
        try:
            report = _compare(out, again) if out.suffix.lower() not in (".csv", ".parquet") else \
                VerifyReport(out, False, f"{out}: differs: the re-made table is not the same")
        except PyfameError as exc:  # the output no longer decodes
            report = VerifyReport(out, False, f"{out}: differs: it cannot be decoded ({exc})")
        if tampered:
            report.message += f"; {changed_note}"
        changed = _changed_software(record)
        if changed and not tampered:
            report.message += f"; made with other software ({changed}), which can explain it"
        return report


def _verify_operation(out: Path, record: dict[str, Any]) -> VerifyReport:
    """An operation's output: its inputs found (relative to the output first) and unchanged,
    the operation run again into a temporary folder, the same output compared."""
    from pyfame.hashing import file_sha256
    from pyfame.pipeline.operation import run_operation
    from pyfame.pipeline.registry import build
    from pyfame.pipeline.run_options import RunSettings

    if file_sha256(out) != (record["output"] or {}).get("sha256"):
        return VerifyReport(out, False, f"{out}: differs: its bytes changed since it was made")
    sources: dict[str, list[Path]] = {}
    for item in record.get("inputs", []):
        candidates = [out.resolve().parent / item.get("relative_path", ""), Path(item.get("path", ""))]
        found = next((c for c in candidates if c.is_file()), None)
        if found is None or file_sha256(found) != item.get("sha256"):
            why = "input missing" if found is None else "an input has changed"
            return VerifyReport(out, False, f"{out}: cannot verify: {why} ({item.get('path')})",
                                status="cannot verify")
        sources.setdefault(item["name"], []).append(found)
    try:
        operation = build(record["request"]["operation"], "operation")
    except PyfameError as exc:
        return VerifyReport(out, False, f"{out}: cannot verify: cannot re-create ({exc})", status="cannot verify")
    tracker = record.get("tracker", {})
    encoder = record.get("encoder") or {}
    settings = RunSettings(seed=record["seed"], landmark_cache=False,
                           **{k: tracker[k] for k in ("min_detection_confidence", "min_tracking_confidence",
                                                     "num_faces", "smoothing") if k in tracker},
                           **{k: encoder[k] for k in ("crf", "preset") if k in encoder},
                           table_format=record["request"].get("table_format", "csv"))
    rel = record["output"].get("folder_path", out.name)
    with tempfile.TemporaryDirectory(prefix="pyfame-verify-") as tmp:
        run_operation(operation, sources, tmp, settings, subfolder="made")
        again = Path(tmp) / "made" / rel
        if again.is_file() and again.read_bytes() == out.read_bytes():
            return VerifyReport(out, True, f"{out}: identical ({file_sha256(out)[:12]}…)")
        return VerifyReport(out, False, f"{out}: differs: the re-made output is not the same")


def _rebuild(record: dict[str, Any]) -> tuple[Any, Any]:
    """The pass and options a sidecar describes (``PyfameError`` if it cannot be rebuilt)."""
    from pyfame.face.tracker_settings import TrackerSettings
    from pyfame.pipeline.file_pass import Work
    from pyfame.pipeline.registry import build
    from pyfame.pipeline.run_options import RunOptions

    request = record.get("request") or {}
    if "layers" in request:
        layer_specs, probe_specs, plan_spec = request["layers"], request.get("probes", []), request.get("frame_plan")
    else:  # a sidecar of an older PyFAME: the layers' parameters as recorded
        layer_specs = [{"type": layer["name"], **layer["params"]} for layer in record.get("layers", [])]
        probe_specs, plan_spec = [], None
    for spec in layer_specs:
        timing = spec.get("timing_func")
        if isinstance(timing, str) and "." in timing:
            raise PyfameError(f"the timing function {timing!r} is a custom callable")
    work = Work([build(s, "layer") for s in layer_specs], [build(s, "probe") for s in probe_specs],
                build(plan_spec, "frame_plan") if plan_spec else None, record.get("operation", "verify"))  # type: ignore[arg-type]
    encoder = record.get("encoder") or {}
    try:
        tracker = TrackerSettings(**record["tracker"])
    except TypeError as exc:
        raise SidecarError(f"the sidecar's tracker settings are not PyFAME's ({exc})") from exc
    options = RunOptions(tracker=tracker, no_face=record["no_face_policy"], seed=record["seed"],
                         crf=encoder.get("crf"), preset=encoder.get("preset"),  # what the bytes depend on
                         landmark_cache=False, allow_truncated="truncated" in record)
    return work, options


def _remake(source: Path, out: Path, record: dict[str, Any], work: Any, options: Any, folder: Path) -> Path:
    from pyfame.pipeline.file_pass import Targets, run_file

    again = folder / out.name
    if out.suffix.lower() in (".csv", ".parquet"):
        names = [p.table_name for p in work.all_probes()]
        table = next((n for n in names if out.stem.endswith(n)), names[0] if names else "table")
        run_file(source, Targets(None, {table: again}), work, options)
    else:
        run_file(source, Targets(again), work, options)
    return again


def _changed_software(record: dict[str, Any]) -> str:
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
