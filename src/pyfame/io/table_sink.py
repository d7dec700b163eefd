"""Write tables (pandas DataFrames) as CSV or Parquet, atomically."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pyfame.errors import PyfameValueError
from pyfame.io.atomic_write import atomic_output

TABLE_FORMATS = (".csv", ".parquet")


def write_table(table: pd.DataFrame, target: Path) -> Path:
    """Write ``table`` to ``target`` (``.csv`` or ``.parquet``); nothing is left on failure.

    Examples
    --------
    >>> # write_table(df, Path("out/means.csv"))
    """
    target = Path(target)
    suffix = target.suffix.lower()
    if suffix not in TABLE_FORMATS:
        raise PyfameValueError(f"output: {target} must end in .csv or .parquet")
    with atomic_output(target) as tmp:
        if suffix == ".csv":
            table.to_csv(tmp, index=False)
        else:
            try:
                table.to_parquet(tmp, index=False)
            except ImportError as exc:
                raise PyfameValueError(
                    f"output: writing {target} needs pyarrow (pip install 'pyfame[parquet]')"
                ) from exc
    return target
