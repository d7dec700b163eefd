"""``pyfame mask``, ``occlude``, ``bubbles``, ``blur``, ``noise``."""

from __future__ import annotations

from typing import Any

import click

from pyfame.cli.main import main
from pyfame.cli.shared_options import workers_option, io_options, region_option, report, run_keywords


def _color(text: str | None) -> tuple[int, int, int] | None:
    """'R,G,B' → (R, G, B)."""
    if text is None:
        return None
    try:
        parts = tuple(int(p) for p in text.split(","))
    except ValueError as exc:
        raise click.BadParameter(f"expected R,G,B integers, got {text!r}") from exc
    if len(parts) != 3:
        raise click.BadParameter(f"expected three values R,G,B, got {text!r}")
    return parts  # type: ignore[return-value]


@main.command("mask")
@io_options
@workers_option
@region_option("face_oval")
@click.option("--background", default="255,255,255", show_default=True, help="R,G,B outside the mask.")
@click.option("--transparent", is_flag=True, help="Stills: PNG with a transparent background.")
@click.option("--feather", type=float, default=0.0, show_default=True)
@click.pass_context
def mask(ctx: click.Context, input_path: Any, output_dir: Any, regions: tuple[str, ...], background: str,
         transparent: bool, feather: float, **kw: Any) -> None:
    """Keep face regions, paint the rest; writes OUTPUT_DIR/Masked/."""
    from pyfame.core.occlusion import mask_face_region

    report(mask_face_region(input_path, output_dir, mask_type=list(regions), background_color=_color(background),
                            color_order="rgb", transparent=transparent, feather_px=feather, **run_keywords(ctx, kw)))


@main.command("occlude")
@io_options
@workers_option
@region_option("both_eyes")
@click.option("--fill", type=click.Choice(["black", "mean", "bar"]), default="black", show_default=True)
@click.option("--color", default=None, help="R,G,B of the fill or bar.")
@click.pass_context
def occlude(ctx: click.Context, input_path: Any, output_dir: Any, regions: tuple[str, ...], fill: str,
            color: str | None, **kw: Any) -> None:
    """Cover face regions (black, face mean, colour, or a bar that turns with the head);
    writes OUTPUT_DIR/Occluded/."""
    from pyfame.core.occlusion import occlude_face_region

    extra = {"fill_color": _color(color), "color_order": "rgb"} if color else {}
    report(occlude_face_region(input_path, output_dir, landmarks_to_occlude=list(regions), occlusion_fill=fill,
                               **extra, **run_keywords(ctx, kw)))


@main.command("bubbles")
@io_options
@workers_option
@click.option("--n", "n_bubbles", type=int, default=10, show_default=True, help="Number of bubbles.")
@click.option("--sigma", type=float, default=0.06, show_default=True, help="Bubble size.")
@click.option("--sigma-units", type=click.Choice(["face", "px"]), default="face", show_default=True,
              help="sigma as a fraction of face width, or in pixels.")
@click.option("--fill", default="128,128,128", show_default=True, help="R,G,B of the field, or 'mean'.")
@click.option("--redraw", is_flag=True, help="New bubbles on every frame.")
@click.pass_context
def bubbles(ctx: click.Context, input_path: Any, output_dir: Any, n_bubbles: int, sigma: float, sigma_units: str,
            fill: str, redraw: bool, **kw: Any) -> None:
    """Bubbles: an opaque field with Gaussian apertures on the face; writes OUTPUT_DIR/Occluded/."""
    from pyfame.core.occlusion import occlude_face_region

    field = "mean" if fill.strip().lower() == "mean" else _color(fill)
    report(occlude_face_region(input_path, output_dir, occlusion_fill="bubbles", n_bubbles=n_bubbles,
                               bubble_sigma=sigma, sigma_units=sigma_units, fill=field, redraw=redraw,
                               **run_keywords(ctx, kw)))


@main.command("blur")
@io_options
@workers_option
@region_option("face_oval")
@click.option("--method", type=click.Choice(["gaussian", "average", "median"]), default="gaussian", show_default=True)
@click.option("--k-size", type=int, default=15, show_default=True, help="Kernel size (odd for gaussian, median).")
@click.option("--feather", type=float, default=0.0, show_default=True)
@click.pass_context
def blur(ctx: click.Context, input_path: Any, output_dir: Any, regions: tuple[str, ...], method: str, k_size: int,
         feather: float, **kw: Any) -> None:
    """Blur inside face regions; writes OUTPUT_DIR/Blurred/."""
    from pyfame.core.occlusion import blur_face_region

    report(blur_face_region(input_path, output_dir, blur_method=method, k_size=k_size,
                            landmark_regions=list(regions), feather_px=feather, **run_keywords(ctx, kw)))


@main.command("noise")
@io_options
@workers_option
@region_option("face_oval")
@click.option("--whole-frame", is_flag=True, help="Noise over the whole frame instead of the regions.")
@click.option("--method", type=click.Choice(["pixelate", "salt and pepper", "gaussian"]), default="pixelate",
              show_default=True)
@click.option("--pixel-size", type=int, default=32, show_default=True)
@click.option("--noise-prob", type=float, default=0.5, show_default=True)
@click.option("--mean", type=float, default=0.0, show_default=True, help="Gaussian mean (0-255 units).")
@click.option("--sd", "standard_dev", type=float, default=0.5, show_default=True, help="Gaussian SD (0-255 units).")
@click.pass_context
def noise(ctx: click.Context, input_path: Any, output_dir: Any, regions: tuple[str, ...], whole_frame: bool,
          method: str, pixel_size: int, noise_prob: float, mean: float, standard_dev: float, **kw: Any) -> None:
    """Pixelate or add noise; writes OUTPUT_DIR/Noise_Added/."""
    from pyfame.core.occlusion import apply_noise

    report(apply_noise(input_path, output_dir, noise_method=method, pixel_size=pixel_size, noise_prob=noise_prob,
                       mean=mean, standard_dev=standard_dev, mask_type=None if whole_frame else list(regions),
                       **run_keywords(ctx, kw)))
