"""Write tables (pandas DataFrames) as CSV or Parquet, atomically."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pyfame.errors import FileWriteError, PyfameValueError
from pyfame.io.atomic_write import atomic_output

TABLE_FORMATS = (".csv", ".parquet")


def write_table(table: pd.DataFrame, target: Path, *, table_format: str | None = None, atomic: bool = True) -> Path:
    """Write ``table`` to ``target`` (``.csv`` or ``.parquet``); nothing is left on failure.

    A disk-full or permission error is a ``FileWriteError`` naming the file. ``atomic=False``
    writes ``target`` directly (a temporary file its caller puts in place); ``table_format``
    overrides the format given by the extension.

    Examples
    --------
    >>> # write_table(df, Path("out/means.csv"))
    """
    target = Path(target)
    suffix = "." + table_format.lstrip(".") if table_format else target.suffix.lower()
    if suffix not in TABLE_FORMATS:
        raise PyfameValueError(f"output: {target} must end in .csv or .parquet", param="output")
    if atomic:
        with atomic_output(target) as tmp:
            _write(table, tmp, suffix, target)
    else:
        _write(table, target, suffix, target)
    return target


def _write(table: pd.DataFrame, path: Path, suffix: str, target: Path) -> None:
    try:
        if suffix == ".csv":
            table.to_csv(path, index=False)
        else:
            table.to_parquet(path, index=False)
    except ImportError as exc:
        raise PyfameValueError(f"output: writing {target} needs pyarrow (pip install 'pyfame[parquet]')",
                               param="output") from exc
    except OSError as exc:
        raise FileWriteError(f"{target}: the table could not be written ({exc.strerror or exc})") from exc
