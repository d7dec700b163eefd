"""How layers call timing functions: by name or callable, with the keywords each takes,
and a check that the weight is in [0, 1].

The curves themselves are the seed's utilities in :mod:`pyfame.utils.timing_functions`.

Examples
--------
>>> resolve_timing_function("sigmoid").__name__
'sigmoid'
>>> call_timing_function(resolve_timing_function("linear"), 1.0, 0.0, 4.0, {})
1.0
"""

from __future__ import annotations

import inspect
from typing import Any

from pyfame.errors import PyfameTypeError, PyfameValueError
from pyfame.utils.timing_functions import PARAMETER_BOUNDS, TIMING_FUNCTIONS, TimingFunction
from pyfame.validation import check_float, is_real


def resolve_timing_function(value: Any, name: str = "timing_func") -> TimingFunction:
    """A timing function from a callable or one of the names ``constant``, ``linear``, ..."""
    if isinstance(value, str):
        key = value.strip().lower()
        if key not in TIMING_FUNCTIONS:
            raise PyfameValueError(f"{name} must be one of {sorted(TIMING_FUNCTIONS)} or a callable, got {value!r}",
                                   param=name)
        return TIMING_FUNCTIONS[key]
    if not callable(value):
        raise PyfameTypeError(f"{name} must be a callable or a name, got {type(value).__name__}", param=name)
    return value


def check_timing_kwargs(func: TimingFunction, kwargs: dict[str, Any], name: str | None = None) -> None:
    """Refuse keyword arguments the timing function does not take (a typo must not vanish);
    the error's ``param`` is ``name`` or the keyword itself."""
    if func in TIMING_FUNCTIONS.values():  # the built-in curves' own numbers: in range, finite
        for key, value in kwargs.items():
            if key in PARAMETER_BOUNDS and value is not None:
                check_float(value, name or key, **PARAMETER_BOUNDS[key])
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        return
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in sig.parameters.values()):
        return
    unknown = sorted(set(kwargs) - set(sig.parameters))
    if unknown:
        takes = ", ".join(p for p in sig.parameters if p not in ("t", "onset", "offset")) or "none"
        raise PyfameTypeError(
            f"timing_func {getattr(func, '__name__', func)!r} takes no parameter {unknown[0]!r} (it takes {takes})",
            param=name or unknown[0],
        )


def call_timing_function(func: TimingFunction, t: float, onset: float, offset: float, kwargs: dict[str, Any]) -> float:
    """Call ``func`` with the keywords it accepts and check the weight is in [0, 1]."""
    offered = {"onset": onset, "offset": offset, **kwargs}
    try:
        sig = inspect.signature(func)
        takes_all = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in sig.parameters.values())
        passed = offered if takes_all else {k: v for k, v in offered.items() if k in sig.parameters}
    except (TypeError, ValueError):  # builtins without a signature
        passed = {}
    value = func(t, **passed)
    if not is_real(value) or not (0.0 <= float(value) <= 1.0):
        raise PyfameValueError(
            f"timing_func {getattr(func, '__name__', func)!r} returned {value!r} at t={t:.3f}s; "
            "it must return a number in [0, 1]", param="timing_func"
        )
    return float(value)
