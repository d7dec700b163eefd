"""``pyfame pld``, ``scramble``, ``shuffle-frames``, ``transcode``, ``moviefy``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from pyfame.cli.main import main
from pyfame.cli.shared_options import (
    io_options,
    region_option,
    report,
    run_keywords,
    workers_option,
)
from pyfame.io.video_sink import DEFAULT_CRF, DEFAULT_PRESET


@main.command("pld")
@io_options
@workers_option
@region_option("face_oval")
@click.option("--density", type=float, default=1.0, show_default=True, help="Share of the dots kept (0-1).")
@click.option("--radius", type=int, default=2, show_default=True, help="Dot radius in pixels.")
@click.option("--history", type=click.Choice(["none", "origin", "relative"]), default="none", show_default=True)
@click.option("--history-ms", type=float, default=500.0, show_default=True, help="Trail length (relative).")
@click.pass_context
def pld(ctx: click.Context, input_path: Any, output_dir: Any, regions: tuple[str, ...], density: float, radius: int,
        history: str, history_ms: float, **kw: Any) -> None:
    """Point-light display: dots on the tracked landmarks; writes OUTPUT_DIR/PLD/ and trajectories."""
    from pyfame.core.point_light_display import generate_point_light_display

    report(generate_point_light_display(
        input_path, output_dir, landmark_regions=list(regions), point_density=density, point_radius=radius,
        show_history=history != "none", history_mode="origin" if history == "none" else history,
        history_window_msec=history_ms, **run_keywords(ctx, kw)))


@main.command("scramble")
@io_options
@workers_option
@click.option("--method", type=click.Choice(["high", "low", "landmark", "phase"]), default="high", show_default=True,
              help="High- or low-level grid, landmark or phase scramble.")
@click.option("--square", type=int, default=40, show_default=True, help="Grid square size in pixels.")
@click.option("--threshold", type=int, default=2, show_default=True, help="Low-level: most places a square moves.")
@click.option("--coherence", type=float, default=1.0, show_default=True, help="Phase: 0 = original, 1 = scrambled.")
@click.option("--grayscale", is_flag=True)
@click.pass_context
def scramble(ctx: click.Context, input_path: Any, output_dir: Any, method: str, square: int, threshold: int,
             coherence: float, grayscale: bool, **kw: Any) -> None:
    """Scramble the face; writes OUTPUT_DIR/Scrambled/."""
    from pyfame.core.scrambling import facial_scramble

    names = {"high": "high level grid", "low": "low level grid", "landmark": "landmark", "phase": "phase"}
    extra = {"coherence": coherence} if method == "phase" else {}
    report(facial_scramble(input_path, output_dir, out_grayscale=grayscale, scramble_method=names[method],
                           grid_square_size=square, grid_scramble_threshold=threshold, **extra,
                           **run_keywords(ctx, kw)))


@main.command("shuffle-frames")
@click.argument("input_path", type=click.Path(path_type=Path))
@click.argument("output_dir", type=click.Path(path_type=Path))
@click.option("--method", type=click.Choice(["random", "random with replacement", "reverse", "right cyclic shift",
                                             "left cyclic shift", "palindrome", "interleave"]),
              default="random", show_default=True)
@click.option("--block-ms", type=float, default=1000.0, show_default=True)
@click.option("--keep-last-block", is_flag=True, help="Keep a last block shorter than the others.")
@click.option("--audio", type=click.Choice(["drop", "keep"]), default="drop", show_default=True)
@click.option("--seed", type=int, default=None)
@click.option("--with-sub-dirs", is_flag=True)
@click.pass_context
def shuffle_frames(ctx: click.Context, input_path: Path, output_dir: Path, method: str, block_ms: float,
                   keep_last_block: bool, audio: str, seed: int | None, with_sub_dirs: bool) -> None:
    """Reorder blocks of frames; writes OUTPUT_DIR/Shuffled/ (frame map in the sidecar)."""
    from pyfame.core.temporal_transforms import shuffle_frame_order

    report(shuffle_frame_order(input_path, output_dir, method, seed, block_duration=block_ms,
                               drop_last_block=not keep_last_block, with_sub_dirs=with_sub_dirs, audio=audio,
                               progress=ctx.obj["progress"]))


@main.command("transcode")
@click.argument("input_path", type=click.Path(path_type=Path))
@click.argument("output_dir", type=click.Path(path_type=Path))
@click.option("--crf", type=int, default=DEFAULT_CRF, show_default=True)
@click.option("--preset", default=DEFAULT_PRESET, show_default=True)
@click.option("--with-sub-dirs", is_flag=True)
def transcode(input_path: Path, output_dir: Path, crf: int, preset: str, with_sub_dirs: bool) -> None:
    """Re-encode videos as H.264 MP4 (audio kept); writes OUTPUT_DIR/Transcoded/."""
    from pyfame.utils.media_utils import transcode_video_to_mp4

    report(transcode_video_to_mp4(input_path, output_dir, with_sub_dirs, crf=crf, preset=preset))


@main.command("moviefy")
@click.argument("input_dir", type=click.Path(path_type=Path))
@click.argument("output_dir", type=click.Path(path_type=Path))
@click.argument("name")
@click.option("--fps", type=float, default=30.0, show_default=True)
@click.option("--hold-ms", type=float, default=1000.0, show_default=True, help="How long each image shows.")
@click.option("--blend", type=float, default=0.2, show_default=True, help="Share of each hold cross-faded (0 = cut).")
@click.option("--normalize", type=click.Choice(["none", "crop", "pad"]), default="none", show_default=True)
def moviefy(input_dir: Path, output_dir: Path, name: str, fps: float, hold_ms: float, blend: float,
            normalize: str) -> None:
    """Turn a folder of stills into one video NAME.mp4 in OUTPUT_DIR."""
    from pyfame.utils.media_utils import moviefy_images

    click.echo(str(moviefy_images(input_dir, output_dir, name, fps=fps, repeat_duration=hold_ms,
                                  blend_images=blend > 0, blended_frames_prop=blend, normalize=normalize != "none",
                                  normalization_method="crop" if normalize == "none" else normalize)))
