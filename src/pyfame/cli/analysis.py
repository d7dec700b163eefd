"""``pyfame color-means``, ``optical-flow``, ``plot``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from pyfame.cli.main import main
from pyfame.cli.shared_options import io_options, region_option, run_keywords, workers_option


def _tables(results: list[Any]) -> None:
    failed = 0
    for r in results:
        if r.error is not None:
            failed += 1
            click.echo(f"FAILED  {r.input}: {type(r.error).__name__}: {r.error}", err=True)
        for t in r.tables_written or ([r.output] if r.output else []):
            click.echo(str(t))
    if failed:
        click.echo(f"{failed} of {len(results)} files failed", err=True)
        raise SystemExit(1)


def _analysis_keywords(ctx: click.Context, kw: dict[str, Any]) -> dict[str, Any]:
    run = run_keywords(ctx, kw)
    for unused in ("crf", "preset"):
        run.pop(unused)
    run.pop("seed")
    return run


@main.command("color-means")
@io_options
@workers_option
@region_option("face_oval")
@click.option("--space", type=click.Choice(["rgb", "hsv", "grayscale", "lab", "ycrcb"]), default="rgb",
              show_default=True)
@click.option("--every", "sampling_frequency", type=float, default=1000.0, show_default=True,
              help="Sampling period in ms (videos).")
@click.option("--plot", is_flag=True, help="Also write a PNG plot beside each table.")
@click.pass_context
def color_means(ctx: click.Context, input_path: Any, output_dir: Any, regions: tuple[str, ...], space: str,
                sampling_frequency: float, plot: bool, **kw: Any) -> None:
    """Mean and SD of each colour channel per face region over time; writes
    OUTPUT_DIR/Color_Channel_Means/NAME.csv."""
    from pyfame.core.analysis import extract_face_color_means

    _tables(extract_face_color_means(input_path, output_dir, color_space=space, landmark_regions=list(regions),
                                     sampling_frequency=sampling_frequency, plot=plot,
                                     **_analysis_keywords(ctx, kw)))


@main.command("optical-flow")
@io_options
@workers_option
@click.option("--type", "flow_type", type=click.Choice(["sparse", "dense"]), default="sparse", show_default=True)
@click.option("--landmark", "landmarks", type=int, multiple=True, help="Track these landmarks (sparse; repeat).")
@click.option("--max-corners", type=int, default=20, show_default=True)
@click.option("--every", "csv_sample_freq", type=float, default=1000.0, show_default=True,
              help="Table sampling period in ms.")
@click.option("--plot", is_flag=True, help="Also write a PNG plot beside each table.")
@click.pass_context
def optical_flow(ctx: click.Context, input_path: Any, output_dir: Any, flow_type: str, landmarks: tuple[int, ...],
                 max_corners: int, csv_sample_freq: float, plot: bool, **kw: Any) -> None:
    """Sparse or dense optical flow: a video drawing it and a table; writes OUTPUT_DIR/Optical_Flow/."""
    from pyfame.core.analysis import get_optical_flow

    run = run_keywords(ctx, kw)
    _tables(get_optical_flow(input_path, output_dir, optical_flow_type=flow_type,
                             landmarks_to_track=list(landmarks) or None, max_corners=max_corners,
                             csv_sample_freq=csv_sample_freq, plot=plot, **run))


@main.command("plot")
@click.argument("table", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="PNG to write (TABLE.png by default).")
def plot(table: Path, output: Path | None) -> None:
    """Plot a colour-means, optical-flow or landmark TABLE over time."""
    from pyfame.core.analysis import plot_table

    click.echo(str(plot_table(table, output)))
