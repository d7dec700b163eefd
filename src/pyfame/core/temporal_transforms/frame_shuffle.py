"""Frame shuffling as a frame plan: blocks of frames in a new order, decided before frames flow."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np

from pyfame.core.temporal_transforms.block_order import block_layout, draw_block_order, frame_map
from pyfame.errors import PyfameTypeError, PyfameValueError
from pyfame.pipeline.layer import FramePlan
from pyfame.pipeline.params import Boolean, Choice, Integer, Kind, Number, Optional, Param
from pyfame.utils.predefined_constants import SHUFFLE_METHOD_NAMES

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BlockOrder(Kind):
    """A list of block indices, or the ``(block_order, frames_per_block)`` pair of
    :func:`~pyfame.core.temporal_transforms.block_order.generate_shuffled_block_array`."""

    annotation = list

    def check(self, value: Any, name: str) -> Any:
        fpb = None
        if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], (int, np.integer)) \
                and isinstance(value[0], (list, tuple)):
            value, fpb = value
        if isinstance(value, dict):  # the data form: {"blocks": [...], "frames_per_block": n}
            value, fpb = value.get("blocks"), value.get("frames_per_block")
        if not isinstance(value, (list, tuple)) or not value:
            raise PyfameTypeError(f"{name} must be a non-empty list of block indices, got {value!r}", param=name)
        blocks = [Integer(0).check(b, name) for b in value]
        return {"blocks": blocks, "frames_per_block": None if fpb is None else Integer(1).check(fpb, name)}

    def parse(self, text: str, name: str) -> Any:
        return [Integer().parse(p.strip(), name) for p in text.split(",") if p.strip()]

    def describe(self) -> str:
        return "list of block indices"

    def schema(self) -> dict[str, Any]:
        blocks = {"type": "array", "items": {"type": "integer", "minimum": 0}, "minItems": 1}
        return {"oneOf": [blocks, {"type": "object", "required": ["blocks"], "additionalProperties": False,
                                   "properties": {"blocks": blocks, "frames_per_block": {
                                       "anyOf": [{"type": "null"}, {"type": "integer", "minimum": 1}]}}}]}


class FrameShuffle(FramePlan):
    """Cut a video into blocks of ``block_duration`` ms and show them in a new order.

    The order comes from ``shuffle_method`` (see
    :func:`~pyfame.core.temporal_transforms.block_order.draw_block_order`), seeded by the
    run's seed, or is given as ``block_order``. A method's order is never the original one:
    a random order that comes out as the original is drawn again (the sidecar records how
    many orders were drawn and which were thrown away), and a video of one block, which no
    method can reorder, is refused before anything is written. The output keeps the input's
    frame rate on a new, regular timeline; the sidecar holds the block order and the
    output-to-input frame map.
    Memory stays at a few frames: blocks are read by seeking, not held.

    Examples
    --------
    >>> FrameShuffle("reverse", block_duration=500).plan(6, 4.0, np.random.default_rng(0))
    [4, 5, 2, 3, 0, 1]
    """

    name = "shuffle_frames"
    subfolder = "Shuffled"

    shuffle_method: str = Param(Choice(SHUFFLE_METHOD_NAMES), default="random", help="How the blocks are reordered.",
                                cli_names=("--method",))
    block_order: Any = Param(Optional(BlockOrder()), default=None,
                             help="Blocks in this order instead (overrides shuffle_method).")
    block_duration: float = Param(Number(0.0, low_open=True), default=1000.0, unit="ms",
                                  help="Length of each block.", cli_names=("--block-ms",))
    drop_last_block: bool = Param(Boolean(), default=True, help="Leave out a last block shorter than the others.",
                                  cli_names=("/--keep-last-block",))
    audio: str = Param(Choice(("drop", "keep")), default="drop",
                       help="Leave the sound out, or copy it unchanged (it no longer matches the picture).")

    def __post_init__(self) -> None:
        self._record: dict[str, Any] = {}

    @property
    def keeps_audio(self) -> bool:  # type: ignore[override]
        return self.audio == "keep"

    def plan(self, n_frames: int, fps: float, rng: np.random.Generator) -> list[int]:
        fpb, n_blocks = block_layout(n_frames, fps, self.block_duration, self.drop_last_block)
        given = self.block_order
        if given is not None and given["frames_per_block"] is not None:
            fpb = given["frames_per_block"]
            n_blocks = n_frames // fpb + (1 if n_frames % fpb and not self.drop_last_block else 0)
        if n_blocks == 0:
            raise PyfameValueError(f"block_duration: {self.block_duration} ms is longer than the video "
                                   f"({n_frames} frames)", param="block_duration")
        draw = None
        if given is not None:
            order = list(given["blocks"])
            if max(order) >= n_blocks:
                raise PyfameValueError(f"block_order names block {max(order)} but the video has {n_blocks}",
                                       param="block_order")
        else:
            draw = draw_block_order(n_blocks, self.shuffle_method, rng)
            order = draw.order
        if self.audio == "drop":
            log.warning("shuffle_frames: the audio is left out of the shuffled video (audio='keep' copies it)")
        self._record = {"frames_per_block": fpb, "block_order": order, **(draw.record() if draw else {})}
        return frame_map(order, fpb, n_frames)

    def record(self) -> dict[str, Any]:
        return dict(self._record)
