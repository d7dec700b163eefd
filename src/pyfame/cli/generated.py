"""One command per registered layer, probe and frame plan, made from its declaration.

``pyfame color-shift IN OUT --shift-color red --shift-magnitude 8`` runs the layer
``color_shift`` over a file or folder into ``OUT/<its subfolder>/``, with the options of its
declared parameters and of the run settings that apply to what the class declares it does
(``does``: encoding only where video is written, table options only where tables are,
tracking options only where faces are tracked, ``--with-sub-dirs`` only where folders are
walked; :meth:`~pyfame.pipeline.run_options.RunSettings.applying_to`). A plugin's layer gets its command the same
way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from pyfame.cli.param_options import given, make_option
from pyfame.cli.reporting import report
from pyfame.pipeline.layer import Configurable, FramePlan, Layer, Probe
from pyfame.pipeline.run_options import RunSettings


def command_name(cls: type[Configurable]) -> str:
    """``color_shift`` → ``color-shift``."""
    return cls.name.replace("_", "-")


def _summary(cls: type[Configurable]) -> str:
    doc = (cls.__doc__ or "").strip().split("\n\n")[0]
    return " ".join(doc.split()).replace("``", "")


def build_command(cls: type[Configurable], name: str | None = None) -> click.Command:
    """The command of ``cls`` (under ``name``, default its own)."""
    applying = RunSettings.applying_to(cls)  # what the class declares it does decides the options shown
    run_names = [n for n in applying if RunSettings.parameters[n].cli]

    from pyfame.pipeline.operation import Operation

    is_operation = issubclass(cls, Operation)
    leading = cls.inputs if is_operation else ("input_path",)  # type: ignore[attr-defined]

    def callback(output_dir: Path, **values: Any) -> None:
        ctx = click.get_current_context()
        sources = {name: values.pop(name) for name in leading}
        no_cache = values.pop("no_cache", False)
        chosen = given(values)
        class_args = {k: v for k, v in chosen.items() if k in cls.parameters}
        run_args = {k: v for k, v in chosen.items() if k in RunSettings.parameters}
        run_args["progress"] = ctx.obj["progress"]
        if no_cache:
            run_args["landmark_cache"] = False
        output_dir.mkdir(parents=True, exist_ok=True)
        obj = cls(**class_args)
        if is_operation:
            from pyfame.pipeline.operation import run_operation

            report(run_operation(obj, sources, output_dir, RunSettings(**run_args)))  # type: ignore[arg-type]
        else:
            report(run_declared(obj, sources["input_path"], output_dir, RunSettings(**run_args)))

    params: list[click.Parameter] = [click.Argument([name], type=click.Path(path_type=Path)) for name in leading]
    params.append(click.Argument(["output_dir"], type=click.Path(path_type=Path)))
    command = click.Command(name or command_name(cls), callback=callback, params=params,
                            help=f"{_summary(cls)}\n\nWrites OUTPUT_DIR/{cls.subfolder}/ (created if missing).",
                            context_settings={"help_option_names": ["-h", "--help"]})
    options = [make_option(p) for p in cls.parameters.values() if p.cli]
    options += [make_option(RunSettings.parameters[n]) for n in run_names]
    if "landmark_cache" in applying:
        options.append(click.option("--no-cache", is_flag=True, help="Do not read or write the landmark cache."))
    for option in options:
        option(command)
    return command


def run_declared(obj: Configurable, input_path: Path, output_dir: Path, settings: RunSettings) -> list[Any]:
    """Run one declared object over ``input_path`` into its subfolder of ``output_dir``."""
    from pyfame.pipeline.apply_layers import run_work
    from pyfame.pipeline.file_pass import Work

    if isinstance(obj, Layer):
        return run_work(input_path, output_dir, Work([obj], [], None, obj.name), settings, subfolder=obj.subfolder,
                        tag=getattr(obj, "output_tag", ""))
    if isinstance(obj, Probe):
        return run_work(input_path, output_dir, Work([], [obj], None, obj.name), settings, subfolder=obj.subfolder,
                        media=False)
    assert isinstance(obj, FramePlan)
    return run_work(input_path, output_dir, Work([], [], obj, obj.name), settings, subfolder=obj.subfolder)


def generated_commands() -> dict[str, tuple[type[Configurable], str]]:
    """Command name → (class, its canonical name) for every registered class and alias."""
    from pyfame.pipeline.registry import registered

    out: dict[str, tuple[type[Configurable], str]] = {}
    for family in ("layer", "probe", "frame_plan", "operation"):
        for cls in registered(family).values():
            out[command_name(cls)] = (cls, command_name(cls))
            for alias in cls.cli_aliases:
                out.setdefault(alias, (cls, command_name(cls)))
    return out


__all__ = ["build_command", "command_name", "generated_commands", "run_declared"]
