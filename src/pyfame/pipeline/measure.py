"""Probes only: measure files and folders into tables (one CSV per input), with sidecars."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from functools import partial
from pathlib import Path

from pyfame.errors import PyfameError
from pyfame.io.table_sink import write_table
from pyfame.pipeline.file_pass import FileResult, provenance_record, run_file
from pyfame.pipeline.inputs import Job, plan_jobs
from pyfame.pipeline.layer import Probe
from pyfame.pipeline.process_pool import map_in_processes
from pyfame.pipeline.run_options import RunOptions
from pyfame.provenance import write_sidecar

log = logging.getLogger(__name__)


def measure(
    inputs: str | os.PathLike[str],
    output_dir: str | os.PathLike[str],
    probes: Sequence[Probe],
    subfolder: str,
    options: RunOptions,
    *,
    with_sub_dirs: bool = False,
    operation: str = "measure",
    table_format: str = "csv",
    workers: int | None = None,
) -> list[FileResult]:
    """Run probes over every input and write ``output_dir/subfolder/<name>.<table_format>``
    (one table per input; with several probes, ``<name>_<probe>.<format>``) and a sidecar.
    ``workers`` measures that many files at once on separate processes.

    Examples
    --------
    >>> # measure("clips/", "out/", [ColorMeansProbe()], "Color_Channel_Means", RunOptions())
    """
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        from pyfame.errors import PyfameValueError

        raise PyfameValueError(f"workers must be a positive integer, got {workers!r}")
    jobs = plan_jobs(inputs, output_dir, subfolder, with_sub_dirs)
    single = Path(inputs).is_file()
    if workers is not None and workers > 1 and len(jobs) > 1:
        return map_in_processes(partial(measure_one, probes=list(probes), options=options, operation=operation,
                                        table_format=table_format), jobs, workers)
    return [measure_one(job, list(probes), options, operation, table_format, raise_errors=single) for job in jobs]


def measure_one(job: Job, probes: list[Probe], options: RunOptions, operation: str, table_format: str,
                raise_errors: bool = False) -> FileResult:
    """One input's tables and their sidecars; an error is recorded (or raised)."""
    try:
        result = run_file(job.input, None, [], probes, options, operation)
        stem = job.output.with_suffix("")
        for probe in probes:
            name = stem.name if len(probes) == 1 else f"{stem.name}_{probe.name}"
            target = stem.with_name(f"{name}.{table_format}")
            target.parent.mkdir(parents=True, exist_ok=True)
            write_table(result.tables[probe.name], target)
            write_sidecar(target, provenance_record(result, target, [], probes, options, operation))
            result.tables_written.append(target)
        result.output = result.tables_written[0] if result.tables_written else None
        return result
    except PyfameError as exc:
        if raise_errors:
            raise
        log.error("%s: %s", job.input, exc)
        return FileResult(job.input, None, error=exc)
