"""The common ground of region manipulations: regions, a feathered mask, onset/offset timing."""

from __future__ import annotations

from typing import Any

import numpy as np

from pyfame.errors import PyfameValueError
from pyfame.face.faces import Faces
from pyfame.face.region_mask import RegionMask, region_mask
from pyfame.face.regions import FACE_SKIN_PATH
from pyfame.pipeline.layer import Layer, SourceInfo
from pyfame.pipeline.params import Keywords, Number, Optional, Param, Regions, TimingFunction
from pyfame.pipeline.timing import call_timing_function, check_timing_kwargs
from pyfame.utils.timing_functions import linear

#: The timing functions' own parameters, declared as layer parameters.
TIMING_PARAMETERS = ("ramp_in", "ramp_out", "k", "mean", "sigma")

#: The soft edge of the colour, saturation and brightness shifts, in inter-ocular distances:
#: about 13 px on a 720p talking head and 4 px on a 400-pixel passport photo, so the shift
#: fades out over the hairline and the jaw instead of stopping at a line.
SHIFT_FEATHER_IOD = 0.1


def feathering(default_iod: float) -> tuple[Param, Param]:
    """The two declared parameters of a region's soft edge: ``feather_px`` (pixels, when
    given) and ``feather_iod`` (scaled with the face, the default way). Use as
    ``feather_px, feather_iod = feathering(0.1)`` in a layer's class body (``feather_px``
    first: it keeps the place it had among positional arguments), and pass both to
    :func:`~pyfame.face.region_mask.region_mask`.

    Examples
    --------
    >>> px, iod = feathering(0.1)
    >>> px.default, iod.default, iod.unit
    (None, 0.1, 'inter-ocular distances')
    """
    return (
        Param(Optional(Number(0.0, 200.0)), default=None, unit="px",
              help="Softness of the edge in pixels, the same on every face (overrides feather_iod).",
              cli_names=("--feather",)),
        Param(Number(0.0, 1.0), default=default_iod, unit="inter-ocular distances",
              help="Softness of the regions' edge, scaled with each face (0: a crisp anti-aliased edge)."),
    )


class TimedRegionLayer(Layer):
    """A layer acting on face regions with a strength that follows a timing function.

    The weight at time ``t`` is 0 before ``onset_t`` and after ``offset_t``, and
    ``timing_func(t, onset=onset_t, offset=offset_t, ...)`` in between, with the timing
    parameters that are set (see :mod:`pyfame.utils.timing_functions`). ``offset_t=0`` means
    the end of the video. Still images are always at full weight.
    """

    landmark_regions: list = Param(Regions(), default=FACE_SKIN_PATH, help="Where the layer acts.",
                                   cli_names=("--region",))
    onset_t: float = Param(Number(low=0.0), default=0.0, unit="s", help="When the manipulation starts.",
                           cli_names=("--onset",))
    offset_t: float = Param(Number(low=0.0), default=0.0, unit="s",
                            help="When it has ended (0: the end of the video).", cli_names=("--offset",))
    timing_func: Any = Param(TimingFunction(), default=linear, help="How the strength rises and falls.",
                             cli_names=("--timing",))
    feather_px, feather_iod = feathering(SHIFT_FEATHER_IOD)
    ramp_in: float | None = Param(Optional(Number(low=0.0)), default=None, unit="s",
                                  help="linear, sigmoid: time to full strength (default: a quarter of the window).")
    ramp_out: float | None = Param(Optional(Number(low=0.0)), default=None, unit="s",
                                   help="linear, sigmoid: time back to zero (default: a quarter of the window).")
    k: float | None = Param(Optional(Number(low=0.0, low_open=True)), default=None,
                            unit="dimensionless (logistic slope over the ramp)",
                            help="sigmoid: steepness of the ramps (default 1).")
    mean: float | None = Param(Optional(Number()), default=None, unit="s",
                               help="gaussian: time of the peak (default: the window's centre).")
    sigma: float | None = Param(Optional(Number(low=0.0, low_open=True)), default=None, unit="s",
                                help="gaussian: width of the bell (default: a sixth of the window).")
    timing_kwargs: dict = Param(Keywords(), default={}, cli=False,
                                help="Further keyword arguments of a custom timing function.")

    def validate(self) -> None:
        if self.offset_t and self.offset_t <= self.onset_t:
            raise PyfameValueError(f"offset_t ({self.offset_t}) must be after onset_t ({self.onset_t}), "
                                   "or 0 for the end of the video", param="offset_t")
        for name, value in self.timing_arguments().items():
            check_timing_kwargs(self.timing_func, {name: value}, name=name)

    def __post_init__(self) -> None:
        self._still = False
        self._end = self.offset_t or float("inf")

    def timing_arguments(self) -> dict[str, Any]:
        """The keyword arguments the timing function gets besides ``onset`` and ``offset``."""
        named = {n: getattr(self, n) for n in TIMING_PARAMETERS if getattr(self, n) is not None}
        return {**named, **self.timing_kwargs}

    def start(self, info: SourceInfo) -> None:
        self._still = info.kind == "image"
        self._end = self.offset_t or (info.duration if info.duration > 0 else float("inf"))
        if not self._still and self.onset_t >= self._end:
            raise PyfameValueError(f"onset_t ({self.onset_t} s) is at or after the end of the video "
                                   f"({self._end:.3f} s)", param="onset_t")

    def weight(self, t: float) -> float:
        """The strength in [0, 1] at ``t`` seconds."""
        if self._still:
            return 1.0
        if t < self.onset_t or t > self._end:
            return 0.0
        return call_timing_function(self.timing_func, t, self.onset_t, self._end, self.timing_arguments())

    def mask(self, frame: np.ndarray, faces: Faces) -> RegionMask:
        """The layer's feathered region mask for this frame."""
        return region_mask(faces, self.landmark_regions, frame.shape, self.feather_px, self.feather_iod)
