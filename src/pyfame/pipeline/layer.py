"""Layers, probes and frame plans: each one class whose declared parameters drive the rest.

A subclass declares its parameters once, as :class:`~pyfame.pipeline.params.Param` class
attributes, and gets from the declaration: a constructor that checks every value (an error
names the parameter), ``params()`` for the sidecar, ``to_dict`` / ``from_dict``, a readable
``repr`` and an introspectable signature. A class with a ``name`` registers itself on
definition (:mod:`pyfame.pipeline.registry`), which puts it on the command line, in
experiment files and in ``pyfame verify`` with nothing else to edit.

Examples
--------
>>> import numpy as np
>>> from pyfame.pipeline.params import Param, Number
>>> class Darken(Layer, register=False):  # a real layer leaves out register=False
...     '''Scale every pixel by a factor.'''
...     name = "example_darken"
...     factor: float = Param(Number(0.0, 1.0), default=0.5, help="brightness kept")
...     needs_face = False
...     def apply(self, frame, faces, t, rng):
...         return (frame * self.factor).astype(np.uint8)
>>> layer = Darken(factor=0.25)
>>> layer
Darken(factor=0.25)
>>> int(layer.apply(np.full((1, 1, 3), 200, np.uint8), None, 0.0, None)[0, 0, 0])
50
>>> Darken.from_dict(layer.to_dict()).factor
0.25
>>> Darken(factr=0.1)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
pyfame.errors.PyfameTypeError: example_darken has no parameter 'factr' (did you mean 'factor'?)...
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar, dataclass_transform

import numpy as np

from pyfame.errors import PyfameTypeError, PyfameValueError
from pyfame.face.faces import Faces
from pyfame.pipeline.params import REQUIRED, Param, closest


@dataclass(frozen=True)
class SourceInfo:
    """What a layer or probe may know about the source before frames flow.

    Examples
    --------
    >>> SourceInfo("video", 640, 480, 30.0, 300, 10.0).duration
    10.0
    """

    kind: str
    width: int
    height: int
    fps: float | None
    frame_count: int
    duration: float


@dataclass_transform(field_specifiers=(Param,))
class Configurable:
    """Base of everything declared by its parameters (layers, probes, frame plans).

    Class attributes: ``name`` (registered under it; empty for abstract bases),
    ``parameters`` (the declared :class:`Param` objects by name, most-derived class first,
    filled in on definition), ``family`` (``"layer"``, ``"probe"`` or ``"frame_plan"``).
    Override :meth:`validate` for checks across parameters and :meth:`__post_init__` to
    set up private state.
    """

    name: ClassVar[str] = ""
    family: ClassVar[str] = ""
    parameters: ClassVar[dict[str, Param]] = {}
    #: Other command names kept for this class (older spellings).
    cli_aliases: ClassVar[tuple[str, ...]] = ()
    #: Works cited for this method (``pyfame methods`` lists them).
    references: ClassVar[tuple[str, ...]] = ()
    #: What a run of this class does, from which its command and seed-style function take the
    #: run settings that apply (:meth:`~pyfame.pipeline.run_options.RunSettings.applying_to`):
    #: ``"walks_folders"`` (takes a folder of media, ``with_sub_dirs``), ``"tracks"`` (finds
    #: faces: tracker thresholds, smoothing, the landmark cache), ``"per_file"`` (a pass over
    #: each file's frames: ``no_face``, ``image_format``), ``"reads_video"``
    #: (``allow_truncated``), ``"writes_video"`` (``crf``, ``preset``), ``"writes_tables"``
    #: (``table_format``) and ``"plots"`` (``plot``). Layers, probes and frame plans have
    #: theirs from their family; an operation declares its own.
    does: ClassVar[frozenset[str]] = frozenset()

    def __init_subclass__(cls, register: bool = True, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        params: dict[str, Param] = {}
        for klass in cls.__mro__:
            for key, value in vars(klass).items():
                if isinstance(value, Param) and key not in params:
                    params[key] = value if value.name == key else value.replace(name=key)
        cls.parameters = params
        cls.__signature__ = inspect.Signature([  # type: ignore[attr-defined]
            inspect.Parameter(p.name, inspect.Parameter.POSITIONAL_OR_KEYWORD,
                              default=inspect.Parameter.empty if p.default is REQUIRED else p.default,
                              annotation=p.kind.annotation)
            for p in params.values()])
        if "name" in vars(cls) and cls.name and not inspect.isabstract(cls):
            cls.__doc__ = documented(cls)
            if register:  # ``class Mine(Layer, register=False)`` keeps a one-off class off the registry
                from pyfame.pipeline.registry import register as record

                record(cls)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        names = list(self.parameters)
        if len(args) > len(names):
            raise PyfameTypeError(f"{self.name or type(self).__name__} takes at most {len(names)} positional "
                                  f"arguments ({', '.join(names)}), got {len(args)}")
        given = dict(zip(names, args))
        for key, value in kwargs.items():
            if key not in self.parameters:
                raise unknown_parameter(self, key)
            if key in given:
                raise PyfameTypeError(f"{self.name}: {key} given twice", param=key)
            given[key] = value
        for param in self.parameters.values():
            value = given[param.name] if param.name in given else param.default_value()
            if value is REQUIRED:
                raise PyfameTypeError(f"{self.name}: {param.name} is required", param=param.name)
            setattr(self, param.name, param.check(value))
        self.validate()
        self.__post_init__()

    def validate(self) -> None:
        """Checks across parameters (raise with ``param=`` naming the one to change)."""

    def __post_init__(self) -> None:
        """Set up private state after the parameters are checked."""

    def params(self) -> dict[str, Any]:
        """The parameters as plain data, in declaration order (the sidecar's record)."""
        return {p.name: p.kind.to_data(getattr(self, p.name)) for p in self.parameters.values()}

    def to_dict(self) -> dict[str, Any]:
        """``{"type": name, **params}``: what :meth:`from_dict` and experiment files take."""
        return {"type": self.name, **self.params()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Configurable:
        """Build from ``{"type": name, **params}`` (the registered class of that name; on a
        subclass, the type may be left out)."""
        from pyfame.pipeline.registry import build

        args = {k: v for k, v in data.items() if k != "type"}
        if cls.name and data.get("type", cls.name) == cls.name:
            for key in args:
                if key not in cls.parameters:
                    raise unknown_parameter(cls, key)
            return cls(**args)
        built = build(data, cls.family or None)
        if not isinstance(built, cls):
            raise PyfameValueError(f"{data.get('type')!r} is not a {cls.__name__}", param="type")
        return built

    def __repr__(self) -> str:
        shown = []
        for p in self.parameters.values():
            value = p.kind.to_data(getattr(self, p.name))
            if p.default is REQUIRED or value != p.default_data():
                shown.append(f"{p.name}={value!r}")
        return f"{type(self).__name__}({', '.join(shown)})"


def documented(cls: type[Configurable]) -> str:
    """``cls``'s docstring with a NumPy-style Parameters section made from its declarations
    (inserted before Examples; a docstring that has one of its own is left as it is)."""
    doc = inspect.cleandoc(cls.__doc__ or "")
    if "\nParameters\n----------" in "\n" + doc or not cls.parameters:
        return doc
    lines = ["Parameters", "----------"]
    for p in cls.parameters.values():
        default = "required" if p.default is REQUIRED else f"default {p.default_data()!r}"
        lines.append(f"{p.name} : {p.kind.describe()}, {default}")
        lines.append(f"    {p.help}" + (f" Unit: {p.unit}." if p.unit else ""))
    section = "\n".join(lines)
    head, sep, tail = doc.partition("\nExamples\n--------")
    return f"{head.rstrip()}\n\n{section}\n" + (f"{sep}{tail}" if sep else "")


def unknown_parameter(target: Configurable | type[Configurable], key: str) -> PyfameTypeError:
    """The error for a keyword ``target`` does not take, naming it and the likely intent."""
    names = list(target.parameters)
    guess = closest(key, names)
    hint = f" (did you mean {guess!r}?)" if guess else ""
    return PyfameTypeError(f"{target.name} has no parameter {key!r}{hint}; it takes {', '.join(names) or 'none'}",
                           param=key)


class Layer(Configurable, ABC):
    """One manipulation of a frame.

    A layer holds its parameters, never reads or writes files and never runs the tracker.
    Subclasses set ``name``, declare their parameters and implement :meth:`apply`; see the
    module docstring for a whole example.

    Class attributes: ``needs_face`` (False for layers that act on the whole frame and run
    when no face is found), ``subfolder`` (where its command and seed function write).
    """

    family: ClassVar[str] = "layer"
    does: ClassVar[frozenset[str]] = frozenset({"walks_folders", "tracks", "per_file", "reads_video", "writes_video"})
    needs_face: ClassVar[bool] = True
    subfolder: ClassVar[str] = "Output"
    #: Added to output names (``face_bubbles.png``) where layers share a subfolder, so that
    #: different manipulations never write the same file.
    output_tag: ClassVar[str] = ""

    def __init_subclass__(cls, register: bool = True, **kwargs: Any) -> None:
        super().__init_subclass__(register=register, **kwargs)
        if cls.companion_probe is not Layer.companion_probe and "does" not in vars(cls):
            cls.does = cls.does | {"writes_tables", "plots"}  # its companion probe's table beside the output

    def start(self, info: SourceInfo) -> None:
        """Called once before the first frame of each source."""

    @abstractmethod
    def apply(self, frame: np.ndarray, faces: Faces, t: float, rng: np.random.Generator) -> np.ndarray:
        """Return the changed RGB uint8 frame (may be ``frame`` itself, changed in place)."""

    def covered_regions(self) -> list[Any] | None:
        """The face regions the layer changes (its first region parameter), or None when it
        acts beyond them (the whole frame, or regions it moves)."""
        from pyfame.pipeline.params import Optional, Regions

        for p in self.parameters.values():
            kind = p.kind.kind if isinstance(p.kind, Optional) else p.kind
            if isinstance(kind, Regions):
                return getattr(self, p.name)
        return None

    def accepts(self, kind: str) -> str | None:
        """None if this layer can work on a ``kind`` ("image"/"video") source, else why not
        (checked before any work)."""
        return None

    def output_format(self) -> str | None:
        """An image format still outputs must have (``"png"`` for transparency), or None."""
        return None

    def companion_probe(self) -> Probe | None:
        """A probe that records what this layer computes (trajectories, flow), or None."""
        return None

    def alpha(self) -> np.ndarray | None:
        """An alpha channel (uint8, full frame) for the last frame, or None (opaque).

        Still outputs in a format with transparency (PNG, TIFF, WebP) get it written.
        """
        return None

    def draws(self) -> dict[str, Any]:
        """Random draws actually used (bubble centres, permutations), for the sidecar."""
        return {}


class Probe(Configurable, ABC):
    """One measurement per frame; rows become a table (one per probe and input).

    Examples
    --------
    >>> class MeanLevel(Probe):
    ...     def observe(self, frame, faces, t):
    ...         return [{"mean": float(frame.mean())}]
    >>> MeanLevel().observe(np.full((2, 2, 3), 7, np.uint8), None, 0.0)
    [{'mean': 7.0}]
    """

    family: ClassVar[str] = "probe"
    does: ClassVar[frozenset[str]] = frozenset({"walks_folders", "tracks", "per_file", "reads_video", "writes_tables",
                                                "plots"})
    subfolder: ClassVar[str] = "Tables"

    @property
    def table_name(self) -> str:
        """The table's name (files are ``STEM_<table_name>.csv`` beside a media output)."""
        return self.name

    def start(self, info: SourceInfo) -> None:
        """Called once before the first frame of each source; reset state here."""

    @abstractmethod
    def observe(self, frame: np.ndarray, faces: Faces, t: float) -> list[dict[str, Any]]:
        """Rows measured on this frame (may be empty)."""

    def finish(self) -> list[dict[str, Any]]:
        """Rows to add once the source has ended."""
        return []

    def to_table(self, rows: list[dict[str, Any]]) -> Any:
        """The rows as a pandas DataFrame (override for dtypes or another layout)."""
        import pandas as pd

        return pd.DataFrame(rows)

    def tracker_needs(self) -> dict[str, Any]:
        """Tracker settings this probe needs (``{"blendshapes": True}``), merged into the run's."""
        return {}


class FramePlan(Configurable, ABC):
    """A temporal transform: which input frame each output frame shows, decided before
    frames flow, so the rest stays one streaming pass.

    Examples
    --------
    >>> class Backwards(FramePlan):
    ...     def plan(self, n_frames, fps, rng):
    ...         return list(range(n_frames - 1, -1, -1))
    >>> Backwards().plan(3, 30.0, None)
    [2, 1, 0]
    """

    family: ClassVar[str] = "frame_plan"
    does: ClassVar[frozenset[str]] = frozenset({"walks_folders", "per_file", "reads_video", "writes_video"})
    subfolder: ClassVar[str] = "Reordered"
    #: Whether the input's audio goes with the reordered frames by default.
    keeps_audio: ClassVar[bool] = False

    @abstractmethod
    def plan(self, n_frames: int, fps: float, rng: np.random.Generator) -> list[int]:
        """Input frame index of each output frame."""

    def record(self) -> dict[str, Any]:
        """What the plan decided, for the sidecar (block order, frames per block, ...)."""
        return {}
