"""Layers and probes by name, and how to rebuild them from the parameters a sidecar records."""

from __future__ import annotations

import inspect
from typing import Any

from pyfame.errors import PyfameTypeError, PyfameValueError
from pyfame.pipeline.layer import Layer, Probe


def layer_classes() -> dict[str, type[Layer]]:
    """Every layer PyFAME ships, by its ``name``."""
    from pyfame.core.analysis.optical_flow import OpticalFlow
    from pyfame.core.coloring import BrightnessShift, ColorShift, SaturationShift
    from pyfame.core.analysis.landmark_overlay import LandmarkOverlay
    from pyfame.core.occlusion import Blur, Bubbles, Mask, Noise, Occlusion
    from pyfame.core.point_light_display import PointLightDisplay
    from pyfame.core.scrambling import GridScramble, LandmarkScramble, PhaseScramble

    classes = [ColorShift, SaturationShift, BrightnessShift, Mask, Occlusion, Bubbles, Blur, Noise,
               PointLightDisplay, GridScramble, LandmarkScramble, PhaseScramble, LandmarkOverlay, OpticalFlow]
    return {c.name: c for c in classes}


def probe_classes() -> dict[str, type[Probe]]:
    """The probes that can be named in an experiment file."""
    from pyfame.core.analysis.color_means_probe import ColorMeansProbe
    from pyfame.core.analysis.landmark_probe import LandmarkProbe

    return {c.name: c for c in (ColorMeansProbe, LandmarkProbe)}


def accepted_parameters(cls: type) -> tuple[set[str], bool]:
    """Constructor parameter names, and whether it takes extra keywords."""
    sig = inspect.signature(cls.__init__)
    names = {n for n, p in sig.parameters.items() if n != "self" and p.kind is not inspect.Parameter.VAR_KEYWORD}
    extra = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in sig.parameters.values())
    return names, extra


def _build(kind: str, classes: dict[str, type], spec: dict[str, Any]) -> Any:
    if not isinstance(spec, dict) or "type" not in spec:
        raise PyfameTypeError(f"a {kind} must be a mapping with a 'type' key, got {spec!r}")
    name = spec["type"]
    if name not in classes:
        raise PyfameValueError(f"unknown {kind} type {name!r}; known: {', '.join(sorted(classes))}")
    cls = classes[name]
    args = {k: v for k, v in spec.items() if k != "type"}
    names, extra = accepted_parameters(cls)
    unknown = sorted(set(args) - names)
    if unknown and not extra:
        raise PyfameValueError(f"{name} has no parameter {unknown[0]!r}; it takes {', '.join(sorted(names))}")
    return cls(**args)


def build_layer(spec: dict[str, Any]) -> Layer:
    """A layer from ``{"type": name, **parameters}``.

    Examples
    --------
    >>> build_layer({"type": "color_shift", "shift_color": "green"}).shift_color
    'green'
    """
    return _build("layer", layer_classes(), spec)


def build_probe(spec: dict[str, Any]) -> Probe:
    """A probe from ``{"type": name, **parameters}``."""
    return _build("probe", probe_classes(), spec)


def layer_spec(layer: Layer) -> dict[str, Any]:
    """The spec that :func:`build_layer` turns back into an equal layer (from its params)."""
    from pyfame.hashing import to_jsonable

    params = dict(to_jsonable(layer.params()))
    timing_kwargs = params.pop("timing_kwargs", None) or {}
    params.update(timing_kwargs)
    if layer.name == "optical_flow":
        params.pop("probe", None)
    return {"type": layer.name, **params}


def probe_spec(probe: Probe) -> dict[str, Any]:
    """The spec of a probe (for probes of :func:`probe_classes`)."""
    from pyfame.hashing import to_jsonable

    return {"type": probe.name, **to_jsonable(probe.params())}


def rebuildable(spec: dict[str, Any]) -> str | None:
    """None if :func:`build_layer` can rebuild ``spec``; otherwise why not."""
    if spec.get("type") not in layer_classes():
        return f"layer type {spec.get('type')!r} is not one PyFAME ships"
    timing = spec.get("timing_func")
    if isinstance(timing, str) and timing not in ("constant", "linear", "sigmoid", "gaussian"):
        return f"the timing function {timing!r} is a custom callable"
    return None
