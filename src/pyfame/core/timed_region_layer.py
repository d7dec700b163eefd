"""The common ground of region manipulations: regions, feathered masks, onset/offset timing."""

from __future__ import annotations

from typing import Any

import numpy as np

from pyfame.errors import PyfameValueError
from pyfame.face.faces import Faces
from pyfame.face.region_mask import RegionMask, region_mask
from pyfame.pipeline.layer import Layer, SourceInfo
from pyfame.face.regions import region_name, resolve_regions
from pyfame.utils.timing_functions import (
    call_timing_function,
    check_timing_kwargs,
    linear,
    resolve_timing_function,
)
from pyfame.validation import check_float


class TimedRegionLayer(Layer):
    """A layer acting on face regions with a strength that follows a timing function.

    The weight at time ``t`` is 0 before ``onset_t`` and after ``offset_t``, and
    ``timing_func(t, onset=onset_t, offset=offset_t, **timing_kwargs)`` in between
    (see :mod:`pyfame.utils.timing_functions`). ``offset_t=0`` means the end of the video.
    Still images are always at full weight.

    Parameters
    ----------
    landmark_regions : region or list of regions
        Where the layer acts.
    onset_t, offset_t : float
        Seconds.
    timing_func : callable or str
        ``constant``, ``linear``, ``sigmoid``, ``gaussian`` or a callable.
    feather_px : float
        Softness of the region's edge in pixels.
    timing_kwargs : dict
        Extra keyword arguments for the timing function (``k``, ``mean``, ``ramp_in`` ...).
    """

    def __init__(
        self,
        landmark_regions: Any,
        onset_t: float = 0.0,
        offset_t: float = 0.0,
        timing_func: Any = linear,
        feather_px: float = 3.0,
        **timing_kwargs: Any,
    ) -> None:
        self.regions = resolve_regions(landmark_regions, "landmark_regions")
        self.onset_t = check_float(onset_t, "onset_t", low=0.0)
        self.offset_t = check_float(offset_t, "offset_t", low=0.0)
        if self.offset_t and self.offset_t <= self.onset_t:
            raise PyfameValueError(
                f"offset_t ({self.offset_t}) must be after onset_t ({self.onset_t}), or 0 for the end of the video"
            )
        self.timing_func = resolve_timing_function(timing_func)
        self.feather_px = check_float(feather_px, "feather_px", low=0.0, high=200.0)
        self.timing_kwargs = dict(timing_kwargs)
        check_timing_kwargs(self.timing_func, self.timing_kwargs)
        self._still = False
        self._end = self.offset_t or float("inf")

    def start(self, info: SourceInfo) -> None:
        self._still = info.kind == "image"
        self._end = self.offset_t or (info.duration if info.duration > 0 else float("inf"))
        if not self._still and self.onset_t >= self._end:
            raise PyfameValueError(f"onset_t ({self.onset_t} s) is at or after the end of the video ({self._end:.3f} s)")

    def weight(self, t: float) -> float:
        """The strength in [0, 1] at ``t`` seconds."""
        if self._still:
            return 1.0
        if t < self.onset_t or t > self._end:
            return 0.0
        return call_timing_function(self.timing_func, t, self.onset_t, self._end, self.timing_kwargs)

    def mask(self, frame: np.ndarray, faces: Faces) -> RegionMask:
        """The layer's feathered region mask for this frame."""
        return region_mask(faces, self.regions, frame.shape, self.feather_px)

    def params(self) -> dict[str, Any]:
        return {
            "landmark_regions": region_name(self.regions),
            "onset_t": self.onset_t,
            "offset_t": self.offset_t,
            "timing_func": getattr(self.timing_func, "__name__", repr(self.timing_func)),
            "timing_kwargs": self.timing_kwargs,
            "feather_px": self.feather_px,
        }
