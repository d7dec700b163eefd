"""Run experiment jobs serially, on local processes, or on a Dask cluster."""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Callable
from typing import Any

from pyfame.errors import PyfameValueError
from pyfame.experiment.job_runner import run_job
from pyfame.pipeline.process_pool import map_in_processes

log = logging.getLogger(__name__)
EXECUTORS = ("serial", "processes", "dask")


def _bar(total: int, progress: bool) -> Any:
    if not progress:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="outputs", unit="file")


def run_jobs(jobs: list[dict[str, Any]], executor: str | None = None, workers: int | None = None,
             scheduler: str | None = None, progress: bool = False) -> list[dict[str, Any]]:
    """Run every job; returns their records in job order.

    ``executor``: ``"serial"``, ``"processes"`` (the default for more than one job) or
    ``"dask"`` (``scheduler`` is a ``dask.distributed`` address such as
    ``tcp://10.0.0.5:8786``; without one a ``LocalCluster`` of ``workers`` processes is
    started). ``workers`` defaults to the number of CPUs.

    Examples
    --------
    >>> run_jobs([], "serial")
    []
    """
    kind = executor or ("processes" if len(jobs) > 1 else "serial")
    if kind not in EXECUTORS:
        raise PyfameValueError(f"executor must be one of {EXECUTORS}, got {kind!r}")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise PyfameValueError(f"workers must be a positive integer, got {workers!r}")
    n = workers or multiprocessing.cpu_count()
    bar = _bar(len(jobs), progress)
    done: Callable[[], None] = (lambda: bar.update(1)) if bar is not None else (lambda: None)
    try:
        if kind == "serial" or not jobs:
            records = []
            for job in jobs:
                records.append(run_job(job))
                done()
            return records
        if kind == "processes":
            return _processes(jobs, n, done)
        return _dask(jobs, n, scheduler, done)
    finally:
        if bar is not None:
            bar.close()


def _processes(jobs: list[dict[str, Any]], n: int, done: Callable[[], None]) -> list[dict[str, Any]]:
    return map_in_processes(run_job, jobs, n, on_done=done)


def _dask(jobs: list[dict[str, Any]], n: int, scheduler: str | None, done: Callable[[], None]) -> list[dict[str, Any]]:
    try:
        from dask.distributed import Client, LocalCluster
        from dask.distributed import as_completed as dask_completed
    except ImportError as exc:
        raise PyfameValueError("executor='dask' needs dask.distributed: pip install 'pyfame[dask]'") from exc
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        futures = client.map(run_job, jobs, pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        records: list[dict[str, Any] | None] = [None] * len(jobs)
        for future in dask_completed(futures):
            records[index[future.key]] = future.result()
            done()
        return [r for r in records if r is not None]
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
