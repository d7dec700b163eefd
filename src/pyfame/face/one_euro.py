"""One-Euro filter (Casiez, Roussel & Vogel, CHI 2012) over landmark arrays.

It smooths jitter when the face is still and follows quickly when it moves: the cutoff
frequency rises with the speed of the signal.

Examples
--------
>>> import numpy as np
>>> f = OneEuroFilter(min_cutoff=1.0)
>>> a = f(np.zeros((1, 478, 3), np.float32), 0.0)
>>> b = f(np.ones((1, 478, 3), np.float32), 1 / 30)
>>> bool(0 < b[0, 0, 0] < 1)
True
"""

from __future__ import annotations

import math

import numpy as np


def _alpha(cutoff: np.ndarray | float, dt: float) -> np.ndarray | float:
    tau = 1.0 / (2.0 * math.pi * cutoff)
    return 1.0 / (1.0 + tau / dt)


class OneEuroFilter:
    """Element-wise One-Euro filter for arrays of a fixed shape.

    Parameters
    ----------
    min_cutoff : float
        Cutoff frequency (Hz) when the signal is still.
    beta : float
        How fast the cutoff rises with speed.
    d_cutoff : float
        Cutoff (Hz) of the speed estimate.
    """

    def __init__(self, min_cutoff: float = 1.0, beta: float = 0.05, d_cutoff: float = 1.0) -> None:
        self.min_cutoff = min_cutoff
        self.beta = beta
        self.d_cutoff = d_cutoff
        self._x: np.ndarray | None = None
        self._dx: np.ndarray | None = None
        self._t: float | None = None

    def reset(self) -> None:
        """Forget the past (after the face was lost, or the face count changed)."""
        self._x = self._dx = self._t = None

    def __call__(self, x: np.ndarray, t: float) -> np.ndarray:
        if self._x is None or self._t is None or self._x.shape != x.shape or t <= self._t:
            self._x = x.astype(np.float32, copy=True)
            self._dx = np.zeros_like(self._x)
            self._t = t
            return self._x.copy()
        dt = t - self._t
        dx = (x - self._x) / dt
        a_d = _alpha(self.d_cutoff, dt)
        self._dx = a_d * dx + (1 - a_d) * self._dx
        cutoff = self.min_cutoff + self.beta * np.abs(self._dx)
        a = _alpha(cutoff, dt)
        self._x = (a * x + (1 - a) * self._x).astype(np.float32)
        self._t = t
        return self._x.copy()
