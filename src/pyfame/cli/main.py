"""The ``pyfame`` command line."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from pyfame.errors import PyfameError


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pyfame")
    except PackageNotFoundError:
        return "unknown"


CONTEXT = {"help_option_names": ["-h", "--help"]}


def _verbosity(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    """``-q`` / ``-v`` work before and after the subcommand (``pyfame demo out -q``)."""
    if value:
        root = ctx.find_root()
        root.ensure_object(dict)
        if param.name == "quiet":
            root.obj["progress"] = False
        else:
            logging.getLogger().setLevel(logging.INFO)
            logging.getLogger("pyfame").setLevel(logging.INFO)
    return value


def verbosity_options(command: click.Command) -> click.Command:
    """Add ``-q/--quiet`` and ``-v/--verbose`` to a subcommand."""
    for decls, help_text in ((("-q", "--quiet"), "No progress bars, warnings only."),
                             (("-v", "--verbose"), "Log every step (per-frame face misses too).")):
        command.params.append(click.Option(list(decls), is_flag=True, expose_value=False, is_eager=True,
                                           callback=_verbosity, help=help_text))
    command.context_settings = {**CONTEXT, **(command.context_settings or {})}
    return command


class _Group(click.Group):
    """The commands written here plus one per registered layer, probe and frame plan (made
    when asked for); PyFAME's errors become one clear line and exit code 2."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        from pyfame.cli.generated import generated_commands

        return sorted(set(super().list_commands(ctx)) | set(generated_commands()))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None:
            from pyfame.cli.generated import build_command, generated_commands

            found = generated_commands().get(cmd_name)
            if found is None:
                return None
            command = build_command(found[0], cmd_name)
        return verbosity_options(command) if not any(p.name == "quiet" for p in command.params) else command

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except PyfameError as exc:
            click.echo(f"pyfame: error: {type(exc).__name__}: {exc}", err=True)
            sys.exit(2)


@click.group(cls=_Group, context_settings=CONTEXT)
@click.version_option(_version(), "--version", prog_name="pyfame")
@click.option("-q", "--quiet", is_flag=True, help="No progress bars, warnings only.")
@click.option("-v", "--verbose", is_flag=True, help="Log every step (per-frame face misses too).")
@click.pass_context
def main(ctx: click.Context, quiet: bool, verbose: bool) -> None:
    """PyFAME: the Python Facial Analysis and Manipulation Environment.

    Every layer, probe and frame plan is a command (see `pyfame layers`); colours on the
    command line are R,G,B (or a name, or #rrggbb).
    """
    _stop_cleanly_on_sigterm()
    level = logging.INFO if verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    ctx.ensure_object(dict)
    ctx.obj.setdefault("progress", not quiet)
    if quiet:
        ctx.obj["progress"] = False


def _stop_cleanly_on_sigterm() -> None:
    """Make SIGTERM (a job scheduler's stop, ``kill``) unwind like Ctrl-C, so temporary
    files are removed and no partial output is left."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupt)


@main.command()
@click.argument("output_dir", required=False, default="pyfame-demo", type=click.Path(file_okay=False, path_type=Path))
@click.pass_context
def demo(ctx: click.Context, output_dir: Path) -> None:
    """Make a sample face video and still, manipulate them, and say where they are."""
    from pyfame.demo import run_demo

    made = run_demo(output_dir, progress=ctx.obj["progress"])
    for name, path in made.items():
        click.echo(f"{name:12s} {path}")


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--no-faces", is_flag=True, help="Media facts only; skip face tracking.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def info(ctx: click.Context, file: Path, no_faces: bool, as_json: bool) -> None:
    """Media facts of FILE and how many of its frames have a face."""
    from pyfame.io.media_info import media_info

    facts = dict(media_info(file))
    if not no_faces:
        from pyfame.errors import FaceNotFoundError
        from pyfame.pipeline.file_pass import Targets, Work, run_file
        from pyfame.pipeline.run_options import RunOptions

        try:
            r = run_file(file, Targets(), Work(operation="info", track=True), RunOptions(progress=ctx.obj["progress"]))
            facts["frames_decoded"] = r.frames
            facts["frames_with_face"] = r.frames_with_face
            facts["frames_without_face"] = len(r.frames_without_face)
        except FaceNotFoundError:
            facts["frames_with_face"] = 0
    if as_json:
        click.echo(json.dumps({k: (str(v) if not isinstance(v, (int, float, bool, type(None))) else v) for k, v in facts.items()}, indent=2))
    else:
        for k, v in facts.items():
            click.echo(f"{k:20s} {v}")


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="OUT.csv or OUT.parquet")
@click.option("--num-faces", default=1, show_default=True, type=int)
@click.option("--blendshapes", is_flag=True, help="Add the 52 blendshape scores.")
@click.option("--head-pose", is_flag=True, help="Add yaw, pitch, roll (degrees) and translation.")
@click.option("--overwrite", is_flag=True, help="Replace OUTPUT if it exists.")
@click.option("--layout", type=click.Choice(["wide", "long"]), default="wide", show_default=True,
              help="One row per frame and face, or per frame, face and landmark.")
@click.option("--columns", type=click.Choice(["pyfame", "openface"]), default="pyfame", show_default=True,
              help="Column names: PyFAME's, or OpenFace's (face_id, timestamp, confidence, success, x_0).")
@click.pass_context
def landmarks(ctx: click.Context, file: Path, output: Path, num_faces: int, blendshapes: bool, head_pose: bool,
              overwrite: bool, layout: str, columns: str) -> None:
    """Per-frame table of the 478 landmarks (pixels and normalised) of FILE."""
    from pyfame.core.analysis.landmark_probe import LandmarkProbe, landmark_table
    from pyfame.errors import PyfameValueError
    from pyfame.face.tracker_settings import TrackerSettings
    from pyfame.io.table_sink import write_table

    from pyfame.pipeline.output_policy import claim_output

    if output.suffix.lower() not in (".csv", ".parquet"):
        raise PyfameValueError(f"--output: {output} must end in .csv or .parquet", param="output")
    claim_output(output, output.parent, inputs=[file], overwrite=overwrite, param="output")  # before any work
    probe = LandmarkProbe(blendshapes=blendshapes, head_pose=head_pose, layout=layout, columns=columns)
    table = landmark_table(file, probe,
                           tracker=TrackerSettings(num_faces=num_faces), progress=ctx.obj["progress"])
    output.parent.mkdir(parents=True, exist_ok=True)
    write_table(table, output)
    click.echo(f"{len(table)} rows → {output}")


if __name__ == "__main__":  # pragma: no cover
    main()
