"""Write to a temporary file beside the target and rename it on success.

A failure (an exception, Ctrl-C) removes the temporary file: no partial output is ever
left, and an existing target is only replaced by a complete file.

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

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pyfame.errors import FileWriteError


def temp_path_beside(target: Path) -> Path:
    """Create (empty) and return a hidden temporary file in ``target``'s folder, same extension."""
    folder = target.parent
    if not folder.is_dir():
        raise FileWriteError(f"{target}: the folder {folder} does not exist")
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.stem}.pyfame-tmp-", suffix=target.suffix, dir=folder)
    except OSError as exc:
        raise FileWriteError(f"{target}: cannot write in {folder} ({exc.strerror or exc})") from exc
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
