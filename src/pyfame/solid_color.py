"""Images of one colour, made fast.

``image[:] = (r, g, b)`` broadcasts a 3-vector over every pixel, which NumPy does one pixel
at a time (about 3 ms for a 1280x720 frame); repeating one row of the colour and copying it
down is a plain memory copy (about 0.05 ms). Layers that start from a solid field (bubbles,
masks, point-light displays) make one every frame.

Examples
--------
>>> solid_color((2, 3), (1, 2, 3))[1, 2].tolist()
[1, 2, 3]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def fill_color(image: np.ndarray, color: Sequence[float] | np.ndarray) -> np.ndarray:
    """Set every pixel of ``image`` (uint8 ``(H, W, C)``, C-contiguous) to ``color``, in place.

    ``color`` is rounded like :func:`numpy.rint` (halves to even) and clipped to 0-255.

    Examples
    --------
    >>> fill_color(np.zeros((1, 2, 3), np.uint8), (9.6, 0, 255)).tolist()
    [[[10, 0, 255], [10, 0, 255]]]
    """
    h, w, c = image.shape
    pixel = np.clip(np.rint(np.asarray(color, np.float64)), 0, 255).astype(np.uint8)
    if pixel.shape != (c,):
        raise ValueError(f"color must have {c} values, got {pixel.tolist()}")
    if image.flags.c_contiguous:
        image.reshape(h, w * c)[:] = np.tile(pixel, w)
    else:
        image[:] = pixel
    return image


def solid_color(shape: tuple[int, int], color: Sequence[float] | np.ndarray) -> np.ndarray:
    """A new uint8 ``(H, W, 3)`` image of one colour.

    Examples
    --------
    >>> solid_color((1, 1), (255, 0, 0)).tolist()
    [[[255, 0, 0]]]
    """
    return fill_color(np.empty((int(shape[0]), int(shape[1]), 3), np.uint8), color)
