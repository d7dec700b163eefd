"""``pyfame layers`` (what is registered, with every parameter), ``pyfame schema`` (the experiment
file's JSON Schema, from the same declarations) and ``pyfame apply`` (a stack)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from pyfame.cli.main import main
from pyfame.cli.param_options import given, make_option
from pyfame.cli.reporting import report
from pyfame.errors import PyfameValueError
from pyfame.pipeline.params import REQUIRED
from pyfame.pipeline.run_options import RunSettings


def describe_class(cls: Any) -> list[str]:
    """Lines describing a registered class and its parameters."""
    doc = " ".join(((cls.__doc__ or "").strip().split("\n\n")[0]).split())
    lines = [f"{cls.name} ({cls.family.replace('_', ' ')}): {doc}",
             f"  command: pyfame {cls.name.replace('_', '-')} IN OUT   writes: OUT/{cls.subfolder}/"]
    for p in cls.parameters.values():
        default = "required" if p.default is REQUIRED else f"default {p.default_data()!r}"
        unit = f" [{p.unit}]" if p.unit else ""
        lines.append(f"  {p.name:24s} {p.kind.describe()}{unit}; {default}")
        if p.help:
            lines.append(f"  {'':24s} {p.help}")
    return lines


@main.command("layers")
@click.argument("name", required=False)
def layers(name: str | None) -> None:
    """List every registered layer, probe and frame plan (plugins too) with its parameters,
    types, defaults and units; with NAME, show that one."""
    from pyfame.pipeline.registry import lookup, registered

    if name:
        for line in describe_class(lookup(name.replace("-", "_"))):
            click.echo(line)
        return
    for family in ("layer", "probe", "frame_plan", "operation"):
        classes = registered(family)
        click.echo(f"{family.replace('_', ' ')}s ({len(classes)}):")
        for cls in classes.values():
            for line in list_lines(cls):
                click.echo(line)


@main.command("schema")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the schema to this file (default: print it).")
def schema(output: Path | None) -> None:
    """Print the JSON Schema of experiment files: every registered layer, probe, frame plan and
    operation (plugins too) with its parameters, types, bounds, choices, defaults and units.

    Editors validate and complete experiment files with it (VS Code's YAML extension: a
    ``# yaml-language-server: $schema=experiment.schema.json`` line at the top of the file).
    """
    from pyfame.pipeline.schema import schema_json

    text = schema_json()
    if output is None:
        click.echo(text, nl=False)
        return
    from pyfame.io.atomic_write import atomic_output

    output.parent.mkdir(parents=True, exist_ok=True)
    with atomic_output(output) as tmp:
        tmp.write_text(text, encoding="utf-8")
    click.echo(f"schema: {output}", err=True)


def short_type(kind: Any, width: int = 38) -> str:
    """A parameter's type in a few characters for the list view: ``number in [0, 1]``,
    ``'gaussian'|'median'``, ``face regions``; ``or none`` when optional.

    Examples
    --------
    >>> from pyfame.pipeline.params import Choice, Number, Optional
    >>> short_type(Number(0.0, 1.0)), short_type(Optional(Choice(("a", "b"))))
    ('number in [0.0, 1.0]', "'a'|'b' or none")
    """
    from pyfame.pipeline.params import Choice, Integer, Number, Optional

    if isinstance(kind, Optional):
        return short_type(kind.kind, width - 8) + " or none"
    if isinstance(kind, Choice):
        text = "|".join(repr(n) for n in kind.names)
    elif isinstance(kind, (Number, Integer)):
        text = kind.describe()
    else:  # the words before any explanation in brackets
        text = kind.describe().split(" (")[0]
    return text if len(text) <= width else text[:width - 1] + "…"


def list_lines(cls: Any) -> list[str]:
    """A registered class in the list view: its name and summary, then one line per
    parameter: name, type, default and unit."""
    doc = " ".join(((cls.__doc__ or "").strip().split("\n\n")[0]).split())
    doc = doc if len(doc) <= 90 else doc[:89] + "…"
    lines = [f"  {cls.name:24s} {doc}"]
    for p in cls.parameters.values():
        default = "required" if p.default is REQUIRED else f"= {p.default_data()!r}"
        unit = f"  [{p.unit}]" if p.unit else ""
        lines.append(f"      {p.name:22s} {short_type(p.kind):38s} {default}{unit}")
    return lines


def parse_spec(text: str, family: str) -> dict[str, Any]:
    """``color_shift:shift_color=red:shift_magnitude=8`` → a spec with parsed values."""
    from pyfame.pipeline.registry import lookup

    name, _, rest = text.partition(":")
    cls = lookup(name.strip().replace("-", "_"), family)
    parts: list[str] = []
    for piece in rest.split(":") if rest else []:
        if "=" in piece or not parts:
            parts.append(piece)
        else:  # a value that itself holds ':' (a custom region "loop:1-2-3")
            parts[-1] += ":" + piece
    spec: dict[str, Any] = {"type": cls.name}
    for part in parts:
        key, eq, value = part.partition("=")
        key = key.strip().replace("-", "_")
        if not eq:
            raise PyfameValueError(f"--{family.replace('_', '-')} {text!r}: {part!r} is not NAME=VALUE", param=key)
        param = cls.parameters.get(key)
        if param is None:
            from pyfame.pipeline.layer import unknown_parameter

            raise unknown_parameter(cls, key)
        spec[key] = param.kind.parse(value, key)
    return spec


@main.command("apply")
@click.argument("input_path", type=click.Path(path_type=Path))
@click.argument("output_dir", type=click.Path(path_type=Path))
@click.option("--layer", "layer_specs", multiple=True,
              help="A layer and its parameters: NAME:PARAM=VALUE:PARAM=VALUE (repeat; applied in order).")
@click.option("--probe", "probe_specs", multiple=True, help="A probe: NAME:PARAM=VALUE (repeat).")
@click.option("--frame-plan", "plan_spec", default=None, help="A frame plan: NAME:PARAM=VALUE.")
@click.option("--subfolder", default=None, help="Write into OUTPUT_DIR/SUBFOLDER.")
@click.option("--seed", type=int, default=None)
@click.option("--workers", type=int, default=None)
@click.option("--overwrite", is_flag=True, help="Replace outputs made with other parameters.")
@click.option("--with-sub-dirs", is_flag=True)
@make_option(RunSettings.parameters["table_format"])  # the probes' tables: the run setting's own option
@make_option(RunSettings.parameters["plot"])
@click.pass_context
def apply(ctx: click.Context, input_path: Path, output_dir: Path, layer_specs: tuple[str, ...],
          probe_specs: tuple[str, ...], plan_spec: str | None, subfolder: str | None, **run: Any) -> None:
    """Run a stack of layers (and probes, and a frame plan) in one pass per file."""
    from pyfame.pipeline.apply_layers import apply_layers
    from pyfame.pipeline.registry import build

    if not layer_specs and not probe_specs and not plan_spec:
        raise click.UsageError("give at least one --layer, --probe or --frame-plan")
    layers = [build(parse_spec(t, "layer"), "layer") for t in layer_specs]
    probes = [build(parse_spec(t, "probe"), "probe") for t in probe_specs]
    plan = build(parse_spec(plan_spec, "frame_plan"), "frame_plan") if plan_spec else None
    output_dir.mkdir(parents=True, exist_ok=True)
    report(apply_layers(input_path, output_dir, layers, probes, subfolder=subfolder, frame_plan=plan,
                        progress=ctx.obj["progress"], **{k: v for k, v in given(run).items() if v is not None}))
