"""Run one function over many items: serially, on local processes, or on a Dask cluster.

Every batch entry point (the seed functions, ``apply_layers``, measurements, frame
shuffling, experiments) takes an ``executor`` and runs its files through :func:`run_batch`,
so the executor is a parameter, never another code path.

Examples
--------
>>> run_batch(abs, [-1, -2], executor="serial")
[1, 2]
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol, TypeVar, runtime_checkable

from pyfame.errors import PyfameTypeError, PyfameValueError
from pyfame.pipeline.prefetch import prefetch

log = logging.getLogger(__name__)
T = TypeVar("T")
EXECUTORS = ("serial", "processes", "dask", "slurm")


@runtime_checkable
class Executor(Protocol):
    """Anything that maps a picklable function over items, results in item order."""

    def map(self, func: Callable[[Any], T], items: Sequence[Any], on_done: Callable[[], Any] | None = None) -> list[T]:
        """``[func(item) for item in items]``; ``on_done`` is called as each item finishes."""
        ...


class SerialExecutor:
    """One item after another, in this process.

    A ``func`` with ``stages`` (functions such that ``func(item)`` is
    ``last(...second(first(item)))``, like :class:`~pyfame.pipeline.apply_layers.JobRunner`'s)
    is pipelined: each stage but the last runs in a thread of its own, one item ahead of the
    next stage, and the last runs in the caller's thread, in item order. Work that releases
    the GIL (decoding, tracking, encoding) then overlaps across items. Results, and the order
    the last stage sees the items in, are those of the plain loop.

    Examples
    --------
    >>> class Twice:
    ...     stages = (abs, lambda x: 2 * x)
    ...     def __call__(self, x): return 2 * abs(x)
    >>> SerialExecutor().map(Twice(), [-1, 2, -3])
    [2, 4, 6]
    """

    def map(self, func: Callable[[Any], T], items: Sequence[Any], on_done: Callable[[], Any] | None = None) -> list[T]:
        stages = getattr(func, "stages", None)
        if not stages or len(items) < 2:
            stream: Iterator[Any] = (func(item) for item in items)
        else:
            *ahead, last = stages
            stream = iter(items)
            for i, stage in enumerate(ahead):
                stream = prefetch(_staged(stage, stream), depth=1, name=f"pyfame-ahead-{i + 1}")
            stream = _staged(last, stream)
        out = []
        try:
            for result in stream:
                out.append(result)
                if on_done is not None:
                    on_done()
        finally:
            stream.close()  # type: ignore[attr-defined]  # a generator: stops the threads ahead
        return out


def _staged(stage: Callable[[Any], Any], source: Iterator[Any]) -> Iterator[Any]:
    """``stage`` over ``source``; closing it closes ``source`` (the threads ahead stop)."""
    try:
        for item in source:
            yield stage(item)
    finally:
        close = getattr(source, "close", None)
        if close is not None:
            close()


class ProcessExecutor:
    """Spawned worker processes on this machine (``workers`` of them, default: one per CPU)."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1

    def map(self, func: Callable[[Any], T], items: Sequence[Any], on_done: Callable[[], Any] | None = None) -> list[T]:
        from pyfame.pipeline.process_pool import map_in_processes

        return map_in_processes(func, items, self.workers, on_done=on_done)


class DaskExecutor:
    """A Dask cluster: a ``dask.distributed.Client``, a scheduler address, or a LocalCluster of
    ``workers`` processes started (and closed) for the run.

    ``retries`` re-runs a task whose worker was lost (a preempted cluster node); ``quiet``
    keeps ``distributed``'s logging at warnings; ``dashboard`` starts the web dashboard of a
    LocalCluster (off by default).
    """

    def __init__(self, client: Any = None, workers: int | None = None, retries: int = 2, quiet: bool = True,
                 dashboard: bool = False) -> None:
        self.client = client
        self.workers = workers or os.cpu_count() or 1
        self.retries = retries
        self.quiet = quiet
        self.dashboard = dashboard

    def map(self, func: Callable[[Any], T], items: Sequence[Any], on_done: Callable[[], Any] | None = None) -> list[T]:
        try:
            from dask.distributed import Client, LocalCluster
            from dask.distributed import as_completed as dask_completed
        except ImportError as exc:
            raise PyfameValueError("executor='dask' needs dask.distributed: pip install 'pyfame[dask]'",
                                   param="executor") from exc
        if not items:
            return []
        with quiet_dask(self.quiet):
            cluster = None
            own_client = not (self.client is not None and not isinstance(self.client, str))
            if self.client is None:
                cluster = LocalCluster(n_workers=min(self.workers, len(items)), threads_per_worker=1, processes=True,
                                       dashboard_address=":0" if self.dashboard else None,
                                       silence_logs=logging.WARNING if self.quiet else logging.INFO)
                client = Client(cluster)
            elif isinstance(self.client, str):
                client = Client(self.client)
            else:
                client = self.client
            try:
                futures = client.map(func, list(items), pure=False, retries=self.retries)
                index = {f.key: i for i, f in enumerate(futures)}
                results: list[Any] = [None] * len(items)
                for future in dask_completed(futures):
                    results[index[future.key]] = future.result()
                    if on_done is not None:
                        on_done()
                return results
            finally:
                if own_client:
                    client.close()
                if cluster is not None:
                    cluster.close()


class SlurmExecutor:
    """A Dask cluster of SLURM jobs (dask-jobqueue), started for the run and torn down after it.

    ``jobs`` batch jobs of ``cores`` cores and ``memory`` each, for at most ``walltime``; each
    runs one Dask worker process. Extra keyword arguments go to ``SLURMCluster`` (``queue``,
    ``account``, ``job_extra_directives``, ...). ``cluster_class`` replaces ``SLURMCluster``
    (the tests run a ``LocalCluster`` stand-in).

    Examples
    --------
    >>> SlurmExecutor(jobs=20, cores=4, memory="16GB", walltime="01:00:00").jobs
    20
    """

    def __init__(self, jobs: int = 1, cores: int = 1, memory: str = "4GB", walltime: str = "01:00:00",
                 cluster_class: Any = None, retries: int = 2, quiet: bool = True, dashboard: bool = False,
                 **cluster_options: Any) -> None:
        self.jobs = jobs
        self.cores = cores
        self.memory = memory
        self.walltime = walltime
        self.cluster_class = cluster_class
        self.retries = retries
        self.quiet = quiet
        self.dashboard = dashboard
        self.cluster_options = cluster_options

    def map(self, func: Callable[[Any], T], items: Sequence[Any], on_done: Callable[[], Any] | None = None) -> list[T]:
        cluster_class = self.cluster_class
        if cluster_class is None:
            try:
                from dask_jobqueue import SLURMCluster as cluster_class
            except ImportError as exc:
                raise PyfameValueError("executor='slurm' needs dask-jobqueue: pip install 'pyfame[slurm]'",
                                       param="executor") from exc
        from dask.distributed import Client

        with quiet_dask(self.quiet):
            cluster = cluster_class(cores=self.cores, processes=1, memory=self.memory, walltime=self.walltime,
                                    scheduler_options={"dashboard_address": ":8787" if self.dashboard else None},
                                    **self.cluster_options)
            try:
                cluster.scale(jobs=self.jobs)
                client = Client(cluster)
                try:
                    return DaskExecutor(client, retries=self.retries, quiet=self.quiet).map(func, items, on_done)
                finally:
                    client.close()
            finally:
                cluster.close()


class quiet_dask:
    """Keep ``distributed``'s INFO lines (and its shutdown noise) off the terminal."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self._saved: dict[str, int] = {}

    def __enter__(self) -> quiet_dask:
        if self.quiet:
            for name in ("distributed", "distributed.comm", "distributed.nanny", "distributed.scheduler",
                         "distributed.worker", "distributed.core", "tornado"):
                logger = logging.getLogger(name)
                self._saved[name] = logger.level
                logger.setLevel(logging.ERROR)
        return self

    def __exit__(self, *exc: object) -> None:
        for name, level in self._saved.items():
            logging.getLogger(name).setLevel(level)


def make_executor(executor: Any = None, workers: int | None = None, n_items: int = 1,
                  scheduler: Any = None, **cluster: Any) -> Executor:
    """The executor a batch runs on.

    ``executor`` is ``"serial"``, ``"processes"``, ``"dask"``, an object with a ``map``
    method (:class:`Executor`), or a ``dask.distributed.Client``. None chooses: processes
    when ``workers`` asks for more than one and there is more than one item, else serial.
    ``scheduler`` (Dask) is a scheduler address or a ``Client``.
    """
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise PyfameValueError(f"workers must be a positive integer, got {workers!r}", param="workers")
    if executor is None:
        return ProcessExecutor(workers) if (workers or 1) > 1 and n_items > 1 else SerialExecutor()
    if isinstance(executor, str):
        kind = executor.strip().lower()
        if kind == "serial":
            return SerialExecutor()
        if kind == "processes":
            return ProcessExecutor(workers)
        if kind == "dask":
            return DaskExecutor(scheduler, workers, dashboard=bool(cluster.get("dashboard")))
        if kind == "slurm":
            return SlurmExecutor(**{k: v for k, v in cluster.items() if v is not None})
        raise PyfameValueError(f"executor must be one of {EXECUTORS}, an Executor or a Dask Client, got {executor!r}",
                               param="executor")
    if type(executor).__name__ == "Client" and type(executor).__module__.startswith("distributed"):
        return DaskExecutor(executor, workers)
    if isinstance(executor, Executor):
        return executor
    raise PyfameTypeError(f"executor must be one of {EXECUTORS}, an Executor or a Dask Client, got {executor!r}",
                          param="executor")


def run_batch(func: Callable[[Any], T], items: Sequence[Any], executor: Any = None, workers: int | None = None,
              progress: bool = False, desc: str = "files", scheduler: Any = None, **cluster: Any) -> list[T]:
    """``func`` over ``items`` on the chosen executor, with a progress bar over the batch
    (``cluster``: SLURM job settings, or ``dashboard=True`` for Dask)."""
    chosen = make_executor(executor, workers, len(items), scheduler, **cluster)
    bar = None
    if progress and len(items) > 1:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(items), desc=desc, unit="file", position=0)
    try:
        return chosen.map(func, items, on_done=bar.update if bar is not None else None)
    finally:
        if bar is not None:
            bar.close()


__all__ = ["DaskExecutor", "EXECUTORS", "Executor", "ProcessExecutor", "SerialExecutor", "SlurmExecutor",
           "make_executor", "run_batch"]
