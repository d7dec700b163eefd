"""Write to a temporary file beside the target and rename it on success.

A failure (an exception, Ctrl-C) removes the temporary file: no partial output is ever
left, and an existing target is only replaced by a complete file.

Every output gets the mode the user's umask gives (``0o666 & ~umask``: 0644 under umask
022), like the files of any other tool, not the 0600 of a bare ``mkstemp``.

A process killed outright (SIGKILL, the OOM killer) cannot remove its temporary files, so
their names say whose they are: ``.{stem}.pyfame-tmp-{host}-{pid}-XXXXXXXX{suffix}``.
Before the first temporary file a process makes in a folder, it removes that folder's
stale ones: those of this host whose process is no longer running, and those of other
hosts (or without an owner, from older versions) untouched for :data:`STALE_SECONDS`.
A running process's temporary file is never removed.

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
import logging
import os
import re
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pyfame.errors import FileWriteError

log = logging.getLogger(__name__)

#: Temporary files of other hosts (which this one cannot ask about their processes), and
#: those without an owner in their name, are stale after this many seconds untouched.
STALE_SECONDS = 24 * 3600
TEMP_MARK = ".pyfame-tmp-"
_TEMP_NAME = re.compile(r"^\..*\.pyfame-tmp-(?:(?P<host>[A-Za-z0-9_]+)-(?P<pid>\d+)-)?[A-Za-z0-9_]+(?:\..*)?$")
_cleaned: set[tuple[int, Path]] = set()
_cleaned_lock = threading.Lock()


def host_label() -> str:
    """This host's name as it appears in temporary file names (letters, digits, ``_``)."""
    return re.sub(r"[^A-Za-z0-9]", "_", socket.gethostname() or "host")[:32] or "host"


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


def _pid_running(pid: int) -> bool:
    if pid <= 0:
        return True  # not a process id this code could have written: keep the file
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: it exists, owned by someone else
        return True
    return True


def remove_stale_temp_files(folder: Path) -> list[Path]:
    """Remove ``folder``'s temporary files left by processes that are gone; returns them.

    This host's: when their process is not running. Another host's, or one without an
    owner: when untouched for :data:`STALE_SECONDS`. Errors are logged, never raised.
    """
    removed: list[Path] = []
    host = host_label()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if TEMP_MARK not in entry.name:
            continue
        match = _TEMP_NAME.match(entry.name)
        if match is None:
            continue
        try:
            if match["pid"] is not None and match["host"] == host:
                stale = not _pid_running(int(match["pid"]))
            else:
                stale = time.time() - entry.stat(follow_symlinks=False).st_mtime > STALE_SECONDS
            if stale and entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError as exc:
            log.debug("could not remove the stale temporary file %s: %s", entry.path, exc)
    if removed:
        log.info("removed %d stale temporary file(s) in %s", len(removed), folder)
    return removed


def _clean_once(folder: Path) -> None:
    key = (os.getpid(), folder.resolve())
    with _cleaned_lock:
        if key in _cleaned:
            return
        _cleaned.add(key)
    remove_stale_temp_files(folder)


def temp_path_beside(target: Path) -> Path:
    """Create (empty) and return a hidden temporary file in ``target``'s folder, same extension.

    Its mode is ``0o666 & ~umask``; its name carries this host and process
    (``.{stem}.pyfame-tmp-{host}-{pid}-XXXXXXXX{suffix}``), and the folder's stale temporary
    files are removed first (see the module's notes).
    """
    folder = target.parent
    if not folder.is_dir():
        raise FileWriteError(f"{target}: the folder {folder} does not exist")
    _clean_once(folder)
    prefix = f".{target.stem[:100]}{TEMP_MARK}{host_label()}-{os.getpid()}-"  # short enough for any name
    try:
        fd, name = tempfile.mkstemp(prefix=prefix, suffix=target.suffix, dir=folder)
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
