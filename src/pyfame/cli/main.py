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


class _Group(click.Group):
    """Turns PyFAME's errors into one clear line and exit code 2."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except PyfameError as exc:
            click.echo(f"pyfame: error: {type(exc).__name__}: {exc}", err=True)
            sys.exit(2)


@click.group(cls=_Group)
@click.version_option(_version(), prog_name="pyfame")
@click.option("-q", "--quiet", is_flag=True, help="No progress bars, warnings only.")
@click.option("-v", "--verbose", is_flag=True, help="Log every step (per-frame face misses too).")
@click.pass_context
def main(ctx: click.Context, quiet: bool, verbose: bool) -> None:
    """PyFAME: the Python Facial Analysis and Manipulation Environment."""
    _stop_cleanly_on_sigterm()
    level = logging.INFO if verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    ctx.obj = {"progress": not quiet}


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
        from pyfame.pipeline.file_pass import run_file
        from pyfame.pipeline.run_options import RunOptions

        try:
            r = run_file(file, None, [], [], RunOptions(progress=ctx.obj["progress"]), "info", track=True)
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
@click.pass_context
def landmarks(ctx: click.Context, file: Path, output: Path, num_faces: int, blendshapes: bool, head_pose: bool) -> None:
    """Per-frame table of the 478 landmarks (pixels and normalised) of FILE."""
    from pyfame.core.analysis.landmark_probe import landmark_table, write_table
    from pyfame.errors import PyfameValueError
    from pyfame.face.tracker_settings import TrackerSettings

    if output.suffix.lower() not in (".csv", ".parquet"):
        raise PyfameValueError(f"--output: {output} must end in .csv or .parquet")
    if output.resolve() == file.resolve():
        raise PyfameValueError(f"--output: {output} is the input file")
    table = landmark_table(
        file,
        tracker=TrackerSettings(num_faces=num_faces, blendshapes=blendshapes, head_pose=head_pose),
        progress=ctx.obj["progress"],
    )
    write_table(table, output)
    click.echo(f"{len(table)} rows → {output}")


if __name__ == "__main__":  # pragma: no cover
    main()
