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

import contextlib
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


class _ClusterHolder:
    """An executor that starts a cluster for a ``map`` and, inside ``with executor:``, keeps
    one up for every ``map`` of the block. Subclasses give ``_connect_for_block`` and
    ``_disconnect``; ``_held`` is what the first returned, while held."""

    _held: Any = None

    def _connect_for_block(self) -> Any:
        raise NotImplementedError

    def _disconnect(self, held: Any) -> None:
        raise NotImplementedError

    def __enter__(self) -> Any:
        if self._held is None:
            self._held = self._connect_for_block()
        return self

    def __exit__(self, *exc: object) -> None:
        held, self._held = self._held, None
        if held is not None:
            self._disconnect(held)


class DaskExecutor(_ClusterHolder):
    """A Dask cluster: a ``dask.distributed.Client``, a scheduler address, or a LocalCluster of
    ``workers`` processes started (and closed) for the run.

    ``retries`` re-runs a task whose worker was lost (a preempted cluster node); ``quiet``
    keeps ``distributed``'s logging at warnings; ``dashboard`` starts the web dashboard of a
    LocalCluster (off by default). Used as a context manager (``with DaskExecutor() as ex:``,
    or :func:`holding`), the cluster it starts stays up for every ``map`` inside the block;
    otherwise each ``map`` starts and closes its own.
    """

    def __init__(self, client: Any = None, workers: int | None = None, retries: int = 2, quiet: bool = True,
                 dashboard: bool = False) -> None:
        self.client = client
        self.workers = workers or os.cpu_count() or 1
        self.retries = retries
        self.quiet = quiet
        self.dashboard = dashboard
        self._held: tuple[Any, Any, bool, quiet_dask] | None = None  # cluster, client, own client, quiet

    def _connect(self, n_workers: int) -> tuple[Any, Any, bool, quiet_dask]:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError as exc:
            raise PyfameValueError("executor='dask' needs dask.distributed: pip install 'pyfame[dask]'",
                                   param="executor") from exc
        quiet = quiet_dask(self.quiet).__enter__()
        cluster = None
        own_client = not (self.client is not None and not isinstance(self.client, str))
        try:
            if self.client is None:
                cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                                       dashboard_address=":0" if self.dashboard else None,
                                       silence_logs=logging.WARNING if self.quiet else logging.INFO)
                client = Client(cluster)
            elif isinstance(self.client, str):
                client = Client(self.client)
            else:
                client = self.client
        except BaseException:
            if cluster is not None:
                cluster.close()
            quiet.__exit__()
            raise
        return cluster, client, own_client, quiet

    @staticmethod
    def _disconnect(held: tuple[Any, Any, bool, quiet_dask]) -> None:
        cluster, client, own_client, quiet = held
        try:
            if own_client:
                client.close()
            if cluster is not None:
                cluster.close()
        finally:
            quiet.__exit__()

    def _connect_for_block(self) -> tuple[Any, Any, bool, quiet_dask]:
        return self._connect(self.workers)

    def map(self, func: Callable[[Any], T], items: Sequence[Any], on_done: Callable[[], Any] | None = None) -> list[T]:
        if not items:
            return []
        if self._held is not None:
            return self._map_on(self._held[1], func, items, on_done)
        held = self._connect(min(self.workers, len(items)))
        try:
            return self._map_on(held[1], func, items, on_done)
        finally:
            self._disconnect(held)

    def _map_on(self, client: Any, func: Callable[[Any], T], items: Sequence[Any],
                on_done: Callable[[], Any] | None) -> list[T]:
        from dask.distributed import as_completed as dask_completed

        futures = client.map(func, list(items), pure=False, retries=self.retries)
        index = {f.key: i for i, f in enumerate(futures)}
        results: list[Any] = [None] * len(items)
        for future in dask_completed(futures):
            results[index[future.key]] = future.result()
            if on_done is not None:
                on_done()
        return results


class SlurmExecutor(_ClusterHolder):
    """A Dask cluster of SLURM jobs (dask-jobqueue), started for the run and torn down after it.

    ``jobs`` batch jobs of ``cores`` cores and ``memory`` each, for at most ``walltime``; each
    runs one Dask worker process. Extra keyword arguments go to ``SLURMCluster`` (``queue``,
    ``account``, ``job_extra_directives``, ...). ``cluster_class`` replaces ``SLURMCluster``
    (the tests run a ``LocalCluster`` stand-in). As a context manager (:func:`holding`) the
    cluster stays up for every ``map`` inside the block (an experiment's outputs and its
    operations); otherwise each ``map`` starts and tears down its own.

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
        self._held: tuple[Any, Any, quiet_dask] | None = None  # cluster, client, quiet

    def _connect(self) -> tuple[Any, Any, quiet_dask]:
        cluster_class = self.cluster_class
        if cluster_class is None:
            try:
                from dask_jobqueue import SLURMCluster as cluster_class
            except ImportError as exc:
                raise PyfameValueError("executor='slurm' needs dask-jobqueue: pip install 'pyfame[slurm]'",
                                       param="executor") from exc
        from dask.distributed import Client

        quiet = quiet_dask(self.quiet).__enter__()
        cluster = None
        try:
            cluster = cluster_class(cores=self.cores, processes=1, memory=self.memory, walltime=self.walltime,
                                    scheduler_options={"dashboard_address": ":8787" if self.dashboard else None},
                                    **self.cluster_options)
            cluster.scale(jobs=self.jobs)
            client = Client(cluster)
        except BaseException:
            if cluster is not None:
                cluster.close()
            quiet.__exit__()
            raise
        return cluster, client, quiet

    @staticmethod
    def _disconnect(held: tuple[Any, Any, quiet_dask]) -> None:
        cluster, client, quiet = held
        try:
            try:
                client.close()
            finally:
                cluster.close()
        finally:
            quiet.__exit__()

    def _connect_for_block(self) -> tuple[Any, Any, quiet_dask]:
        return self._connect()

    def map(self, func: Callable[[Any], T], items: Sequence[Any], on_done: Callable[[], Any] | None = None) -> list[T]:
        if self._held is not None:
            return DaskExecutor(self._held[1], retries=self.retries, quiet=self.quiet).map(func, items, on_done)
        held = self._connect()
        try:
            return DaskExecutor(held[1], retries=self.retries, quiet=self.quiet).map(func, items, on_done)
        finally:
            self._disconnect(held)


@contextlib.contextmanager
def holding(executor: Any) -> Iterator[Any]:
    """``executor`` with its cluster (if it starts one) kept up for every ``map`` in the block.

    Examples
    --------
    >>> with holding(SerialExecutor()) as ex:
    ...     ex.map(abs, [-3])
    [3]
    """
    if hasattr(executor, "__enter__") and hasattr(executor, "__exit__"):
        with executor:
            yield executor
    else:
        yield executor


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
        saved, self._saved = self._saved, {}
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


#: Keywords of ``make_executor``/``run_batch`` that only a SLURM cluster takes (any other
#: keyword but ``dashboard`` is passed on to ``SLURMCluster`` too).
SLURM_OPTIONS = ("jobs", "cores", "memory", "walltime")


def implied_executor(executor: Any = None, scheduler: Any = None, **cluster: Any) -> Any:
    """The executor the settings ask for: ``executor`` when given; else ``"slurm"`` when SLURM
    options are given, ``"dask"`` when a scheduler (an address or a ``Client``) or the
    dashboard is; else None (the caller's default).

    Examples
    --------
    >>> implied_executor(scheduler="tcp://10.0.0.5:8786"), implied_executor(jobs=20), implied_executor()
    ('dask', 'slurm', None)
    """
    if executor is not None:
        return executor
    if any(v is not None for k, v in cluster.items() if k != "dashboard"):
        return "slurm"
    if scheduler is not None or cluster.get("dashboard"):
        return "dask"
    return None


def check_executor_settings(executor: Any, workers: int | None = None, scheduler: Any = None,
                            **cluster: Any) -> None:
    """Refuse settings the chosen executor would ignore: a scheduler for another executor
    than Dask, SLURM options for another than SLURM, the dashboard for one without a
    cluster, ``workers`` for SLURM (it takes ``jobs``). Each error names its parameter.

    Examples
    --------
    >>> check_executor_settings("processes", scheduler="tcp://10.0.0.5:8786")
    Traceback (most recent call last):
    ...
    pyfame.errors.PyfameValueError: scheduler: a Dask scheduler needs executor='dask', got executor='processes'
    """
    kind = executor.strip().lower() if isinstance(executor, str) else (
        "dask" if _is_client(executor) else ("object" if executor is not None else None))
    shown = repr(executor) if isinstance(executor, str) or executor is None else f"an {type(executor).__name__}"
    if scheduler is not None and kind != "dask":
        raise PyfameValueError(f"scheduler: a Dask scheduler needs executor='dask', got executor={shown}"
                               + (" (a Client passed as executor is its own scheduler)" if _is_client(executor)
                                  else ""), param="scheduler")
    slurm = [k for k, v in cluster.items() if k != "dashboard" and v is not None]
    if slurm and kind != "slurm":
        raise PyfameValueError(f"{slurm[0]}: {', '.join(slurm)} {'is a SLURM option' if len(slurm) == 1 else 'are SLURM options'}"
                               f" and need executor='slurm', got executor={shown}", param=slurm[0])
    if cluster.get("dashboard") and kind not in ("dask", "slurm"):
        raise PyfameValueError(f"dashboard: the Dask dashboard needs executor='dask' or 'slurm', got executor={shown}",
                               param="dashboard")
    if workers is not None and kind == "slurm":
        raise PyfameValueError("workers: a SLURM cluster is sized by jobs (one Dask worker each), not workers",
                               param="workers")


def _is_client(value: Any) -> bool:
    return type(value).__name__ == "Client" and type(value).__module__.startswith("distributed")


def make_executor(executor: Any = None, workers: int | None = None, n_items: int = 1,
                  scheduler: Any = None, **cluster: Any) -> Executor:
    """The executor a batch runs on.

    ``executor`` is ``"serial"``, ``"processes"``, ``"dask"``, ``"slurm"``, an object with a
    ``map`` method (:class:`Executor`), or a ``dask.distributed.Client``. ``scheduler`` (Dask)
    is a scheduler address or a ``Client``; ``cluster`` holds SLURM options (``jobs``,
    ``cores``, ``memory``, ``walltime``, ...) and ``dashboard``. None chooses from the other
    settings (:func:`implied_executor`: a scheduler means Dask, SLURM options SLURM), else
    processes when ``workers`` asks for more than one and there is more than one item, else
    serial. A setting the executor would ignore is refused (:func:`check_executor_settings`).

    Examples
    --------
    >>> type(make_executor(scheduler=None, workers=2, n_items=3)).__name__
    'ProcessExecutor'
    >>> type(make_executor(jobs=4, cores=2)).__name__
    'SlurmExecutor'
    """
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise PyfameValueError(f"workers must be a positive integer, got {workers!r}", param="workers")
    executor = implied_executor(executor, scheduler, **cluster)
    if isinstance(executor, str) and executor.strip().lower() not in EXECUTORS:
        raise PyfameValueError(f"executor must be one of {EXECUTORS}, an Executor or a Dask Client, got {executor!r}",
                               param="executor")
    if executor is not None:
        check_executor_settings(executor, workers, scheduler, **cluster)
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
        return SlurmExecutor(**{k: v for k, v in cluster.items() if v is not None})
    if _is_client(executor):
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


__all__ = ["DaskExecutor", "EXECUTORS", "Executor", "ProcessExecutor", "SLURM_OPTIONS", "SerialExecutor",
           "SlurmExecutor", "check_executor_settings", "holding", "implied_executor", "make_executor", "run_batch"]
