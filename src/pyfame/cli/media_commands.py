"""Commands that are not one declared class: ``scramble`` and ``pld`` (the seed functions'
short forms), ``shuffle``-free utilities ``transcode`` and ``moviefy``, and ``plot``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from pyfame.cli.main import main
from pyfame.cli.param_options import given, make_option
from pyfame.cli.reporting import report
from pyfame.pipeline.run_options import RunSettings

#: The encoding options, made from their declarations like every generated command's.
_ENCODING = [make_option(RunSettings.parameters[name]) for name, needs in RunSettings.APPLIES_IF.items()
             if needs == "writes_video"]


def _io(func: Any) -> Any:
    for option in reversed([
        click.argument("input_path", type=click.Path(path_type=Path)),
        click.argument("output_dir", type=click.Path(path_type=Path)),
        click.option("--with-sub-dirs", is_flag=True, help="Walk nested folders and mirror them."),
        click.option("--seed", type=int, default=None, help="Base seed (drawn and recorded if not given)."),
        click.option("--workers", type=int, default=None, help="Process that many files at once."),
        click.option("--overwrite", is_flag=True, help="Replace outputs made with other parameters."),
        *_ENCODING,
    ]):
        func = option(func)
    return func


def _run_keywords(ctx: click.Context, kw: dict[str, Any], output_dir: Path) -> dict[str, Any]:
    output_dir.mkdir(parents=True, exist_ok=True)
    return {"progress": ctx.obj["progress"], **{k: v for k, v in given(kw).items() if v is not None}}


@main.command("scramble")
@_io
@click.option("--method", type=click.Choice(["high", "low", "landmark", "phase"]), default="high", show_default=True,
              help="High- or low-level grid, landmark or phase scramble.")
@click.option("--square", type=int, default=None, help="Grid square size in pixels (grid).")
@click.option("--threshold", type=int, default=None, help="Low-level grid: most places a square moves.")
@click.option("--coherence", type=float, default=None, help="Phase scramble (see phase-scramble --help).")
@click.option("--grayscale", is_flag=True)
@click.pass_context
def scramble(ctx: click.Context, input_path: Path, output_dir: Path, method: str, square: int | None,
             threshold: int | None, coherence: float | None, grayscale: bool, **kw: Any) -> None:
    """Scramble the face (the seed's facial_scramble); writes OUTPUT_DIR/Scrambled/. The layers
    have commands of their own with every option: grid-scramble, landmark-scramble, phase-scramble."""
    from pyfame.core.scrambling import facial_scramble

    names = {"high": "high level grid", "low": "low level grid", "landmark": "landmark", "phase": "phase"}
    extra = {k: v for k, v in (("grid_square_size", square), ("grid_scramble_threshold", threshold),
                               ("coherence", coherence)) if v is not None}
    report(facial_scramble(input_path, output_dir, out_grayscale=grayscale, scramble_method=names[method], **extra,
                           **_run_keywords(ctx, kw, output_dir)))


@main.command("pld")
@_io
@click.option("--region", "regions", multiple=True, default=["face_oval"], show_default=True,
              help="Face region (repeat for several; `pyfame regions` lists them).")
@click.option("--density", type=float, default=1.0, show_default=True, help="Share of the dots kept (0-1).")
@click.option("--radius", type=int, default=2, show_default=True, help="Dot radius in pixels.")
@click.option("--history", type=click.Choice(["none", "origin", "relative"]), default="none", show_default=True)
@click.option("--history-ms", type=float, default=500.0, show_default=True, help="Trail length (relative).")
@click.pass_context
def pld(ctx: click.Context, input_path: Path, output_dir: Path, regions: tuple[str, ...], density: float,
        radius: int, history: str, history_ms: float, **kw: Any) -> None:
    """Point-light display, short form (every option: point-light-display); writes OUTPUT_DIR/PLD/."""
    from pyfame.core.point_light_display import generate_point_light_display

    report(generate_point_light_display(
        input_path, output_dir, landmark_regions=list(regions), point_density=density, point_radius=radius,
        show_history=history != "none", history_mode="origin" if history == "none" else history,
        history_window_msec=history_ms, **_run_keywords(ctx, kw, output_dir)))


def _encoding(func: Any) -> Any:
    for option in reversed(_ENCODING):
        func = option(func)
    return func


@main.command("transcode")
@click.argument("input_path", type=click.Path(path_type=Path))
@click.argument("output_dir", type=click.Path(path_type=Path))
@_encoding
@click.option("--with-sub-dirs", is_flag=True)
@click.option("--overwrite", is_flag=True, help="Replace outputs made with other settings.")
def transcode(input_path: Path, output_dir: Path, with_sub_dirs: bool, overwrite: bool, **encoding: Any) -> None:
    """Re-encode videos as H.264 MP4 (audio kept); writes OUTPUT_DIR/Transcoded/."""
    from pyfame.utils.media_utils import transcode_video_to_mp4

    output_dir.mkdir(parents=True, exist_ok=True)
    report(transcode_video_to_mp4(input_path, output_dir, with_sub_dirs, overwrite=overwrite, **given(encoding)))


@main.command("moviefy")
@click.argument("input_dir", type=click.Path(path_type=Path))
@click.argument("output_dir", type=click.Path(path_type=Path))
@click.argument("name")
@click.option("--fps", type=float, default=30.0, show_default=True)
@click.option("--hold-ms", type=float, default=1000.0, show_default=True, help="How long each image shows.")
@click.option("--blend", type=float, default=0.2, show_default=True, help="Share of each hold cross-faded (0 = cut).")
@click.option("--normalize", type=click.Choice(["none", "crop", "pad"]), default="none", show_default=True)
@click.option("--overwrite", is_flag=True, help="Replace an existing NAME.mp4 (default: refuse).")
def moviefy(input_dir: Path, output_dir: Path, name: str, fps: float, hold_ms: float, blend: float,
            normalize: str, overwrite: bool) -> None:
    """Turn a folder of stills into one video NAME.mp4 in OUTPUT_DIR."""
    from pyfame.utils.media_utils import moviefy_images

    output_dir.mkdir(parents=True, exist_ok=True)
    click.echo(str(moviefy_images(input_dir, output_dir, name, fps=fps, repeat_duration=hold_ms,
                                  blend_images=blend > 0, blended_frames_prop=blend, normalize=normalize != "none",
                                  normalization_method="crop" if normalize == "none" else normalize,
                                  overwrite=overwrite)))


@main.command("plot")
@click.argument("table", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="PNG to write (TABLE.png by default).")
@click.option("--overwrite", is_flag=True,
              help="Replace a file in the way that is not PyFAME's plot of this table (default: refuse).")
def plot(table: Path, output: Path | None, overwrite: bool) -> None:
    """Plot a colour-means, optical-flow or landmark TABLE over time."""
    from pyfame.io.table_plots import plot_table

    click.echo(str(plot_table(table, output, overwrite=overwrite)))


@main.command("regions")
def regions() -> None:
    """Every face region name (for --region, --landmark-regions, --mask-type and YAML)."""
    from pyfame.face.regions import REGION_NAMES

    for name, region in sorted(REGION_NAMES.items()):
        click.echo(f"{name:20s} {len(region.landmark_indices)} landmarks"
                   + (f", minus {len(region.exclude)} features" if region.exclude else "")
                   + (f", {region.side} half" if region.side else ""))
