"""Options every file-processing subcommand shares, and how they become keyword arguments."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from pyfame.io.video_sink import DEFAULT_CRF, DEFAULT_PRESET
from pyfame.face.regions import REGION_NAMES


def io_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """INPUT (file or folder) and OUTPUT_DIR, nested folders, tracking and encoding options."""
    options = [
        click.argument("input_path", type=click.Path(path_type=Path)),
        click.argument("output_dir", type=click.Path(path_type=Path)),
        click.option("--with-sub-dirs", is_flag=True, help="Walk nested folders and mirror them."),
        click.option("--min-detection-confidence", type=float, default=0.5, show_default=True),
        click.option("--min-tracking-confidence", type=float, default=0.5, show_default=True),
        click.option("--seed", type=int, default=None, help="Base seed (drawn and recorded if not given)."),
        click.option("--no-face", type=click.Choice(["pass", "drop", "fail", "hold"]), default="pass",
                     show_default=True, help="Frames without a face: pass unchanged, drop, fail, or hold "
                                             "the last face (up to 0.5 s)."),
        click.option("--crf", type=int, default=DEFAULT_CRF, show_default=True,
                     help="H.264 quality (0-51, lower is better)."),
        click.option("--preset", default=DEFAULT_PRESET, show_default=True,
                     help="x264 speed preset (veryfast with --crf 18: the same fidelity in a quarter of the bytes)."),
        click.option("--no-cache", is_flag=True, help="Do not read or write the landmark cache."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def workers_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--workers N``: files of a folder on N processes."""
    return click.option("--workers", type=int, default=None,
                        help="Process a folder's files on N processes (same outputs).")(func)


def region_option(default: str) -> Callable[..., Any]:
    """``--region NAME`` (repeatable)."""
    return click.option(
        "--region", "regions", multiple=True, default=[default], show_default=True,
        type=click.Choice(sorted(REGION_NAMES), case_sensitive=False),
        help="Face region (repeat for several).",
    )


def timing_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--onset, --offset, --timing and its parameters."""
    options = [
        click.option("--onset", type=float, default=0.0, show_default=True, help="Seconds."),
        click.option("--offset", type=float, default=0.0, show_default=True, help="Seconds (0 = end of video)."),
        click.option("--timing", type=click.Choice(["constant", "linear", "sigmoid", "gaussian"]),
                     default="linear", show_default=True),
        click.option("--ramp-in", type=float, default=None, help="Seconds (linear, sigmoid)."),
        click.option("--ramp-out", type=float, default=None, help="Seconds (linear, sigmoid)."),
        click.option("--k", "k", type=float, default=None, help="Steepness (sigmoid)."),
        click.option("--mean", type=float, default=None, help="Seconds (gaussian)."),
        click.option("--sigma", type=float, default=None, help="Seconds (gaussian)."),
        click.option("--feather", type=float, default=3.0, show_default=True, help="Mask edge softness, pixels."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def run_keywords(ctx: click.Context, kw: dict[str, Any]) -> dict[str, Any]:
    """Pop the shared options from ``kw`` as the seed functions' keyword arguments."""
    out = {
        "with_sub_dirs": kw.pop("with_sub_dirs"),
        "min_detection_confidence": kw.pop("min_detection_confidence"),
        "min_tracking_confidence": kw.pop("min_tracking_confidence"),
        "seed": kw.pop("seed"),
        "no_face": kw.pop("no_face"),
        "crf": kw.pop("crf"),
        "preset": kw.pop("preset"),
        "landmark_cache": not kw.pop("no_cache"),
        "progress": ctx.obj["progress"],
    }
    workers = kw.pop("workers", None)
    if workers is not None:
        out["workers"] = workers
    return out


def timing_keywords(kw: dict[str, Any]) -> dict[str, Any]:
    """Pop the timing options from ``kw``."""
    out: dict[str, Any] = {
        "onset_t": kw.pop("onset"),
        "offset_t": kw.pop("offset"),
        "timing_func": kw.pop("timing"),
        "feather_px": kw.pop("feather"),
    }
    for name in ("ramp_in", "ramp_out", "k", "mean", "sigma"):
        value = kw.pop(name)
        if value is not None:
            out[name] = value
    return out


def report(results: list[Any]) -> None:
    """Print where each output went; exit 1 if any file failed."""
    failed = 0
    for r in results:
        if r.error is not None:
            failed += 1
            click.echo(f"FAILED  {r.input}: {type(r.error).__name__}: {r.error}", err=True)
        else:
            click.echo(f"{r.output}")
    if failed:
        click.echo(f"{failed} of {len(results)} files failed", err=True)
        raise SystemExit(1)
