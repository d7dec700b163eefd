"""All the files of one job, made as temporary files and put in place together.

A job's media, its tables and their sidecars are written to hidden temporary files beside
their targets; :meth:`OutputGroup.commit` renames them all (the sidecar last, since it
vouches for the rest) with Ctrl-C and SIGTERM held back for that instant, so an interrupted
run leaves either the previous complete set or the new one, never a mix and never a partial
file. An error (or an interruption before the commit) removes the temporary files.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> with OutputGroup() as group:
...     _ = group.temp_for(folder / "a.txt").write_text("a")
...     _ = group.temp_for(folder / "a.txt.json").write_text("{}")
...     _ = group.commit()
>>> sorted(p.name for p in folder.iterdir())
['a.txt', 'a.txt.json']
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

from pyfame.errors import FileWriteError
from pyfame.io.atomic_write import temp_path_beside


@contextmanager
def signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back while a few renames run, and act on them after.

    Python runs signal handlers in the main thread whichever thread the signal reached, so a
    thread's signal mask cannot defer them; instead the Python-level handlers are swapped for
    one that only notes the signal, and the original handler is called (or the default action
    taken) once the block is done.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    for s in previous:
        signal.signal(s, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        for signum in caught:
            handler = previous[signum]
            if callable(handler):
                handler(signum, None)
            elif handler == signal.SIG_DFL:
                signal.raise_signal(signum)


class OutputGroup:
    """Temporary files for a set of targets, committed or removed together."""

    def __init__(self) -> None:
        self._pairs: list[tuple[Path, Path]] = []
        self.committed = False

    def temp_for(self, target: Path) -> Path:
        """A new empty temporary file beside ``target`` (created now), to be renamed to it."""
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = temp_path_beside(target)
        self._pairs.append((tmp, target))
        return tmp

    def temp_of(self, target: Path) -> Path:
        """The temporary file made for ``target``."""
        for tmp, t in self._pairs:
            if t == Path(target):
                return tmp
        raise KeyError(target)

    @property
    def targets(self) -> list[Path]:
        """The targets, in the order they will be put in place."""
        return [target for _, target in self._pairs]

    def commit(self) -> list[Path]:
        """Rename every temporary file to its target, in the order they were asked for."""
        with signals_held():
            for i, (tmp, target) in enumerate(self._pairs):
                try:
                    os.replace(tmp, target)
                except OSError as exc:
                    for later, _ in self._pairs[i:]:
                        later.unlink(missing_ok=True)
                    raise FileWriteError(f"{target}: cannot put the finished file in place ({exc})") from exc
        self.committed = True
        return self.targets

    def abort(self) -> None:
        """Remove every temporary file not yet put in place."""
        if not self.committed:
            for tmp, _ in self._pairs:
                tmp.unlink(missing_ok=True)

    def __enter__(self) -> OutputGroup:
        return self

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.abort()
