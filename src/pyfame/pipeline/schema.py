"""The JSON Schema of experiment files, made from the registry's declarations.

Every registered layer, probe, frame plan and operation (plugins too) becomes a definition
whose properties are its declared parameters: type, bounds or choices (each
:class:`~pyfame.pipeline.params.Kind`'s :meth:`~pyfame.pipeline.params.Kind.schema`),
default, and the help text and unit as the description. The file's own sections (tracking,
encoding, executor, limits, ...) come from :class:`~pyfame.pipeline.run_options.RunSettings`
and the experiment's keys. Nothing is listed by hand: a new layer is in the schema when it is
registered. ``pyfame schema`` writes it (editors such as VS Code validate and complete YAML
with it); ``docs/experiments.md`` says how to use it.

The schema checks the canonical spelling of choices (``"salt and pepper"`` or
``"salt_and_pepper"``, the seed's integer constants) and numbers within their declared bounds;
:class:`~pyfame.experiment.Experiment` stays the authority (it also accepts other letter cases,
and checks what a schema cannot: files that exist, cross-parameter rules).

Examples
--------
>>> schema = experiment_schema()
>>> schema["$defs"]["operation.align_faces"]["properties"]["eye_y"]["maximum"]
1.0
>>> sorted(schema["required"])
['inputs', 'output_dir']
"""

from __future__ import annotations

import json
from typing import Any

from pyfame.pipeline.params import REQUIRED, Choice, Kind, Optional, Param

DIALECT = "https://json-schema.org/draft/2020-12/schema"
#: A condition's layer parameter may be a ``"{factor}"`` placeholder, replaced by the factor's
#: value from ``vary``.
PLACEHOLDER = {"type": "string", "pattern": r"^\{[A-Za-z_][A-Za-z0-9_]*\}$",
               "description": "A factor of the condition's vary, as {name}."}


def kind_schema(kind: Kind) -> dict[str, Any]:
    """The schema of a parameter's data form (:meth:`Kind.schema`), with the spellings a
    :class:`Choice` also accepts (underscores or hyphens for spaces, the seed's integer
    constants).

    Examples
    --------
    >>> kind_schema(Choice(("salt and pepper", "gaussian")))["enum"]
    ['salt and pepper', 'gaussian', 'salt_and_pepper', 'salt-and-pepper']
    >>> kind_schema(Optional(Choice(("a",))))
    {'anyOf': [{'type': 'null'}, {'enum': ['a']}]}
    """
    if isinstance(kind, Optional):
        return {"anyOf": [{"type": "null"}, kind_schema(kind.kind)]}
    if isinstance(kind, Choice):
        names = list(kind.names)
        names += [v for n in kind.names for v in (n.replace(" ", "_"), n.replace(" ", "-")) if v not in names]
        names = list(dict.fromkeys(names))
        constants = sorted(kind.options) if isinstance(kind.options, dict) else []
        return {"enum": names + constants}
    return dict(kind.schema())


def param_schema(param: Param, placeholders: bool = False) -> dict[str, Any]:
    """One declared parameter: its kind's schema, its default, and a description made of its
    help text and unit (``placeholders``: a ``"{factor}"`` string is accepted too)."""
    from pyfame.hashing import to_jsonable

    out = kind_schema(param.kind)
    if placeholders:
        out = {"anyOf": [out, PLACEHOLDER]}
    text = param.help.strip()
    if param.unit:
        text = f"{text} Unit: {param.unit}.".strip()
    if text:
        out["description"] = text
    if param.default is not REQUIRED:
        try:
            out["default"] = to_jsonable(param.default_data())
        except Exception:  # a default without a data form (a callable): documented by its help  # noqa: BLE001
            pass
    return out


def _summary(cls: type) -> str:
    doc = (cls.__doc__ or "").strip().split("\n\n")[0]
    return " ".join(doc.split())


def class_schema(cls: type, placeholders: bool = False) -> dict[str, Any]:
    """A registered class as an object schema: ``type`` (its name) and its declared parameters,
    nothing else; an operation also takes ``name`` (its folder) and its inputs."""
    props: dict[str, Any] = {"type": {"const": cls.name}}
    required = ["type"]
    for p in cls.parameters.values():  # type: ignore[attr-defined]
        props[p.name] = param_schema(p, placeholders)
        if p.default is REQUIRED:
            required.append(p.name)
    if cls.family == "operation":  # type: ignore[attr-defined]
        props["name"] = {"type": "string", "description": "The operation's folder under output_dir "
                                                          f"(default {cls.subfolder!r})."}  # type: ignore[attr-defined]
        for name in cls.inputs:  # type: ignore[attr-defined]
            props[name] = {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}, "minItems": 1}],
                           "description": f"Input {name!r}: a path or glob (or a list), relative to the file"
                                          + ("; default: the experiment's inputs." if len(cls.inputs) == 1  # type: ignore[attr-defined]
                                             else ".")}
            if len(cls.inputs) > 1:  # type: ignore[attr-defined]
                required.append(name)
    return {"type": "object", "title": cls.name, "description": _summary(cls), "properties": props,
            "required": required, "additionalProperties": False}


def _union(family: str) -> dict[str, Any]:
    """Any registered class of ``family``, chosen by its ``type`` (one ``if``/``then`` per class,
    so a validator reports the parameters of the class named, not of every class)."""
    from pyfame.pipeline.registry import registered

    names = sorted(registered(family))
    return {"type": "object", "required": ["type"], "properties": {"type": {"enum": names}},
            "allOf": [{"if": {"properties": {"type": {"const": n}}, "required": ["type"]},
                       "then": {"$ref": f"#/$defs/{family}.{n}"}} for n in names]}


def _settings(names: tuple[str, ...] | list[str]) -> dict[str, Any]:
    from pyfame.pipeline.run_options import RunSettings

    return {"type": "object", "additionalProperties": False,
            "properties": {n: param_schema(RunSettings.parameters[n]) for n in names}}


def experiment_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of an experiment file; see the module docstring."""
    from pyfame.experiment.experiment import DEFAULT_NAMING, ENCODING_KEYS, MAX_JOBS, TRACKING_KEYS
    from pyfame.pipeline.executors import EXECUTORS
    from pyfame.pipeline.registry import FAMILIES, registered
    from pyfame.pipeline.run_options import RunSettings

    defs: dict[str, Any] = {}
    for family in FAMILIES:
        for name, cls in sorted(registered(family).items()):
            defs[f"{family}.{name}"] = class_schema(cls, placeholders=family in ("layer", "frame_plan"))
    for family in FAMILIES:
        defs[family] = _union(family)
    paths = {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}, "minItems": 1}]}
    condition = {
        "type": "object", "required": ["name"], "additionalProperties": False,
        "properties": {
            "name": {"type": "string", "minLength": 1, "description": "The condition's folder name (no '/')."},
            "layers": {"type": "array", "items": {"$ref": "#/$defs/layer"},
                       "description": "Layers applied in order, in one pass per output."},
            "vary": {"type": "object", "additionalProperties": {"type": "array", "minItems": 1},
                     "description": "Factors: each maps to its values; every combination is a condition."},
            "frame_plan": {"$ref": "#/$defs/frame_plan"},
        },
    }
    executor = {
        "type": "object", "additionalProperties": False,
        "properties": {
            "type": {"enum": list(EXECUTORS), "description": "Where the jobs run (default: processes for more "
                                                            "than one output)."},
            "workers": {"type": "integer", "minimum": 1, "description": "Processes or Dask workers."},
            "scheduler": {"type": "string", "description": "A Dask scheduler address (implies type dask)."},
            "jobs": {"type": "integer", "minimum": 1, "description": "SLURM: batch jobs (implies type slurm)."},
            "cores": {"type": "integer", "minimum": 1, "description": "SLURM: cores per job."},
            "memory": {"type": "string", "description": "SLURM: memory per job, e.g. 16GB."},
            "walltime": {"type": "string", "description": "SLURM: time limit per job, e.g. 01:00:00."},
            "dashboard": {"type": "boolean", "description": "Start Dask's web dashboard."},
        },
    }
    properties = {
        "inputs": {**paths, "description": "Images and videos: paths, folders or globs, relative to the file."},
        "output_dir": {"type": "string", "description": "Where everything is written (created if missing)."},
        "seed": {"type": "integer", "minimum": 0, "default": 0,
                 "description": "Base seed; each (input, condition) derives its own."},
        "naming": {"type": "string", "default": DEFAULT_NAMING,
                   "description": "Output path template: {condition} and {stem}, and {ext}, {input_name}, {seed}."},
        "conditions": {"type": "array", "items": condition, "minItems": 1},
        "operations": {"type": "array", "items": {"$ref": "#/$defs/operation"},
                       "description": "Operations over the whole set, each into output_dir/<name>/."},
        "probes": {"type": "array", "items": {"$ref": "#/$defs/probe"},
                   "description": "Measurements of every output, as it is made."},
        "tracking": _settings(sorted(TRACKING_KEYS, key=list(RunSettings.parameters).index)),
        "encoding": _settings(sorted(ENCODING_KEYS, key=list(RunSettings.parameters).index)),
        "no_face": param_schema(RunSettings.parameters["no_face"]),
        "landmark_cache": {"anyOf": [{"type": "boolean"}, {"type": "string"}], "default": True,
                           "description": RunSettings.parameters["landmark_cache"].help},
        **{n: param_schema(RunSettings.parameters[n]) for n in ("allow_truncated", "max_pixels", "table_format")},
        "executor": executor,
        "limits": {"type": "object", "additionalProperties": False,
                   "properties": {"max_jobs": {"type": "integer", "minimum": 1, "default": MAX_JOBS,
                                               "description": "The most jobs the file may plan."}}},
    }
    return {
        "$schema": DIALECT,
        "title": "PyFAME experiment",
        "description": "An experiment file of `pyfame run`: inputs x conditions (layers), probes and operations.",
        "type": "object",
        "required": ["inputs", "output_dir"],
        "anyOf": [{"required": ["conditions"]}, {"required": ["operations"]}],
        "properties": properties,
        "additionalProperties": False,
        "$defs": defs,
    }


def schema_json(indent: int = 2) -> str:
    """:func:`experiment_schema` as JSON text (keys in a fixed order, so the same registry
    gives the same text)."""
    return json.dumps(experiment_schema(), indent=indent, ensure_ascii=False) + "\n"


__all__ = ["PLACEHOLDER", "class_schema", "experiment_schema", "kind_schema", "param_schema", "schema_json"]
