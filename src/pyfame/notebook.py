"""Notebook helpers: see a manipulation before running it over a stimulus set.

Examples
--------
>>> import pyfame as pf
>>> from pyfame.samples import sample_face
>>> figure = pf.show(sample_face(), [pf.ColorShift(shift_magnitude=20)])
>>> [ax.get_title() for ax in figure.axes]
['before', 'after: ColorShift(shift_magnitude=20.0)']
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from pyfame.errors import PyfameTypeError


def _frame(source: Any, t: float | None) -> tuple[np.ndarray, float, bool]:
    """RGB pixels of an array, an image, or a video frame at ``t`` seconds (default: the middle)."""
    if isinstance(source, np.ndarray):
        return source, 0.0, True
    if not isinstance(source, (str, os.PathLike)):
        raise PyfameTypeError(f"frame_or_path must be an RGB array or a path, got {type(source).__name__}",
                              param="frame_or_path")
    from pyfame.io import open_source
    from pyfame.io.planned_video_source import PlannedVideoSource

    path = Path(source)
    with open_source(path) as media:
        if media.kind == "image":
            return next(iter(media)).pixels, 0.0, True
        duration, fps, count = media.duration, float(media.fps), media.frame_count
    when = duration / 2 if t is None else float(t)
    index = min(max(int(round(when * fps)), 0), max(count - 1, 0))
    with PlannedVideoSource(path, [index]) as planned:
        return next(iter(planned)).pixels, index / fps, False


def show(frame_or_path: Any, layers: Any = (), *, t: float | None = None, seed: int = 0, size: float = 4.0) -> Any:
    """Before and after, side by side: ``layers`` applied to an RGB frame, an image, or the
    frame of a video at ``t`` seconds (timed layers at their weight at ``t``).

    Returns a matplotlib Figure (a notebook shows it).

    Examples
    --------
    >>> # pf.show("clip.mp4", [pf.Bubbles(n_bubbles=12)], t=1.5)
    """
    import matplotlib.pyplot as plt

    from pyfame.face.tracker import FaceTracker
    from pyfame.pipeline.apply_layers import check_layers
    from pyfame.pipeline.layer import SourceInfo
    from pyfame.pipeline.layer_stack import LayerStack

    layer_list, _ = check_layers(layers, [])
    pixels, when, still = _frame(frame_or_path, t)
    h, w = pixels.shape[:2]
    with FaceTracker(mode="image") as tracker:
        faces = tracker.track(pixels)
    stack = LayerStack(layer_list, [], seed)
    stack.start(SourceInfo("image" if still else "video", w, h, None if still else 30.0, 0,
                           0.0 if still else max(when * 2, when + 1.0)))
    after = stack.process(pixels.copy(), faces, 0, when)
    figure, axes = plt.subplots(1, 2, figsize=(2 * size * w / max(h, w), size * h / max(h, w)))
    for ax, image, title in ((axes[0], pixels, "before"),
                             (axes[1], after, "after: " + ", ".join(repr(layer) for layer in layer_list))):
        ax.imshow(image)
        ax.set_title(title, fontsize=9)
        ax.axis("off")
    figure.tight_layout()
    plt.close(figure)  # shown once by the notebook, not again by the next plt.show()
    return figure


__all__ = ["show"]
