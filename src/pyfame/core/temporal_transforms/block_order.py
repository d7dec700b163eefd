"""Block orders for frame shuffling, and the output-to-input frame map they give."""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np

from pyfame.errors import PyfameValueError
from pyfame.utils.predefined_constants import FRAME_SHUFFLE_RANDOM, SHUFFLE_METHOD_NAMES, options
from pyfame.validation import check_choice, check_float, check_seed


def order_blocks(n_blocks: int, method: Any, rng: np.random.Generator) -> list[int]:
    """The order of ``n_blocks`` blocks under a shuffle method.

    ``random``: a permutation; ``random with replacement``: ``n_blocks`` draws (blocks may
    repeat or vanish); ``reverse``: last to first; ``right cyclic shift``: the last block
    first; ``left cyclic shift``: the first block last; ``palindrome``: forward then back
    (``2 n - 1`` blocks, the last not repeated); ``interleave``: first and second halves
    alternated (``0, h, 1, h + 1, …`` with ``h = ceil(n / 2)``).

    Examples
    --------
    >>> order_blocks(5, "interleave", np.random.default_rng(0))
    [0, 3, 1, 4, 2]
    """
    name = check_choice(method, "shuffle_method", options(SHUFFLE_METHOD_NAMES))
    n = n_blocks
    if name == "random":
        return [int(i) for i in rng.permutation(n)]
    if name == "random with replacement":
        return [int(i) for i in rng.integers(0, n, n)]
    if name == "reverse":
        return list(range(n - 1, -1, -1))
    if name == "right cyclic shift":
        return [n - 1, *range(n - 1)] if n else []
    if name == "left cyclic shift":
        return [*range(1, n), 0] if n else []
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
    as ``block_order=``.

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
    rng = np.random.default_rng(seed)
    return order_blocks(n_blocks, shuffle_method, rng), fpb

__all__ = ["generate_shuffled_block_array", "order_blocks"]
