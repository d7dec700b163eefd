"""Worker processes end when the process that started them is gone.

A main process killed by the OOM killer, ``scancel`` or ``kill -9`` cannot tell its workers
anything; without a watch they live on as orphans, holding their memory and racing a
re-run for the same outputs. :func:`watch_parent` starts a daemon thread in the worker that
checks, every :data:`POLL_SECONDS`, that the worker still has the parent it started with
(on POSIX an orphan is handed to another process, so ``os.getppid()`` changes), and ends the
worker with ``os._exit`` when it has not. Nothing else in the worker needs to cooperate:
the thread ends the process wherever its work is.

Examples
--------
>>> # in a pool worker's initializer, given the pool owner's os.getpid():
>>> # watch_parent(parent_pid)
"""

from __future__ import annotations

import os
import threading
import time

#: How often a worker checks its parent, in seconds.
POLL_SECONDS = 0.5
#: The exit status of a worker that ended because its parent was gone.
ORPHAN_EXIT_CODE = 70


def _watch(parent_pid: int, interval: float) -> None:
    while True:
        if os.getppid() != parent_pid:
            os._exit(ORPHAN_EXIT_CODE)  # no cleanup to wait for: the run it served is gone
        time.sleep(interval)


def watch_parent(parent_pid: int | None = None, interval: float = POLL_SECONDS) -> threading.Thread:
    """Start a daemon thread that ends this process when its parent changes.

    Parameters
    ----------
    parent_pid : int, optional
        The pid of the process that started this one, as that process saw itself
        (``os.getpid()`` there, passed on). Given, a parent that died before this call is
        noticed too; by default, this process's parent now.
    interval : float
        Seconds between checks.

    Returns
    -------
    threading.Thread
        The watching thread (a daemon: it never keeps the process alive).
    """
    parent = os.getppid() if parent_pid is None else int(parent_pid)
    thread = threading.Thread(target=_watch, args=(parent, float(interval)), name="pyfame-parent-watch",
                              daemon=True)
    thread.start()
    return thread


__all__ = ["ORPHAN_EXIT_CODE", "POLL_SECONDS", "watch_parent"]
