"""The seed API's ``shuffle_frame_order``, declared onto its frame plan."""

from __future__ import annotations

from pyfame.core.temporal_transforms.frame_shuffle import FrameShuffle
from pyfame.pipeline.seed_function import seed_function

shuffle_frame_order = seed_function(
    "shuffle_frame_order", FrameShuffle,
    signature=("shuffle_method", "rand_seed", "block_order", "block_duration", "drop_last_block", "with_sub_dirs"),
    module=__name__,
    summary="Cut each video into blocks of ``block_duration`` ms and write them in a new order; the sidecar holds "
            "the block order and the output-to-input frame map.",
    example='shuffle_frame_order("clip.mp4", "out/", pf.FRAME_SHUFFLE_REVERSE, block_duration=500)')
