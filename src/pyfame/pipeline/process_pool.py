"""Run one function over many files on spawned worker processes, results in input order."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

from pyfame.io.thread_budget import set_thread_budget

T = TypeVar("T")


def map_in_processes(func: Callable[[Any], T], items: Sequence[Any], workers: int, bar: Any = None) -> list[T]:
    """``[func(item) for item in items]`` on ``workers`` processes.

    Processes are spawned (MediaPipe's threads do not survive a fork) and each gets a share
    of the cores for its codec and OpenCV threads, so they do not fight over them. ``func``
    must be picklable (a module-level function or a ``functools.partial`` of one).

    Examples
    --------
    >>> # map_in_processes(functools.partial(run_job, layers=...), jobs, workers=4)
    """
    n = max(1, min(workers, len(items)))
    share = max(1, (os.cpu_count() or 1) // n)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=n, mp_context=context, initializer=set_thread_budget,
                             initargs=(share,)) as pool:
        futures = [pool.submit(func, item) for item in items]
        results = []
        for future in futures:
            results.append(future.result())
            if bar is not None:
                bar.update(1)
    return results
