"""Argument checks shared by every public function.

Each check raises a typed error whose message names the parameter, before any work starts,
and sets the error's ``param`` to that name. ``bool`` (and ``numpy.bool_``) is never accepted
as a number; an ``int`` is accepted where a float is documented; NumPy scalars
(``np.int64(8)``, ``np.float32(0.5)``, ``np.bool_(True)`` where a bool is taken) are accepted
wherever Python's are, and come back as Python ``int``, ``float`` and ``bool``. NaN and
infinity are never accepted as numbers.

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
import numbers
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from pyfame.errors import PyfamePathError, PyfameTypeError, PyfameValueError


def _type_name(value: Any) -> str:
    return type(value).__name__


def is_bool(value: Any) -> bool:
    """A Python ``bool`` or a NumPy ``bool_``.

    Examples
    --------
    >>> import numpy as np
    >>> is_bool(True), is_bool(np.bool_(False)), is_bool(1)
    (True, True, False)
    """
    return isinstance(value, (bool, np.bool_))


def is_integer(value: Any) -> bool:
    """An integer (Python ``int`` or a NumPy integer scalar), not a bool.

    Examples
    --------
    >>> import numpy as np
    >>> is_integer(3), is_integer(np.int64(3)), is_integer(True), is_integer(3.0)
    (True, True, False, False)
    """
    return isinstance(value, numbers.Integral) and not is_bool(value)


def is_real(value: Any) -> bool:
    """A real number (int, float, NumPy integer or floating scalar), not a bool; NaN and
    infinity included (see :func:`check_float` for finiteness).

    Examples
    --------
    >>> import numpy as np
    >>> is_real(0.5), is_real(np.float32(0.5)), is_real(np.bool_(True)), is_real("1")
    (True, True, False, False)
    """
    return isinstance(value, numbers.Real) and not is_bool(value)


def check_float(
    value: Any,
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
) -> float:
    """A finite real number, optionally within bounds; returns it as ``float``.

    Python and NumPy ints and floats are accepted; bools, NaN and infinity are not.

    Raises
    ------
    PyfameTypeError
        Not a number (or a bool).
    PyfameValueError
        NaN, infinite, or out of bounds.
    """
    if not is_real(value):
        raise PyfameTypeError(
            f"{name} must be a number (int or float), got {_type_name(value)} ({value!r})", param=name
        )
    try:
        result = float(value)
    except OverflowError:  # an int too large for a float
        result = math.inf
    if not math.isfinite(result):
        raise PyfameValueError(f"{name} must be finite, got {value!r:.40}", param=name)
    if low is not None and (result < low or (not low_inclusive and result == low)):
        raise PyfameValueError(
            f"{name} must be {bound_text(low, high, low_inclusive, high_inclusive)}, got {value!r}", param=name
        )
    if high is not None and (result > high or (not high_inclusive and result == high)):
        raise PyfameValueError(
            f"{name} must be {bound_text(low, high, low_inclusive, high_inclusive)}, got {value!r}", param=name
        )
    return result


def bound_text(low: float | None, high: float | None, li: bool = True, hi: bool = True) -> str:
    """``in [0, 1]``, ``>= 0``, ``< 5``: the bounds in words (``li``/``hi``: inclusive).

    Examples
    --------
    >>> bound_text(0.0, 1.0, True, False)
    'in [0.0, 1.0)'
    """
    if low is None and high is None:
        return "any"
    if low is not None and high is not None:
        return f"in {'[' if li else '('}{low}, {high}{']' if hi else ')'}"
    if low is not None:
        return f"{'>=' if li else '>'} {low}"
    return f"{'<=' if hi else '<'} {high}"


def check_int(value: Any, name: str, *, low: int | None = None, high: int | None = None) -> int:
    """An integer (Python or NumPy; not bool, not float), optionally within inclusive bounds;
    returns it as ``int``."""
    if not is_integer(value):
        raise PyfameTypeError(f"{name} must be an int, got {_type_name(value)} ({value!r})", param=name)
    result = int(value)
    if (low is not None and result < low) or (high is not None and result > high):
        raise PyfameValueError(
            f"{name} must be {bound_text(low, high, True, True)}, got {value!r}", param=name
        )
    return result


def check_bool(value: Any, name: str) -> bool:
    """``True`` or ``False`` (a Python ``bool`` or a NumPy ``bool_``); returns a ``bool``."""
    if not is_bool(value):
        raise PyfameTypeError(f"{name} must be True or False, got {_type_name(value)} ({value!r})", param=name)
    return bool(value)


def check_choice(value: Any, name: str, options: Mapping[Any, Any]) -> Any:
    """One of a set of options given as int constants or (case-insensitive) strings.

    ``options`` maps each accepted key (ints and lower-case strings) to the canonical value.
    """
    if is_bool(value):
        raise PyfameTypeError(f"{name} must be one of {_option_list(options)}, got bool", param=name)
    key = value.strip().lower() if isinstance(value, str) else (int(value) if is_integer(value) else value)
    if isinstance(key, (str, int)):
        if key in options:
            return options[key]
        raise PyfameValueError(f"{name} must be one of {_option_list(options)}, got {value!r}", param=name)
    raise PyfameTypeError(
        f"{name} must be one of {_option_list(options)}, got {_type_name(value)} ({value!r})", param=name
    )


def _option_list(options: Mapping[Any, Any]) -> str:
    return ", ".join(repr(k) for k in options if isinstance(k, str))


def check_color(value: Any, name: str) -> tuple[int, int, int]:
    """A colour: a 3-tuple (or list) of ints in [0, 255]."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise PyfameTypeError(f"{name} must be a tuple of 3 ints in [0, 255], got {value!r}", param=name)
    items = list(value)
    if len(items) != 3:
        raise PyfameValueError(f"{name} must have 3 values, got {len(items)} ({value!r})", param=name)
    try:
        return tuple(check_int(v, f"{name}[{i}]", low=0, high=255) for i, v in enumerate(items))  # type: ignore[return-value]
    except (PyfameTypeError, PyfameValueError) as exc:
        exc.param = name  # the parameter is the colour; the message names the item
        raise


def check_callable(value: Any, name: str) -> Callable[..., Any]:
    """Something callable."""
    if not callable(value):
        raise PyfameTypeError(f"{name} must be callable, got {_type_name(value)} ({value!r})", param=name)
    return value


def check_seed(value: Any, name: str = "rand_seed") -> int | None:
    """A seed: None or a non-negative int."""
    if value is None:
        return None
    return check_int(value, name, low=0)


def check_existing_path(value: Any, name: str) -> Path:
    """A path (str or PathLike) that exists; returns it resolved."""
    if not isinstance(value, (str, os.PathLike)):
        raise PyfameTypeError(f"{name} must be a path (str or Path), got {_type_name(value)} ({value!r})", param=name)
    path = Path(value)
    if not path.exists():
        raise PyfamePathError(f"{name}: {path} does not exist", param=name)
    return path


def check_output_dir(value: Any, name: str = "output_dir") -> Path:
    """An existing, writable folder."""
    path = check_existing_path(value, name)
    if not path.is_dir():
        raise PyfamePathError(f"{name}: {path} is not a folder", param=name)
    if not os.access(path, os.W_OK | os.X_OK):
        from pyfame.errors import FileWriteError

        raise FileWriteError(f"{name}: {path} is not writable", param=name)
    return path
