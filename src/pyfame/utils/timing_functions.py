"""Timing functions: how strongly a manipulation acts at time ``t`` (seconds).

Every function returns a weight in [0, 1] that multiplies the manipulation's magnitude. A
layer calls it as ``f(t, onset=..., offset=..., **kwargs)`` only for ``onset <= t <= offset``
(the weight is 0 outside that window); ``offset`` is the end of the video when the layer's
``offset_t`` is 0. Still images are always at full weight (1.0).

The curves (see ``docs/timing_functions.png``), with ``W = offset - onset``:

``constant``
    1 over the whole window.
``linear``
    Rises in a straight line from 0 at ``onset`` to 1 at ``onset + ramp_in``, holds 1, and
    falls to 0 at ``offset`` over ``ramp_out``. ``ramp_in`` and ``ramp_out`` default to
    ``W / 4``; ``ramp_out=0`` keeps the weight at 1 to the end.
``sigmoid``
    The same envelope with logistic ramps: ``1 / (1 + exp(-k s))`` with ``s`` running from -6
    to 6 over each ramp, rescaled so the weight is exactly 0 at ``onset`` and 1 at the end of
    the ramp. ``k`` (default 1) is the steepness: larger ``k`` is a faster switch mid-ramp.
``gaussian``
    A bell ``exp(-(t - mean)^2 / (2 sigma^2))``; ``mean`` defaults to the window's centre and
    ``sigma`` to ``W / 6``, so the weight is 1 at ``mean``.

A user's own function receives ``t`` and those keywords it accepts (``onset``, ``offset`` and
the layer's extra keyword arguments). It must return a number in [0, 1]; anything else
raises ``ValueError`` at the first frame, never silent clipping.

Examples
--------
>>> linear(1.0, onset=0.0, offset=4.0)
1.0
>>> round(linear(0.5, onset=0.0, offset=4.0), 2)
0.5
>>> gaussian(2.0, onset=0.0, offset=4.0)
1.0
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from pyfame.validation import check_float

TimingFunction = Callable[..., float]


def _window(onset: float, offset: float) -> float:
    return max(float(offset) - float(onset), 1e-9)


#: The numeric parameters of the built-in timing functions and their bounds: checked when a
#: layer is made (:func:`check_timing_kwargs`) and when the function runs. Python and NumPy
#: numbers are accepted; bools, NaN and infinity are not.
PARAMETER_BOUNDS: dict[str, dict[str, Any]] = {
    "ramp_in": {"low": 0.0},
    "ramp_out": {"low": 0.0},
    "k": {"low": 0.0, "low_inclusive": False},
    "mean": {},
    "sigma": {"low": 0.0, "low_inclusive": False},
}


def _number(value: Any, name: str) -> float | None:
    """A built-in timing function's parameter checked against its bounds (None stays None)."""
    return None if value is None else check_float(value, name, **PARAMETER_BOUNDS[name])


def _ramps(onset: float, offset: float, ramp_in: float | None, ramp_out: float | None) -> tuple[float, float]:
    w = _window(onset, offset)
    rin = _number(ramp_in, "ramp_in")
    rout = _number(ramp_out, "ramp_out")
    rin = w / 4 if rin is None else rin
    rout = w / 4 if rout is None else rout
    if rin + rout > w + 1e-9:
        scale = w / (rin + rout)
        rin, rout = rin * scale, rout * scale
    return rin, rout


def _envelope(t: float, onset: float, offset: float, ramp_in: float | None, ramp_out: float | None,
              ramp: Callable[[float], float]) -> float:
    """0 outside the window, ``ramp`` of the position along the ramp in and out, 1 between."""
    rin, rout = _ramps(onset, offset, ramp_in, ramp_out)
    if t < onset or t > offset:
        return 0.0
    w = 1.0
    if rin > 0 and t < onset + rin:
        w = ramp((t - onset) / rin)
    if rout > 0 and t > offset - rout:
        w = min(w, ramp((offset - t) / rout))
    return float(min(max(w, 0.0), 1.0))


def constant(t: float, onset: float = 0.0, offset: float = math.inf) -> float:
    """1.0 over the whole window.

    Examples
    --------
    >>> constant(3.0)
    1.0
    """
    return 1.0


def linear(
    t: float,
    onset: float = 0.0,
    offset: float = 1.0,
    ramp_in: float | None = None,
    ramp_out: float | None = None,
) -> float:
    """Straight ramp in, hold, straight ramp out.

    Examples
    --------
    >>> linear(3.5, onset=0.0, offset=4.0)
    0.5
    """
    return _envelope(t, onset, offset, ramp_in, ramp_out, lambda x: x)


def _logistic_ramp(x: float, k: float) -> float:
    """x in [0, 1] along the ramp → weight in [0, 1], exactly 0 and 1 at the ends."""
    lo = 1.0 / (1.0 + math.exp(6.0 * k))
    hi = 1.0 / (1.0 + math.exp(-6.0 * k))
    s = 12.0 * x - 6.0
    v = 1.0 / (1.0 + math.exp(-k * s))
    return min(max((v - lo) / (hi - lo), 0.0), 1.0)


def sigmoid(
    t: float,
    k: float = 1.0,
    onset: float = 0.0,
    offset: float = 1.0,
    ramp_in: float | None = None,
    ramp_out: float | None = None,
) -> float:
    """Logistic ramp in, hold, logistic ramp out; ``k`` is the steepness.

    Examples
    --------
    >>> round(sigmoid(0.5, onset=0.0, offset=4.0), 6)
    0.5
    """
    steepness = check_float(k, "k", **PARAMETER_BOUNDS["k"])
    return _envelope(t, onset, offset, ramp_in, ramp_out, lambda x: _logistic_ramp(x, steepness))


def gaussian(
    t: float,
    mean: float | None = None,
    sigma: float | None = None,
    onset: float = 0.0,
    offset: float = 1.0,
) -> float:
    """A bell of the given mean and sigma (defaults: the window's centre and a sixth of it).

    Examples
    --------
    >>> round(gaussian(1.0, mean=1.0, sigma=0.5), 3)
    1.0
    """
    m = (onset + offset) / 2.0 if mean is None else _number(mean, "mean")
    s = _window(onset, offset) / 6.0 if sigma is None else _number(sigma, "sigma")
    return float(math.exp(-((t - m) ** 2) / (2.0 * s * s)))


TIMING_FUNCTIONS: dict[str, TimingFunction] = {
    "constant": constant,
    "linear": linear,
    "sigmoid": sigmoid,
    "gaussian": gaussian,
}
