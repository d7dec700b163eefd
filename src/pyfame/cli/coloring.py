"""``pyfame color-shift``, ``saturation-shift``, ``brightness-shift``."""

from __future__ import annotations

from typing import Any

import click

from pyfame.cli.main import main
from pyfame.cli.shared_options import workers_option, io_options, region_option, report, run_keywords, timing_keywords, timing_options


@main.command("color-shift")
@io_options
@workers_option
@timing_options
@region_option("face_skin")
@click.option("--color", type=click.Choice(["red", "green", "blue", "yellow"]), default="red", show_default=True)
@click.option("--magnitude", type=float, default=8.0, show_default=True, help="CIELAB units at full weight.")
@click.pass_context
def color_shift(ctx: click.Context, input_path: Any, output_dir: Any, regions: tuple[str, ...], color: str,
                magnitude: float, **kw: Any) -> None:
    """Shift face regions toward a colour (CIELAB) over time; writes OUTPUT_DIR/Color_Shifted/."""
    from pyfame.core.coloring import face_color_shift

    report(face_color_shift(input_path, output_dir, shift_color=color, shift_magnitude=magnitude,
                            landmark_regions=list(regions), **timing_keywords(kw), **run_keywords(ctx, kw)))


@main.command("saturation-shift")
@io_options
@workers_option
@timing_options
@region_option("face_skin")
@click.option("--magnitude", type=float, default=-8.0, show_default=True, help="HSV saturation points (0-100).")
@click.pass_context
def saturation_shift(ctx: click.Context, input_path: Any, output_dir: Any, regions: tuple[str, ...],
                     magnitude: float, **kw: Any) -> None:
    """Raise or lower saturation over face regions; writes OUTPUT_DIR/Sat_Shifted/."""
    from pyfame.core.coloring import face_saturation_shift

    report(face_saturation_shift(input_path, output_dir, shift_magnitude=magnitude, landmark_regions=list(regions),
                                 **timing_keywords(kw), **run_keywords(ctx, kw)))


@main.command("brightness-shift")
@io_options
@workers_option
@timing_options
@region_option("face_skin")
@click.option("--magnitude", type=float, default=20.0, show_default=True, help="CIELAB L* units (0-100).")
@click.pass_context
def brightness_shift(ctx: click.Context, input_path: Any, output_dir: Any, regions: tuple[str, ...],
                     magnitude: float, **kw: Any) -> None:
    """Brighten or darken face regions; writes OUTPUT_DIR/Brightness_Shifted/."""
    from pyfame.core.coloring import face_brightness_shift

    report(face_brightness_shift(input_path, output_dir, shift_magnitude=magnitude, landmark_regions=list(regions),
                                 **timing_keywords(kw), **run_keywords(ctx, kw)))
