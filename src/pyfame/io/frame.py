"""The unit that flows through PyFAME: one decoded frame."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Frame:
    """One frame of a source.

    Parameters
    ----------
    index : int
        Position of the frame in its source, from 0.
    t : float
        Presentation time in seconds, from the container (an image has ``t=0.0``).
    pixels : numpy.ndarray
        RGB ``uint8`` array of shape ``(H, W, 3)``, C-contiguous.

    Examples
    --------
    >>> import numpy as np
    >>> Frame(0, 0.0, np.zeros((4, 6, 3), np.uint8)).size
    (6, 4)
    """

    index: int
    t: float
    pixels: np.ndarray

    @property
    def size(self) -> tuple[int, int]:
        """``(width, height)`` in pixels."""
        h, w = self.pixels.shape[:2]
        return (w, h)
