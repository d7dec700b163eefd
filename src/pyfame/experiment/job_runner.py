"""Run one experiment job in whatever process it lands in: rebuild, skip if done, make, record."""

from __future__ import annotations

import json
import logging
import traceback
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def job_key(job: dict[str, Any], input_sha: str) -> str:
    """What an output depends on: input bytes, layers, probes, seed, settings, PyFAME version."""
    from importlib.metadata import version

    from pyfame.hashing import stable_json_hash
    from pyfame.models import MODEL_SHA256

    return stable_json_hash({"input": input_sha, "layers": job["layers"], "probes": job["probes"],
                             "seed": job["seed"], "settings": job["settings"], "model": MODEL_SHA256,
                             "pyfame": version("pyfame")})


def already_made(output: Path, key: str) -> bool:
    """True when ``output`` and its sidecar exist, the sidecar has ``key`` and the output's
    bytes still hash to what the sidecar says."""
    from pyfame.hashing import file_sha256
    from pyfame.provenance import sidecar_path

    side = sidecar_path(output)
    if not output.is_file() or not side.is_file():
        return False
    try:
        record = json.loads(side.read_text())
    except (OSError, ValueError):
        return False
    return record.get("experiment", {}).get("job_key") == key and record.get("output", {}).get("sha256") == file_sha256(output)


def _summary(tables: dict[str, Any]) -> dict[str, float]:
    """Probe results for the manifest: the mean of each numeric column (per region if any)."""
    out: dict[str, float] = {}
    for name, table in tables.items():
        if table is None or table.empty:
            continue
        numeric = table.drop(columns=[c for c in ("frame", "timestamp_s", "face", "dot", "point", "pixels")
                                      if c in table.columns]).select_dtypes("number")
        if "region" in table.columns:
            grouped = numeric.join(table["region"]).groupby("region").mean(numeric_only=True)
            for region, row in grouped.iterrows():
                for col, value in row.items():
                    out[f"{name}.{region}.{col}"] = round(float(value), 4)
        else:
            for col, value in numeric.mean(numeric_only=True).items():
                out[f"{name}.{col}"] = round(float(value), 4)
    return out


def run_job(job: dict[str, Any], progress: bool = False) -> dict[str, Any]:
    """Make one output; never raises for a bad input (the error goes into the record)."""
    from pyfame.experiment.registry import build_layer, build_probe
    from pyfame.face.tracker_settings import TrackerSettings
    from pyfame.hashing import file_sha256
    from pyfame.pipeline.apply_layers import write_tables
    from pyfame.pipeline.file_pass import run_file
    from pyfame.pipeline.run_options import RunOptions

    output = Path(job["output"])
    record: dict[str, Any] = {"input": job["input"], "condition": job["condition"], "output": str(output),
                              "seed": job["seed"], "factors": job["factors"], "layers": job["layers"],
                              "status": "failed", "error": "", "sha256": "", "frames": 0, "frames_with_face": 0}
    try:
        input_sha = file_sha256(Path(job["input"]))
        key = job_key(job, input_sha)
        if already_made(output, key):
            record.update(status="skipped", sha256=file_sha256(output))
            side = json.loads(output.with_name(output.name + ".pyfame.json").read_text())
            record.update(frames=side["frames"]["decoded"], frames_with_face=side["frames"]["with_face"],
                          probes=side.get("experiment", {}).get("probe_summary", {}))
            return record
        s = job["settings"]
        options = RunOptions(tracker=TrackerSettings(**s["tracking"]), no_face=s["no_face"], seed=job["seed"],
                             crf=s["crf"], preset=s["preset"], landmark_cache=s["landmark_cache"], progress=progress)
        layers = [build_layer(spec) for spec in job["layers"]]
        probes = [build_probe(spec) for spec in job["probes"]]
        output.parent.mkdir(parents=True, exist_ok=True)
        result = run_file(Path(job["input"]), output, layers, probes, options, "experiment",
                          extra_record={"experiment": {"condition": job["condition"], "factors": job["factors"],
                                                       "job_key": key, "layer_specs": job["layers"],
                                                       "probe_specs": job["probes"]}})
        write_tables(result)
        summary = _summary(result.tables)
        _rewrite_summary(output, summary)
        record.update(status="made", sha256=file_sha256(output), frames=result.frames,
                      frames_with_face=result.frames_with_face, probes=summary)
    except Exception as exc:  # a job never takes the run down: its error is recorded
        record["error"] = f"{type(exc).__name__}: {exc}"
        log.error("%s [%s]: %s", job["input"], job["condition"], record["error"])
        log.debug("%s", traceback.format_exc())
    return record


def _rewrite_summary(output: Path, summary: dict[str, float]) -> None:
    """Put the probe summary into the sidecar (known only after the pass)."""
    from pyfame.io.atomic_write import atomic_output
    from pyfame.provenance import sidecar_path

    side = sidecar_path(output)
    record = json.loads(side.read_text())
    record.setdefault("experiment", {})["probe_summary"] = summary
    with atomic_output(side) as tmp:
        tmp.write_text(json.dumps(record, indent=2) + "\n")
