"""Probes only: measure files and folders into tables (one CSV per input), with sidecars."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path

from pyfame.errors import PyfameError
from pyfame.io.table_sink import write_table
from pyfame.pipeline.file_pass import FileResult, provenance_record, run_file
from pyfame.pipeline.inputs import plan_jobs
from pyfame.pipeline.layer import Probe
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
) -> list[FileResult]:
    """Run probes over every input and write ``output_dir/subfolder/<name>.<table_format>``
    (one table per input; with several probes, ``<name>_<probe>.<format>``) and a sidecar.

    Examples
    --------
    >>> # measure("clips/", "out/", [ColorMeansProbe()], "Color_Channel_Means", RunOptions())
    """
    jobs = plan_jobs(inputs, output_dir, subfolder, with_sub_dirs)
    single = Path(inputs).is_file()
    results = []
    for job in jobs:
        try:
            result = run_file(job.input, None, [], list(probes), options, operation)
            stem = job.output.with_suffix("")
            for probe in probes:
                name = stem.name if len(probes) == 1 else f"{stem.name}_{probe.name}"
                target = stem.with_name(f"{name}.{table_format}")
                target.parent.mkdir(parents=True, exist_ok=True)
                write_table(result.tables[probe.name], target)
                write_sidecar(target, provenance_record(result, target, [], list(probes), options, operation))
                result.tables_written.append(target)
            result.output = result.tables_written[0] if result.tables_written else None
        except PyfameError as exc:
            if single:
                raise
            log.error("%s: %s", job.input, exc)
            result = FileResult(job.input, None, error=exc)
        results.append(result)
    return results
