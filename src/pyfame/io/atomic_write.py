"""Write to a temporary file beside the target and rename it on success.

A failure (an exception, Ctrl-C) removes the temporary file: no partial output is ever
left, and an existing target is only replaced by a complete file.

Every output gets the mode the user's umask gives (``0o666 & ~umask``: 0644 under umask
022), like the files of any other tool, not the 0600 of a bare ``mkstemp``.

Examples
--------
>>> import tempfile, pathlib
>>> target = pathlib.Path(tempfile.mkdtemp()) / "table.csv"
>>> with atomic_output(target) as tmp:
...     _ = tmp.write_text("a,b\\n")
>>> target.read_text()
'a,b\\n'
"""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pyfame.errors import FileWriteError


@functools.lru_cache(maxsize=1)
def _umask_by_swapping() -> int:
    # Only where /proc cannot tell: os.umask can only be read by setting it, which is not
    # safe while other threads create files, so it is done once per process.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def current_umask() -> int:
    """The process's umask, read without changing it (``/proc/self/status`` on Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return _umask_by_swapping()


def temp_path_beside(target: Path) -> Path:
    """Create (empty) and return a hidden temporary file in ``target``'s folder, same extension.

    Its mode is ``0o666 & ~umask``, as any other tool's output.
    """
    folder = target.parent
    if not folder.is_dir():
        raise FileWriteError(f"{target}: the folder {folder} does not exist")
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.stem}.pyfame-tmp-", suffix=target.suffix, dir=folder)
    except OSError as exc:
        raise FileWriteError(f"{target}: cannot write in {folder} ({exc.strerror or exc})") from exc
    try:
        os.fchmod(fd, 0o666 & ~current_umask())
    except (OSError, AttributeError):  # no fchmod (Windows): the mode stays mkstemp's
        pass
    finally:
        os.close(fd)
    return Path(name)


@contextmanager
def atomic_output(target: Path) -> Iterator[Path]:
    """Yield a temporary path to write; rename it to ``target`` when the block succeeds."""
    target = Path(target)
    tmp = temp_path_beside(target)
    try:
        yield tmp
        try:
            os.replace(tmp, target)
        except OSError as exc:
            raise FileWriteError(f"{target}: cannot rename the finished file into place ({exc})") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
