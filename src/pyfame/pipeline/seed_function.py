"""The seed API's file-level functions, each a declared mapping onto its layer (or probe, or plan).

A seed function is written down as which class it runs, which of that class's parameters
its signature lists (in the seed overview's order, under the seed's names), and its
subfolder. Its signature, defaults, checks, docstring and the run itself all come from the
declarations (the class's :class:`~pyfame.pipeline.params.Param` objects and
:class:`~pyfame.pipeline.run_options.RunSettings`): nothing is repeated.

Examples
--------
>>> import pyfame.core as pf
>>> import inspect
>>> str(inspect.signature(pf.blur_face_region)).split(", with_sub_dirs")[0]
"(input_dir: str | os.PathLike[str], output_dir: str | os.PathLike[str], blur_method: str = 'gaussian', k_size: int = 15"
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pyfame.errors import PyfameTypeError, PyfameValueError
from pyfame.pipeline.layer import Configurable, FramePlan, Layer, Probe
from pyfame.pipeline.params import REQUIRED, Choice, Color, Optional, Param, closest
from pyfame.pipeline.run_options import RunSettings
from pyfame.validation import check_existing_path, check_output_dir

PATH_ANNOTATION = str | os.PathLike[str]
COLOR_ORDER = Param(Choice(("bgr", "rgb")), default="bgr", name="color_order",
                    help="Order of colour tuples: BGR, as the seed API documents, or RGB.")


@dataclass
class Variant:
    """One class a seed function may run, with the parameters the selector fixes."""

    cls: type[Configurable]
    fixed: dict[str, Any] = field(default_factory=dict)


def _is_color(param: Param) -> bool:
    kind = param.kind.kind if isinstance(param.kind, Optional) else param.kind
    return isinstance(kind, Color) and param.seed_color_order


def _shown(param: Param, value: Any) -> Any:
    """A default as users write it (``'face_skin'``, ``'linear'``, ``'black'``)."""
    try:
        return param.kind.to_data(param.kind.check(value, param.name))
    except Exception:  # a value the kind does not hold in data form: show it as it is
        return value


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except Exception:  # arrays and other values without a plain truth value
        return a is b


def _color_kind(param: Param) -> Color:
    kind = param.kind.kind if isinstance(param.kind, Optional) else param.kind
    assert isinstance(kind, Color)
    return kind


def _flip(value: Any) -> Any:
    """An RGB tuple as BGR and back; names, hex strings and None as they are."""
    if isinstance(value, (tuple, list)) and len(value) == 3:
        return tuple(reversed(list(value)))
    return value


class SeedFunction:
    """A seed function generated from its declaration (see the module docstring).

    Parameters
    ----------
    name : str
        The function's name.
    target : class or mapping
        The layer, probe or frame plan it runs; or, with ``selector``, a mapping from each
        selector value to a :class:`Variant` (or a class).
    signature : sequence of str
        The seed overview's positional parameters after ``input_dir`` and ``output_dir``:
        names (or seed names) of the class's parameters and of the run settings.
    summary : str
        First line(s) of the docstring.
    example : str
        The docstring's example call (``pf.`` prefixed).
    selector : Param, optional
        The parameter choosing among the variants (``scramble_method``).
    defaults : mapping
        The seed's own default where it differs in form from the class's (``[FACE_SKIN_PATH]``).
    timing_keywords : bool
        Take ``**timing_kwargs`` for a custom timing function.
    keywords : sequence of str
        Keyword-only parameters to list first, under these (seed-era) names (``rand_seed``).
    subfolder : str, optional
        Where it writes (default: the class's ``subfolder``).
    """

    def __init__(self, name: str, target: type[Configurable] | Mapping[str, Variant | type], *,
                 signature: Sequence[str], summary: str, example: str, selector: Param | None = None,
                 defaults: Mapping[str, Any] | None = None, timing_keywords: bool = False,
                 subfolder: str | None = None, module: str = "pyfame.core", keywords: Sequence[str] = ()) -> None:
        self.name = name
        if isinstance(target, Mapping):
            self.variants = {k: v if isinstance(v, Variant) else Variant(v) for k, v in target.items()}
        else:
            self.variants = {"": Variant(target)}
        if selector is not None and not selector.name:
            raise ValueError("the selector needs a name")
        self.selector = selector
        self.summary = summary
        self.example = example
        self.overrides = dict(defaults or {})
        self.timing_keywords = timing_keywords
        first = next(iter(self.variants.values())).cls
        self.subfolder = subfolder or first.subfolder
        self.module = module
        self.params = self._collect(signature, keywords)
        self._n_positional = len(signature)
        self._signature = self.signature()
        self.function = self._make()

    # ---- declaration ------------------------------------------------------------------------
    @property
    def leading(self) -> tuple[str, ...]:
        """The inputs before ``output_dir``: ``input_dir``, or an operation's own inputs."""
        from pyfame.pipeline.operation import Operation

        first = next(iter(self.variants.values())).cls
        return first.inputs if issubclass(first, Operation) else ("input_dir",)

    def _classes(self) -> list[type[Configurable]]:
        return list(dict.fromkeys(v.cls for v in self.variants.values()))

    def _produces(self) -> tuple[bool, bool]:
        """(writes media, writes tables)."""
        from pyfame.pipeline.operation import Operation

        media = any(issubclass(c, (Layer, FramePlan, Operation)) for c in self._classes())
        tables = any(issubclass(c, Probe) or "companion_probe" in vars(c) for c in self._classes())
        return media, tables

    @staticmethod
    def class_param(cls: type[Configurable], name: str) -> Param | None:
        """The parameter of ``cls`` a seed-facing name stands for, if it takes one."""
        for p in cls.parameters.values():
            if name in (p.name, p.seed_name):
                return p
        return None

    def _lookup(self, name: str) -> tuple[str, Param]:
        """(where, param) for a seed-facing name: where is "run", "class" or "selector"."""
        if self.selector is not None and name == self.selector.name:
            return "selector", self.selector
        if name == "color_order":
            return "color_order", COLOR_ORDER
        for cls in self._classes():
            for p in cls.parameters.values():
                if name in (p.name, p.seed_name):
                    return "class", p
        for p in RunSettings.parameters.values():
            if name in (p.name, p.seed_name):
                return "run", p
        raise ValueError(f"{self.name}: {name!r} is neither a parameter of {self._classes()} nor a run setting")

    def _collect(self, signature: Sequence[str], keywords: Sequence[str]) -> dict[str, tuple[str, Param]]:
        out: dict[str, tuple[str, Param]] = {}
        for name in (*signature, *keywords):
            out[name] = self._lookup(name)
        fixed = {k for v in self.variants.values() for k in v.fixed}
        if self.timing_keywords:
            fixed.add("timing_kwargs")  # the function's own **timing_kwargs
        taken = {p.name for _, p in out.values()}
        for cls in self._classes():
            for p in cls.parameters.values():
                key = p.seed_name or p.name
                if p.name not in taken and p.name not in fixed and key not in out:
                    out[key] = ("class", p)
                    taken.add(p.name)
        for key in RunSettings.applying_to(*self._classes()):
            p = RunSettings.parameters[key]
            if p.name not in out:  # also under its own name when the seed's name is listed (seed, rand_seed)
                out[p.name] = ("run", p)
                taken.add(p.name)
        if any(_is_color(p) for where, p in out.values() if where == "class"):
            out.setdefault("color_order", ("color_order", COLOR_ORDER))
        return out

    def _default(self, name: str, param: Param) -> Any:
        if name in self.overrides:
            return self.overrides[name]
        value = param.default  # the first variant's (variants may differ: each uses its own when not given)
        return _flip(value) if _is_color(param) else value

    def signature(self) -> inspect.Signature:
        """The function's signature: the seed's positional parameters, then keyword-only ones."""
        ann = PATH_ANNOTATION
        params = [inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=ann)
                  for name in (*self.leading, "output_dir")]
        for i, (name, (_where, p)) in enumerate(self.params.items()):
            kind = inspect.Parameter.POSITIONAL_OR_KEYWORD if i < self._n_positional else inspect.Parameter.KEYWORD_ONLY
            default = self._default(name, p)
            params.append(inspect.Parameter(name, kind, default=inspect.Parameter.empty if default is REQUIRED
                                            else default, annotation=p.kind.annotation))
        if self.timing_keywords:
            params.append(inspect.Parameter("timing_kwargs", inspect.Parameter.VAR_KEYWORD, annotation=Any))
        from pyfame.pipeline.file_pass import FileResult

        return inspect.Signature(params, return_annotation=list[FileResult])

    # ---- the function -----------------------------------------------------------------------
    def _make(self) -> Callable[..., Any]:
        spec = self

        def seed_function(*args: Any, **kwargs: Any) -> Any:
            return spec.call(*args, **kwargs)

        seed_function.__name__ = seed_function.__qualname__ = self.name
        seed_function.__module__ = self.module
        seed_function.__signature__ = self._signature  # type: ignore[attr-defined]
        seed_function.__doc__ = self.docstring()
        seed_function.declaration = self  # type: ignore[attr-defined]
        return seed_function

    def call(self, *args: Any, **kwargs: Any) -> Any:
        from pyfame.pipeline.apply_layers import run_work
        from pyfame.pipeline.file_pass import Work

        try:
            bound = self._signature.bind(*args, **kwargs)
        except TypeError as exc:
            raise PyfameTypeError(f"{self.name}(): {exc}") from exc
        given = set(bound.arguments)
        bound.apply_defaults()
        values = dict(bound.arguments)
        for name in self.leading:
            if isinstance(values[name], (str, os.PathLike)):
                check_existing_path(values[name], name)
        check_output_dir(values["output_dir"], "output_dir")
        timing = values.pop("timing_kwargs", {}) if self.timing_keywords else {}
        order = COLOR_ORDER.check(values.get("color_order", "bgr"))
        variant = self.variants[""] if self.selector is None else None
        if self.selector is not None:
            chosen = self.selector.check(values[self.selector.name])
            variant = self.variants[chosen]
        assert variant is not None
        class_args: dict[str, Any] = dict(variant.fixed)
        run_args: dict[str, Any] = {}
        explicit_run: dict[str, str] = {}
        for name, (where, p) in self.params.items():
            value = values[name]
            if where == "run":
                p.kind.check(value, name)  # an error names the parameter as the caller wrote it
                if p.name in run_args and name in given and p.name in explicit_run and \
                        not _same(run_args[p.name], value):
                    raise PyfameTypeError(f"{self.name}(): {name} and {explicit_run[p.name]} are the same "
                                          "setting; give one", param=name)
                if p.name not in run_args or name in given:
                    run_args[p.name] = value
                if name in given:
                    explicit_run[p.name] = name
            elif where == "class":
                mine = self.class_param(variant.cls, name)
                explicit = name in given or name in self.overrides
                if mine is not None and mine.name not in variant.fixed and explicit:
                    if order == "bgr" and _is_color(mine) and value is not None:
                        # checked as the caller wrote it: errors say B, G, R and the caller's index
                        value = _color_kind(mine).check(value, name, order="bgr")
                    if name != mine.name:
                        mine.kind.check(value, name)  # an error names the seed's name for it
                    class_args[mine.name] = value
                elif mine is None and name in given and not _same(value, self._signature.parameters[name].default):
                    raise PyfameValueError(f"{self.name}: {name} does not apply to {self.selector.name}="
                                           f"{values[self.selector.name]!r}", param=name)  # type: ignore[union-attr]
            elif where == "selector" and p.name in variant.cls.parameters:
                class_args[p.name] = value
        if timing:
            class_args["timing_kwargs"] = {**class_args.get("timing_kwargs", {}), **timing}
        settings = RunSettings(**run_args)
        try:
            obj = variant.cls(**class_args)
        except PyfameTypeError as exc:
            if exc.param in timing:  # a keyword neither the function nor its timing function takes
                known = ", ".join(n for n in self._signature.parameters if n != "timing_kwargs")
                guess = closest(exc.param, self._signature.parameters)
                hint = f" (did you mean {guess!r}?)" if guess else ""
                raise PyfameTypeError(
                    f"{self.name}() has no parameter {exc.param!r}{hint}; its extra keywords go to the timing "
                    f"function, and {exc}. {self.name}() takes {known}", param=exc.param) from exc
            raise
        operation = self.name
        from pyfame.pipeline.operation import Operation, run_operation

        if isinstance(obj, Operation):
            return run_operation(obj, {n: values[n] for n in self.leading}, values["output_dir"], settings,
                                 subfolder=self.subfolder)
        if isinstance(obj, Layer):
            work = Work([obj], [], None, operation)
            return run_work(values["input_dir"], values["output_dir"], work, settings, subfolder=self.subfolder,
                            tag=getattr(obj, "output_tag", ""))
        if isinstance(obj, Probe):
            return run_work(values["input_dir"], values["output_dir"], Work([], [obj], None, operation), settings,
                            subfolder=self.subfolder, media=False)
        work = Work([], [], obj, operation)  # type: ignore[arg-type]
        return run_work(values["input_dir"], values["output_dir"], work, settings, subfolder=self.subfolder)

    # ---- documentation ----------------------------------------------------------------------
    def docstring(self) -> str:
        """A NumPy-style docstring from the declarations."""
        from pyfame.pipeline.operation import Operation

        media, tables = self._produces()
        operation = any(issubclass(c, Operation) for c in self._classes())
        made = ("one output and one JSON sidecar per input" if media else "one table and its sidecar per input")
        if media and tables:
            made += ", with each table beside its output"
        where = (f"Writes to ``output_dir/{self.subfolder}/`` (the outputs of the whole set, each with a JSON "
                 "sidecar recording every input)" if operation else
                 f"Writes to ``output_dir/{self.subfolder}/`` ({made}; nested folders mirrored with "
                 "``with_sub_dirs=True``)")
        returned = ("    One per output (``result.skipped`` when the same request made them before); an error "
                    "is raised before anything is written." if operation else
                    "    One per input, in order (``result.skipped`` for outputs already made by the same "
                    "request). A folder run goes on past a failing file (``result.error``); a single file's "
                    "error is raised.")
        lines = [self.summary.strip(), "",
                 f"{where}. Every argument is checked before any work.", "",
                 "Parameters", "----------",
                 *(line for name in self.leading for line in (
                     f"{name} : str or Path", "    An image or video, or a folder of them."
                     if name == "input_dir" else "    An input (a file, or a folder of them).")),
                 "output_dir : str or Path", "    An existing folder."]
        for name, (where, p) in self.params.items():
            default = self._signature.parameters[name].default
            shown = "" if default is inspect.Parameter.empty else f", default {_shown(p, default)!r}"
            bgr = _is_color(p) and where == "class"
            described = _color_kind(p).describe("bgr") if bgr else p.kind.describe()
            if bgr and isinstance(p.kind, Optional):
                described = f"{described}, or none"
            lines.append(f"{name} : {described}{shown}")
            text = p.help + (f" Unit: {p.unit}." if p.unit else "")
            if bgr:
                text += " B, G, R order unless ``color_order='rgb'`` (names and '#rrggbb' are unambiguous)."
            lines.append(f"    {text.strip()}")
        if self.timing_keywords:
            lines += ["**timing_kwargs", "    Further keyword arguments of a custom timing function."]
        lines += ["", "Returns", "-------", "list of FileResult", returned,
                  "", "Examples", "--------", ">>> import pyfame.core as pf", f">>> # pf.{self.example}"]
        return "\n".join(lines) + "\n"


def seed_function(name: str, target: type[Configurable] | Mapping[str, Variant | type], *,
                  signature: Sequence[str], summary: str, example: str, selector: Param | None = None,
                  defaults: Mapping[str, Any] | None = None, timing_keywords: bool = False,
                  subfolder: str | None = None, module: str = "pyfame.core",
                  keywords: Sequence[str] = ()) -> Callable[..., Any]:
    """Declare a seed function (see :class:`SeedFunction`) and return the function."""
    return SeedFunction(name, target, signature=signature, summary=summary, example=example, selector=selector,
                        defaults=defaults, timing_keywords=timing_keywords, subfolder=subfolder,
                        module=module, keywords=keywords).function


__all__ = ["SeedFunction", "Variant", "seed_function"]
