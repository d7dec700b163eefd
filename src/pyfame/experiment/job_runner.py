"""Run one experiment job in whatever process it lands in: rebuild, skip if done, make, record."""

from __future__ import annotations

import json
import logging
import traceback
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


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


def job_work(job: dict[str, Any]) -> Any:
    """The pass a job describes: its layers, probes and frame plan, rebuilt from their specs."""
    from pyfame.pipeline.file_pass import Work
    from pyfame.pipeline.registry import build

    plan = job.get("frame_plan")
    return Work([build(spec, "layer") for spec in job["layers"]], [build(spec, "probe") for spec in job["probes"]],
                build(plan, "frame_plan") if plan else None, "experiment")  # type: ignore[arg-type]


def job_targets(job: dict[str, Any], work: Any) -> Any:
    """The job's media output and its probe tables beside it."""
    from pyfame.pipeline.file_pass import Targets

    output = Path(job["output"])
    suffix = "." + job["settings"].get("table_format", "csv")
    return Targets(output, {p.table_name: output.with_name(f"{output.stem}_{p.table_name}{suffix}")
                            for p in work.all_probes()})


def job_options(job: dict[str, Any], progress: bool = False) -> Any:
    """The job's run options (its own seed; reading limits as the file or ``pyfame run`` set them)."""
    from pyfame.face.tracker_settings import TrackerSettings
    from pyfame.io.image_source import MAX_PIXELS
    from pyfame.pipeline.run_options import RunOptions

    s = job["settings"]
    return RunOptions(tracker=TrackerSettings(**s["tracking"]), no_face=s["no_face"], seed=job["seed"], crf=s["crf"],
                      preset=s["preset"], encoder_profile=s["encoder_profile"], landmark_cache=s["landmark_cache"],
                      progress=progress, allow_truncated=s.get("allow_truncated", False),
                      max_pixels=s.get("max_pixels", MAX_PIXELS))


def run_job(job: dict[str, Any], progress: bool = False) -> dict[str, Any]:
    """Make one output; never raises for a bad input (the error goes into the record).

    An output made by the same request is skipped; any other existing output (made with
    other parameters, or not by PyFAME) is left alone and the job fails with
    ``OutputExistsError``, unless the run was asked to overwrite: then it is made again,
    with status ``remade``. (:meth:`Experiment.run` refuses such outputs before any work;
    this check holds for a job run on its own, or a file that appeared meanwhile.)
    """
    from pyfame.hashing import file_sha256
    from pyfame.pipeline.file_pass import run_file
    from pyfame.pipeline.output_policy import existing_state, refusal, request_record
    from pyfame.provenance import read_sidecar

    output = Path(job["output"])
    record: dict[str, Any] = {"input": job["input"], "condition": job["condition"], "output": str(output),
                              "seed": job["seed"], "factors": job["factors"], "layers": job["layers"],
                              "status": "failed", "error": "", "sha256": "", "frames": 0, "frames_with_face": 0}
    try:
        work = job_work(job)
        options = job_options(job, progress)
        targets = job_targets(job, work)
        request = request_record(work, options, file_sha256(Path(job["input"])), output)
        state = existing_state(targets, request)
        if state == "same":
            side = read_sidecar(output)  # checked by existing_state: a PyFAME sidecar
            frames = side.get("frames") or {}
            record.update(status="skipped", sha256=file_sha256(output), frames=frames.get("decoded", 0),
                          frames_with_face=frames.get("with_face", 0),
                          probes=(side.get("experiment") or {}).get("probe_summary", {}))
            return record
        status = "made"
        if state == "different":
            if not job.get("overwrite"):
                raise refusal(output)
            log.warning("%s was made with other parameters (or not by PyFAME); making it again (overwrite)", output)
            status = "remade"
        experiment = {"condition": job["condition"], "factors": job["factors"], "layer_specs": job["layers"],
                      "probe_specs": job["probes"], "frame_plan_spec": job.get("frame_plan")}
        result = run_file(Path(job["input"]), targets, work, options,
                          extra_record={"request": request, "experiment": experiment})
        summary = _summary(result.tables)
        _rewrite_summary(output, summary)
        record.update(status=status, sha256=file_sha256(output), frames=result.frames,
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
