"""Match statistics across videos at the clip level: one transform per clip, every frame alike.

Matching each frame of a video on its own (``per="frame"``: :func:`match_statistics` on the
frames) equates every frame but makes the face's luminance jump from frame to frame when the
video's own lighting changes: flicker. Matching per clip instead computes each clip's
statistics over all its frames, and one luminance transform per clip that gives the clips
equal statistics; the same transform is applied to every frame of a clip, so whatever varied
within a clip varies the same way after (no flicker, the within-clip dynamics kept).

Two passes, streaming: (1) :func:`frame_statistics` of every frame of every clip (the caller
reads the frames and their masks); (2) :func:`match_clip_statistics` gives one
:class:`ClipTransform` per clip, which :func:`apply_clip_transform` applies to each frame as it
is read again.

``"luminance"``
    One gain and offset per clip, so the clip's pooled mask-weighted mean and SD of luminance
    (over all pixels of all its frames) equal the target: by default the mean over clips of
    the clips' means and SDs. Exact in floating point for soft masks too: the frames carry the
    sums of :func:`~pyfame.stimulus_control.luminance.blend_moments`, which add over frames;
    the 8-bit rounding of the frames then leaves differences of about 0.01 L*.
``"histogram"``
    One monotone luminance mapping per clip, from the clip's pooled histogram (the pixels of
    weight >= 0.5 of all its frames) to the target histogram (by default the mean of the clips'
    normalised histograms): each level ``k`` of the clip goes to the target's quantile at the
    clip's mid-CDF of ``k``, and luminances between levels are interpolated linearly. This is
    classical histogram matching, not exact specification (which ranks single pixels and
    would treat frames differently); pooled histograms end close to the target (on the test
    videos, earth mover's distances between clips fall from 7-14 L* to about 0.1 L*).

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> clips = [[rng.integers(lo, lo + 60, (8, 8, 3), dtype=np.uint8) for _ in range(3)] for lo in (30, 150)]
>>> stats = [[frame_statistics(f) for f in clip] for clip in clips]
>>> transforms = match_clip_statistics(stats)
>>> out = [[apply_clip_transform(f, t) for f in clip] for clip, t in zip(clips, transforms)]
>>> [round(pooled_statistics([frame_statistics(f) for f in clip])[0], 1) for clip in out]
[49.0, 49.0]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pyfame.errors import PyfameTypeError, PyfameValueError
from pyfame.stimulus_control.luminance import (
    apply_gain_offset,
    blend_moments,
    check_image,
    check_mask,
    check_space,
    compose,
    luminance_levels,
    solve_from_moments,
    split_luminance,
)
from pyfame.stimulus_control.statistics_matching import HISTOGRAM_SUPPORT, quantised_histogram
from pyfame.validation import check_choice

CLIP_METHODS = ("luminance", "histogram")


@dataclass(frozen=True)
class FrameStatistics:
    """What one frame contributes to its clip's statistics.

    Attributes
    ----------
    moments : numpy.ndarray
        float64 ``(10,)``: :func:`~pyfame.stimulus_control.luminance.blend_moments` of the
        frame's luminance (base and source alike) and mask.
    histogram : numpy.ndarray
        float64 ``(256,)`` counts of the quantised luminance over the pixels of weight >= 0.5.
    space : str
        The luminance space.

    Examples
    --------
    >>> s = frame_statistics(np.full((2, 2), 255, np.uint8))
    >>> round(s.mean, 3), s.moments.shape
    (100.0, (10,))
    """

    moments: np.ndarray
    histogram: np.ndarray
    space: str = "lab"

    @property
    def mean(self) -> float:
        """Mask-weighted mean luminance of the frame."""
        return pooled_statistics([self])[0]

    @property
    def sd(self) -> float:
        """Mask-weighted standard deviation of the frame's luminance."""
        return pooled_statistics([self])[1]


@dataclass(frozen=True)
class ClipTransform:
    """The luminance transform of one clip, the same for all its frames.

    ``"luminance"``: ``L -> gain * L + offset``; ``"histogram"``: ``L -> interp(L, knots_in,
    knots_out)``; either blended with the mask's weight.

    Examples
    --------
    >>> ClipTransform("luminance", "lab", gain=2.0, offset=-10.0)(np.array([30.0])).tolist()
    [50.0]
    """

    method: str
    space: str
    gain: float = 1.0
    offset: float = 0.0
    knots_in: np.ndarray = field(default_factory=lambda: np.zeros(0))
    knots_out: np.ndarray = field(default_factory=lambda: np.zeros(0))
    #: ``"luminance"``: the clip's target mean and SD, and the mean and SD asked of the solver
    #: (the target, or the target corrected by :func:`refine_clip_transforms`)
    goal: tuple[float, float] = (0.0, 0.0)
    request: tuple[float, float] = (0.0, 0.0)

    def __call__(self, lum: np.ndarray) -> np.ndarray:
        """The mapped luminance (float32), before blending with the mask."""
        lum = np.asarray(lum, np.float32)
        if self.method == "luminance":
            return lum * np.float32(self.gain) + np.float32(self.offset)
        return np.interp(lum, self.knots_in, self.knots_out).astype(np.float32)


def frame_statistics(frame: np.ndarray, mask: np.ndarray | None = None, space: str = "lab") -> FrameStatistics:
    """A frame's contribution to its clip's statistics (first pass).

    Examples
    --------
    >>> s = frame_statistics(np.full((4, 4, 3), 128, np.uint8))
    >>> round(s.mean, 2), s.sd, int(s.histogram[128])
    (53.58, 0.0, 16)
    """
    space = check_space(space)
    check_image(frame, "frame")
    weights = check_mask(mask, frame.shape)
    lum = split_luminance(frame, space)[0]
    return FrameStatistics(blend_moments(lum, lum, weights), quantised_histogram(lum, weights, space), space)


def pooled_statistics(frames: Sequence[FrameStatistics]) -> tuple[float, float, np.ndarray]:
    """A clip's mask-weighted mean and SD of luminance over all its frames, and its pooled
    histogram (counts).

    Examples
    --------
    >>> a = frame_statistics(np.full((2, 2), 0, np.uint8)); b = frame_statistics(np.full((2, 2), 255, np.uint8))
    >>> mean, sd, hist = pooled_statistics([a, b]); round(mean, 3), round(sd, 3), int(hist.sum())
    (50.0, 50.0, 8)
    """
    moments = np.sum([f.moments for f in frames], axis=0)
    s0, sx, sy, _, sxx, sxy, _, syy, _, _ = moments
    if not s0 > 0:
        raise PyfameValueError("clips: a clip's masks are empty in every frame")
    mean = (sx + sy) / s0
    var = (sxx + 2 * sxy + syy) / s0 - mean * mean
    return float(mean), float(np.sqrt(max(var, 0.0))), np.sum([f.histogram for f in frames], axis=0)


def _check_clips(clips: Any) -> list[list[FrameStatistics]]:
    if not isinstance(clips, Sequence) or isinstance(clips, (str, bytes)):
        raise PyfameTypeError(f"clips must be a list of clips (lists of FrameStatistics), got {type(clips).__name__}")
    out: list[list[FrameStatistics]] = []
    for i, clip in enumerate(clips):
        if not isinstance(clip, Sequence) or not clip:
            raise PyfameValueError(f"clips[{i}] must be a non-empty list of FrameStatistics")
        for j, f in enumerate(clip):
            if not isinstance(f, FrameStatistics):
                raise PyfameTypeError(f"clips[{i}][{j}] must be a FrameStatistics (from frame_statistics), got {type(f).__name__}")
        out.append(list(clip))
    spaces = {f.space for clip in out for f in clip}
    if len(spaces) > 1:
        raise PyfameValueError(f"clips: frames were measured in different luminance spaces {sorted(spaces)}")
    return out


def _histogram_map(source: np.ndarray, target: np.ndarray, space: str) -> tuple[np.ndarray, np.ndarray]:
    """Knots of the monotone map from the source histogram's levels to the target's quantiles."""
    levels = luminance_levels(space).astype(np.float64)

    def mid_cdf(hist: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        p = hist / hist.sum()
        cdf = np.cumsum(p) - p / 2
        keep = hist > 0
        return cdf[keep], levels[keep]

    src_cdf, src_levels = mid_cdf(source)
    tgt_cdf, tgt_levels = mid_cdf(target)
    return src_levels, np.interp(src_cdf, tgt_cdf, tgt_levels)


def match_clip_statistics(
    clips: Sequence[Sequence[FrameStatistics]],
    method: str = "luminance",
    target: Mapping[str, Any] | None = None,
) -> list[ClipTransform]:
    """One luminance transform per clip so that the clips' pooled statistics match.

    Parameters
    ----------
    clips : sequence of sequences of FrameStatistics
        Per clip, :func:`frame_statistics` of each of its frames (at least two clips unless
        ``target`` is given).
    method : {"luminance", "histogram"}
    target : mapping, optional
        ``{"mean": ..., "sd": ...}`` or ``{"histogram": 256 counts or proportions}``; the mean
        over clips when ``None``.

    Returns
    -------
    list of ClipTransform
        One per clip, in order.

    Examples
    --------
    >>> flat = [frame_statistics(np.full((2, 2), 100, np.uint8))]
    >>> match_clip_statistics([flat], target={"mean": 50.0, "sd": 0.0})[0].method
    'luminance'
    """
    method = check_choice(method, "method", {m: m for m in CLIP_METHODS})
    items = _check_clips(clips)
    if len(items) < (1 if target is not None else 2):
        raise PyfameValueError(f"clips must hold at least 2 clips to match to their mean, got {len(items)}")
    space = items[0][0].space
    pooled = [pooled_statistics(clip) for clip in items]
    if method == "luminance":
        if target is None:
            goal_mean = float(np.mean([p[0] for p in pooled]))
            goal_sd = float(np.mean([p[1] for p in pooled]))
        else:
            if not isinstance(target, Mapping) or "mean" not in target or "sd" not in target:
                raise PyfameValueError("target must hold 'mean' and 'sd' for luminance matching")
            goal_mean, goal_sd = float(target["mean"]), float(target["sd"])
            if not (np.isfinite(goal_mean) and np.isfinite(goal_sd) and goal_sd >= 0):
                raise PyfameValueError(f"target mean and sd must be finite, sd >= 0; got {goal_mean}, {goal_sd}")
        goal_pair = (goal_mean, goal_sd)
        return [_luminance_transform(clip, space, goal_pair, goal_pair) for clip in items]
    if any(p[2].sum() <= 0 for p in pooled):
        raise PyfameValueError(f"clips: a clip has no pixel of weight >= {HISTOGRAM_SUPPORT} in any frame")
    if target is None:
        goal = np.mean([p[2] / p[2].sum() for p in pooled], axis=0)
    else:
        if not isinstance(target, Mapping) or "histogram" not in target:
            raise PyfameValueError("target must hold 'histogram' for histogram matching")
        goal = np.asarray(target["histogram"], np.float64)
        if goal.shape != (256,) or (goal < 0).any() or not goal.sum() > 0:
            raise PyfameValueError("target['histogram'] must be 256 non-negative counts or proportions, not all 0")
    return [ClipTransform("histogram", space, knots_in=k_in, knots_out=k_out)
            for k_in, k_out in (_histogram_map(p[2], goal, space) for p in pooled)]


def _luminance_transform(
    clip: list[FrameStatistics], space: str, goal: tuple[float, float], request: tuple[float, float]
) -> ClipTransform:
    moments = np.sum([f.moments for f in clip], axis=0)
    gain, offset = solve_from_moments(moments, request[0], max(request[1], 0.0))
    return ClipTransform("luminance", space, gain, offset, goal=goal, request=request)


def refine_clip_transforms(
    clips: Sequence[Sequence[FrameStatistics]],
    transforms: Sequence[ClipTransform],
    measured: Sequence[Sequence[FrameStatistics]],
) -> list[ClipTransform]:
    """Correct ``"luminance"`` clip transforms for what 8 bits and clipping did (a third pass).

    ``measured`` holds :func:`frame_statistics` of the frames that ``transforms`` made; each
    clip's request is moved by its miss (``request + goal - measured``) and solved again on the
    original ``clips``. One refinement takes the pooled clip statistics from ~0.1 L* of the
    target to ~0.01 L* on the test videos; it can be repeated.

    Examples
    --------
    >>> clip = [frame_statistics(np.full((2, 2), v, np.uint8)) for v in (90, 110)]
    >>> t = match_clip_statistics([clip], target={"mean": 60.0, "sd": 5.0})
    >>> made = [[frame_statistics(apply_clip_transform(np.full((2, 2), v, np.uint8), t[0])) for v in (90, 110)]]
    >>> refine_clip_transforms([clip], t, made)[0].request != t[0].request
    True
    """
    items = _check_clips(clips)
    done = _check_clips(measured)
    if not isinstance(transforms, Sequence) or len(transforms) != len(items) or len(done) != len(items):
        raise PyfameValueError("clips, transforms and measured must hold one entry per clip")
    out = []
    for i, (clip, t, after) in enumerate(zip(items, transforms, done)):
        if not isinstance(t, ClipTransform) or t.method != "luminance":
            raise PyfameValueError(f"transforms[{i}] must be a 'luminance' ClipTransform")
        got_mean, got_sd, _ = pooled_statistics(after)
        request = (t.request[0] + t.goal[0] - got_mean, t.request[1] + t.goal[1] - got_sd)
        out.append(_luminance_transform(clip, t.space, t.goal, request))
    return out


def apply_clip_transform(frame: np.ndarray, transform: ClipTransform, mask: np.ndarray | None = None) -> np.ndarray:
    """A frame with its clip's transform applied inside the mask (second pass).

    Pixels of weight 0 are copied bit for bit; chroma is kept.

    Examples
    --------
    >>> t = ClipTransform("luminance", "lab", gain=1.0, offset=10.0)
    >>> apply_clip_transform(np.full((2, 2), 100, np.uint8), t).tolist()
    [[125, 125], [125, 125]]
    """
    if not isinstance(transform, ClipTransform):
        raise PyfameTypeError(f"transform must be a ClipTransform, got {type(transform).__name__}")
    check_image(frame, "frame")
    weights = check_mask(mask, frame.shape)
    lum, chroma = split_luminance(frame, transform.space)
    new = apply_gain_offset(lum, transform(lum), weights, 1.0, 0.0)
    return compose(frame, new, chroma, weights, transform.space)


__all__ = [
    "CLIP_METHODS",
    "ClipTransform",
    "FrameStatistics",
    "apply_clip_transform",
    "frame_statistics",
    "match_clip_statistics",
    "pooled_statistics",
    "refine_clip_transforms",
]
