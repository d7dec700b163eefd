"""The seed API's ``shuffle_frame_order``: reorder a video's blocks of frames."""

from __future__ import annotations

import logging
import os
from typing import Any

import numpy as np

from pyfame.core.temporal_transforms.block_order import block_layout, frame_map, order_blocks
from pyfame.errors import PyfameError, PyfameTypeError, PyfameValueError
from pyfame.face.tracker_settings import TrackerSettings
from pyfame.io import VideoSource
from pyfame.io.media_kinds import media_kind
from pyfame.io.planned_video_source import frame_timestamps
from pyfame.pipeline.file_pass import FileResult, run_file
from pyfame.pipeline.inputs import plan_jobs
from pyfame.pipeline.run_options import RunOptions
from pyfame.utils.predefined_constants import FRAME_SHUFFLE_RANDOM, SHUFFLE_METHOD_NAMES, options
from pyfame.validation import (
    check_bool,
    check_choice,
    check_existing_path,
    check_float,
    check_int,
    check_output_dir,
    check_seed,
)

log = logging.getLogger(__name__)


def shuffle_frame_order(
    input_dir: str | os.PathLike[str],
    output_dir: str | os.PathLike[str],
    shuffle_method: Any = FRAME_SHUFFLE_RANDOM,
    rand_seed: int | None = None,
    block_order: list[int] | tuple[list[int], int] | None = None,
    block_duration: float = 1000,
    drop_last_block: bool = True,
    with_sub_dirs: bool = False,
    audio: str = "drop",
    **kwargs: Any,
) -> list[FileResult]:
    """Cut each video into blocks of ``block_duration`` ms and write them in a new order to
    ``output_dir/Shuffled/``.

    The order comes from ``shuffle_method`` (see
    :func:`~pyfame.core.temporal_transforms.block_order.order_blocks`), seeded by
    ``rand_seed``, or is given as ``block_order`` (a list of block indices, or the
    ``(block_order, frames_per_block)`` pair of :func:`generate_shuffled_block_array`).
    ``drop_last_block`` leaves out a last block shorter than the others. The output keeps
    the input's frame rate on a new, regular timeline. ``audio="drop"`` (default) leaves the
    sound out, with a warning; ``"keep"`` copies it unchanged (so it no longer matches the
    picture). The sidecar holds the output-to-input frame map. Memory stays at a few frames:
    blocks are read by seeking, not held.

    Examples
    --------
    >>> import pyfame.core as pf
    >>> # pf.shuffle_frame_order("clip.mp4", "out/", pf.FRAME_SHUFFLE_REVERSE, block_duration=500)
    """
    check_existing_path(input_dir, "input_dir")
    check_output_dir(output_dir, "output_dir")
    check_bool(with_sub_dirs, "with_sub_dirs")
    check_bool(drop_last_block, "drop_last_block")
    method = check_choice(shuffle_method, "shuffle_method", options(SHUFFLE_METHOD_NAMES))
    seed = check_seed(rand_seed)
    duration = check_float(block_duration, "block_duration", low=0.0, low_inclusive=False)
    audio = check_choice(audio, "audio", {"drop": "drop", "keep": "keep"})
    given_fpb = None
    if block_order is not None:
        if isinstance(block_order, tuple) and len(block_order) == 2 and isinstance(block_order[1], int):
            block_order, given_fpb = list(block_order[0]), block_order[1]
        if not isinstance(block_order, (list, tuple)) or not block_order:
            raise PyfameTypeError(f"block_order must be a non-empty list of block indices, got {block_order!r}")
        block_order = [check_int(b, "block_order", low=0) for b in block_order]
    run_kwargs = {k: kwargs.pop(k) for k in ("crf", "preset", "progress") if k in kwargs}
    if kwargs:
        raise PyfameTypeError(f"shuffle_frame_order() got unexpected keyword arguments {sorted(kwargs)}")
    jobs = plan_jobs(input_dir, output_dir, "Shuffled", with_sub_dirs)
    for job in jobs:
        if media_kind(job.input) != "video":
            raise PyfameValueError(f"input_dir: {job.input} is a still image; frame shuffling needs videos")
    options_ = RunOptions(tracker=TrackerSettings(), seed=seed, landmark_cache=False, **run_kwargs)
    if audio == "drop":
        log.warning("shuffle_frame_order: the audio is left out of the shuffled videos (audio='keep' copies it)")
    results = []
    for job in jobs:
        try:
            with VideoSource(job.input) as source:
                fps = float(source.fps)
            n_frames = len(frame_timestamps(job.input))
            fpb, n_blocks = block_layout(n_frames, fps, duration, drop_last_block)
            if given_fpb is not None:
                fpb = given_fpb
                n_blocks = n_frames // fpb + (1 if n_frames % fpb and not drop_last_block else 0)
            if n_blocks == 0:
                raise PyfameValueError(f"block_duration: {duration} ms is longer than {job.input}")
            if block_order is not None:
                order = list(block_order)
                if max(order) >= n_blocks:
                    raise PyfameValueError(f"block_order names block {max(order)} but {job.input} has {n_blocks}")
            else:
                order = order_blocks(n_blocks, method, np.random.default_rng(options_.resolved_seed()))
            plan = frame_map(order, fpb, n_frames)
            result = run_file(job.input, job.output, [], [], options_, "shuffle_frame_order", frame_plan=plan,
                              keep_audio=audio == "keep",
                              extra_record={"temporal": {"shuffle_method": method, "block_duration_ms": duration,
                                                         "frames_per_block": fpb, "block_order": order,
                                                         "drop_last_block": drop_last_block, "audio": audio,
                                                         "output_to_input_frame": plan}})
        except PyfameError as exc:
            if len(jobs) == 1:
                raise
            log.error("%s: %s", job.input, exc)
            result = FileResult(job.input, None, error=exc)
        results.append(result)
    return results
