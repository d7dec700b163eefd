"""The one-pass pipeline, and what a layer, probe or frame plan is declared with.

For a new layer (in PyFAME or in a plugin): subclass :class:`Layer`, give it a ``name`` and
declare its parameters with :class:`Param` and the kinds (:class:`Number`, :class:`Choice`,
:class:`Color`, :class:`Regions`, ...); see ``CONTRIBUTING.md``.
"""

from pyfame.pipeline.layer import Configurable, FramePlan, Layer, Probe, SourceInfo
from pyfame.pipeline.params import (
    REQUIRED,
    Boolean,
    Choice,
    Color,
    Integer,
    IntegerList,
    IntegerPair,
    Keywords,
    Kind,
    Number,
    Optional,
    Param,
    Regions,
    TimingFunction,
)
from pyfame.pipeline.region_layer import TimedRegionLayer

__all__ = [
    "REQUIRED", "Boolean", "Choice", "Color", "Configurable", "FramePlan", "Integer", "IntegerList", "IntegerPair",
    "Keywords", "Kind", "Layer", "Number", "Optional", "Param", "Probe", "Regions", "SourceInfo", "TimedRegionLayer",
    "TimingFunction",
]
