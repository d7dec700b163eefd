"""Block orders for frame shuffling, and the output-to-input frame map they give."""

from __future__ import annotations

import logging
import math
import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from pyfame.errors import PyfameValueError
from pyfame.utils.predefined_constants import FRAME_SHUFFLE_RANDOM, SHUFFLE_METHOD_NAMES, options
from pyfame.validation import check_choice, check_float, check_int, check_seed

log = logging.getLogger(__name__)


#: Methods that draw their order from the random generator.
RANDOM_METHODS = ("random", "random with replacement")


@dataclass(frozen=True)
class BlockDraw:
    """A block order and how it was drawn.

    Attributes
    ----------
    order : list of int
        Input block shown in each output block.
    orders_drawn : int
        Random orders drawn to get it (0 for the methods that draw nothing; more than 1
        when a draw gave back the original order and was drawn again).
    rejected : list of list of int
        The orders drawn and thrown away (each the original order).

    Examples
    --------
    >>> BlockDraw([1, 0], 1, []).record()
    {'orders_drawn': 1, 'rejected_orders': []}
    """

    order: list[int]
    orders_drawn: int
    rejected: list[list[int]]

    def record(self) -> dict[str, Any]:
        """The draws, for the sidecar."""
        return {"orders_drawn": self.orders_drawn, "rejected_orders": [list(r) for r in self.rejected]}


def _fixed_order(name: str, n: int) -> list[int]:
    if name == "reverse":
        return list(range(n - 1, -1, -1))
    if name == "right cyclic shift":
        return [n - 1, *range(n - 1)]
    if name == "left cyclic shift":
        return [*range(1, n), 0]
    if name == "palindrome":
        return [*range(n), *range(n - 2, -1, -1)]
    half = math.ceil(n / 2)
    first, second = list(range(half)), list(range(half, n))
    out = []
    for i in range(half):
        out.append(first[i])
        if i < len(second):
            out.append(second[i])
    return out


def draw_block_order(n_blocks: int, method: Any, rng: np.random.Generator) -> BlockDraw:
    """The order of ``n_blocks`` blocks under a shuffle method, never the original order.

    ``random``: a permutation, uniform over every order except the original one (a draw
    that gives back ``0, 1, …, n - 1`` is thrown away and drawn again, which happens with
    probability ``1 / n!``; recorded). ``random with replacement``: ``n_blocks`` draws of
    any block (blocks may repeat or vanish), uniform over every such sequence except
    ``0, 1, …, n - 1``, the one that shows the original video; sequences that keep some
    blocks in place are allowed, since they differ from the original. ``reverse``: last to
    first; ``right cyclic shift``: the last block first; ``left cyclic shift``: the first
    block last; ``palindrome``: forward then back (``2 n - 1`` blocks, the last not
    repeated); ``interleave``: first and second halves alternated (``0, h, 1, h + 1, …``
    with ``h = ceil(n / 2)``).

    Raises
    ------
    PyfameValueError
        When the method can only give back the original order: one block
        (``param="block_duration"``: shorter blocks, or a longer video), or ``interleave``
        of two blocks (``param="shuffle_method"``).

    Examples
    --------
    >>> draw_block_order(5, "interleave", np.random.default_rng(0)).order
    [0, 3, 1, 4, 2]
    >>> d = draw_block_order(3, "random", np.random.default_rng(1))  # its first draw is 0, 1, 2
    >>> d.order, d.orders_drawn, d.rejected
    ([2, 0, 1], 2, [[0, 1, 2]])
    """
    name = check_choice(method, "shuffle_method", options(SHUFFLE_METHOD_NAMES))
    n = check_int(n_blocks, "n_blocks", low=0)
    original = list(range(n))
    if n < 2:
        raise PyfameValueError(f"shuffle_method {name!r} cannot reorder {n} block{'s' if n != 1 else ''}: the "
                               "output would show the original order; make the blocks shorter (block_duration) "
                               "or use a longer video", param="block_duration")
    if name not in RANDOM_METHODS:
        order = _fixed_order(name, n)
        if order == original:
            raise PyfameValueError(f"shuffle_method {name!r} of {n} blocks is the original order "
                                   f"{original}; choose another method or shorter blocks", param="shuffle_method")
        return BlockDraw(order, 0, [])
    rejected: list[list[int]] = []
    while True:
        if name == "random":
            order = [int(i) for i in rng.permutation(n)]
        else:
            order = [int(i) for i in rng.integers(0, n, n)]
        if order != original:
            return BlockDraw(order, len(rejected) + 1, rejected)
        rejected.append(order)


def order_blocks(n_blocks: int, method: Any, rng: np.random.Generator) -> list[int]:
    """The order of ``n_blocks`` blocks under a shuffle method (never the original order);
    see :func:`draw_block_order`, which also says how it was drawn.

    Examples
    --------
    >>> order_blocks(5, "interleave", np.random.default_rng(0))
    [0, 3, 1, 4, 2]
    """
    return draw_block_order(n_blocks, method, rng).order


def block_layout(n_frames: int, fps: float, block_duration: float, drop_last_block: bool) -> tuple[int, int]:
    """``(frames_per_block, n_blocks)``; a last partial block counts unless dropped."""
    fpb = max(1, int(round(fps * block_duration / 1000.0)))
    full, rest = divmod(n_frames, fpb)
    return fpb, full + (1 if rest and not drop_last_block else 0)


def frame_map(block_order: list[int], frames_per_block: int, n_frames: int) -> list[int]:
    """Input frame index for each output frame."""
    out: list[int] = []
    for b in block_order:
        out.extend(range(b * frames_per_block, min((b + 1) * frames_per_block, n_frames)))
    return out


def generate_shuffled_block_array(
    file_path: str | os.PathLike[str],
    shuffle_method: Any = FRAME_SHUFFLE_RANDOM,
    rand_seed: int | None = None,
    block_duration: float = 1000,
    drop_last_block: bool = True,
) -> tuple[list[int], int]:
    """Cut a video into blocks of ``block_duration`` ms and order them.

    Returns ``(block_order, frames_per_block)``, which :func:`shuffle_frame_order` accepts
    as ``block_order=``. The order is never the original one (see :func:`draw_block_order`;
    a random order drawn again is logged); one block, which cannot be reordered, is a
    ``PyfameValueError`` naming ``block_duration``. The same seed gives the order
    :func:`shuffle_frame_order` draws.

    Examples
    --------
    >>> # order, fpb = generate_shuffled_block_array("clip.mp4", "reverse", block_duration=500)
    """
    from pyfame.io import VideoSource
    from pyfame.io.planned_video_source import frame_timestamps

    duration = check_float(block_duration, "block_duration", low=0.0, low_inclusive=False)
    seed = check_seed(rand_seed)
    check_choice(shuffle_method, "shuffle_method", options(SHUFFLE_METHOD_NAMES))
    with VideoSource(file_path) as source:
        fps = float(source.fps)
    n_frames = len(frame_timestamps(file_path))
    fpb, n_blocks = block_layout(n_frames, fps, duration, drop_last_block)
    if n_blocks == 0:
        raise PyfameValueError(f"block_duration: {duration} ms is longer than {file_path} ({n_frames} frames)")
    draw = draw_block_order(n_blocks, shuffle_method, np.random.default_rng(seed))
    if draw.rejected:
        log.info("%s: the random block order %s was the original order; drawn again: %s",
                 file_path, draw.rejected, draw.order)
    return draw.order, fpb

__all__ = ["BlockDraw", "draw_block_order", "generate_shuffled_block_array", "order_blocks"]
