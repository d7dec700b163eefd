"""Run one function over many items on spawned worker processes, results in input order."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, TypeVar

from pyfame.io.thread_budget import set_thread_budget
from pyfame.pipeline.parent_watch import watch_parent

T = TypeVar("T")


def start_worker(threads: int, parent_pid: int) -> None:
    """A worker's initializer: its share of the cores, and a watch that ends it when the
    process that started the pool (``parent_pid``) is gone (:mod:`~pyfame.pipeline.parent_watch`)."""
    set_thread_budget(threads)
    watch_parent(parent_pid)


def map_in_processes(func: Callable[[Any], T], items: Sequence[Any], workers: int,
                     on_done: Callable[[], Any] | None = None) -> list[T]:
    """``[func(item) for item in items]`` on ``workers`` processes.

    Processes are spawned (MediaPipe's threads do not survive a fork) and each gets a share
    of the cores for its codec and OpenCV threads, so they do not fight over them. ``func``
    must be picklable (a module-level function or a ``functools.partial`` of one).
    ``on_done`` is called once per finished item, in the order they finish (a progress
    bar's ``update``). If anything fails or the run is interrupted, items not yet started are
    cancelled before the error is raised. If this process is killed outright (``kill -9``,
    the OOM killer), the workers notice within a second and exit (:func:`start_worker`).

    Examples
    --------
    >>> # map_in_processes(functools.partial(run_job, layers=...), jobs, workers=4)
    """
    n = max(1, min(workers, len(items)))
    share = max(1, (os.cpu_count() or 1) // n)
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=n, mp_context=context, initializer=start_worker,
                               initargs=(share, os.getpid()))
    try:
        futures = {pool.submit(func, item): i for i, item in enumerate(items)}
        results: list[Any] = [None] * len(items)
        for future in as_completed(futures):
            results[futures[future]] = future.result()
            if on_done is not None:
                on_done()
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return results
