"""``pyfame demo``: make a sample talking-face video and still, then manipulate both."""

from __future__ import annotations

import logging
from pathlib import Path

from pyfame.pipeline.apply_layers import apply_layers
from pyfame.pipeline.layer import Layer

log = logging.getLogger(__name__)


def demo_layers() -> list[Layer]:
    """The manipulation the demo shows: the face's skin turns red and back over the clip."""
    from pyfame.core.coloring import ColorShift

    return [ColorShift(shift_color="red", shift_magnitude=12.0)]


def run_demo(output_dir: Path, *, progress: bool = False, seed: int = 0) -> dict[str, Path]:
    """Write ``sample_face.mp4`` and ``sample_face.png`` under ``output_dir/inputs`` and
    their manipulated versions under ``output_dir/outputs``.

    Returns the paths made, by name.

    Examples
    --------
    >>> # run_demo(Path("out"))["video"]  → out/outputs/sample_face.mp4
    """
    from pyfame.samples import write_moving_face_video, write_sample_image

    inputs = output_dir / "inputs"
    outputs = output_dir / "outputs"
    inputs.mkdir(parents=True, exist_ok=True)
    outputs.mkdir(parents=True, exist_ok=True)
    video_in = inputs / "sample_face.mp4"
    image_in = inputs / "sample_face.png"
    write_moving_face_video(video_in, n_frames=90, fps=30, size=(640, 480), motion="talk", audio=True, seed=seed)
    write_sample_image(image_in)
    results = apply_layers(inputs, outputs, demo_layers(), seed=seed, progress=progress, operation="demo")
    made = {"input_video": video_in, "input_image": image_in}
    for r in results:
        if r.output is not None:
            made["video" if r.output.suffix == ".mp4" else "image"] = r.output
    return made
