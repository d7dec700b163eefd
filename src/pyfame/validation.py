"""Argument checks shared by every public function.

Each check raises a typed error whose message names the parameter, before any work starts.
``bool`` is never accepted as a number; an ``int`` is accepted where a float is documented.

Examples
--------
>>> from pyfame.validation import check_float
>>> check_float(1, "shift_magnitude")
1.0
>>> check_float(True, "shift_magnitude")
Traceback (most recent call last):
...
pyfame.errors.PyfameTypeError: shift_magnitude must be a number (int or float), got bool (True)
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from pyfame.errors import PyfamePathError, PyfameTypeError, PyfameValueError


def _type_name(value: Any) -> str:
    return type(value).__name__


def check_float(
    value: Any,
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
) -> float:
    """A finite real number, optionally within bounds; returns it as ``float``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or _is_np_bool(value):
        raise PyfameTypeError(
            f"{name} must be a number (int or float), got {_type_name(value)} ({value!r})"
        )
    result = float(value)
    if not math.isfinite(result):
        raise PyfameValueError(f"{name} must be finite, got {value!r}")
    if low is not None and (result < low or (not low_inclusive and result == low)):
        raise PyfameValueError(f"{name} must be {_bound_text(low, high, low_inclusive, high_inclusive)}, got {value!r}")
    if high is not None and (result > high or (not high_inclusive and result == high)):
        raise PyfameValueError(f"{name} must be {_bound_text(low, high, low_inclusive, high_inclusive)}, got {value!r}")
    return result


def _is_np_bool(value: Any) -> bool:
    return type(value).__name__ == "bool_"


def _bound_text(low: float | None, high: float | None, li: bool, hi: bool) -> str:
    if low is not None and high is not None:
        return f"in {'[' if li else '('}{low}, {high}{']' if hi else ')'}"
    if low is not None:
        return f"{'>=' if li else '>'} {low}"
    return f"{'<=' if hi else '<'} {high}"


def check_int(value: Any, name: str, *, low: int | None = None, high: int | None = None) -> int:
    """An integer (not bool, not float), optionally within inclusive bounds."""
    import numpy as np

    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise PyfameTypeError(f"{name} must be an int, got {_type_name(value)} ({value!r})")
    result = int(value)
    if (low is not None and result < low) or (high is not None and result > high):
        raise PyfameValueError(
            f"{name} must be {_bound_text(low, high, True, True)}, got {value!r}"
        )
    return result


def check_bool(value: Any, name: str) -> bool:
    """A real ``bool``."""
    if not isinstance(value, bool):
        raise PyfameTypeError(f"{name} must be True or False, got {_type_name(value)} ({value!r})")
    return value


def check_choice(value: Any, name: str, options: Mapping[Any, Any]) -> Any:
    """One of a set of options given as int constants or (case-insensitive) strings.

    ``options`` maps each accepted key (ints and lower-case strings) to the canonical value.
    """
    if isinstance(value, bool):
        raise PyfameTypeError(f"{name} must be one of {_option_list(options)}, got bool")
    key = value.strip().lower() if isinstance(value, str) else value
    if isinstance(key, (str, int)):
        if key in options:
            return options[key]
        raise PyfameValueError(f"{name} must be one of {_option_list(options)}, got {value!r}")
    raise PyfameTypeError(
        f"{name} must be one of {_option_list(options)}, got {_type_name(value)} ({value!r})"
    )


def _option_list(options: Mapping[Any, Any]) -> str:
    return ", ".join(repr(k) for k in options if isinstance(k, str))


def check_color(value: Any, name: str) -> tuple[int, int, int]:
    """A colour: a 3-tuple (or list) of ints in [0, 255]."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise PyfameTypeError(f"{name} must be a tuple of 3 ints in [0, 255], got {value!r}")
    items = list(value)
    if len(items) != 3:
        raise PyfameValueError(f"{name} must have 3 values, got {len(items)} ({value!r})")
    return tuple(check_int(v, f"{name}[{i}]", low=0, high=255) for i, v in enumerate(items))  # type: ignore[return-value]


def check_callable(value: Any, name: str) -> Callable[..., Any]:
    """Something callable."""
    if not callable(value):
        raise PyfameTypeError(f"{name} must be callable, got {_type_name(value)} ({value!r})")
    return value


def check_seed(value: Any, name: str = "rand_seed") -> int | None:
    """A seed: None or a non-negative int."""
    if value is None:
        return None
    return check_int(value, name, low=0)


def check_existing_path(value: Any, name: str) -> Path:
    """A path (str or PathLike) that exists; returns it resolved."""
    if not isinstance(value, (str, os.PathLike)):
        raise PyfameTypeError(f"{name} must be a path (str or Path), got {_type_name(value)} ({value!r})")
    path = Path(value)
    if not path.exists():
        raise PyfamePathError(f"{name}: {path} does not exist")
    return path


def check_output_dir(value: Any, name: str = "output_dir") -> Path:
    """An existing, writable folder."""
    path = check_existing_path(value, name)
    if not path.is_dir():
        raise PyfamePathError(f"{name}: {path} is not a folder")
    if not os.access(path, os.W_OK | os.X_OK):
        from pyfame.errors import FileWriteError

        raise FileWriteError(f"{name}: {path} is not writable")
    return path
