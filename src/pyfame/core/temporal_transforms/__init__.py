"""core.temporal_transforms: reorder a video's frames in blocks."""

from pyfame.core.temporal_transforms.block_order import generate_shuffled_block_array, order_blocks
from pyfame.core.temporal_transforms.functions import shuffle_frame_order

__all__ = ["shuffle_frame_order", "generate_shuffled_block_array", "order_blocks"]
