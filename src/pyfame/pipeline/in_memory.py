"""The pipeline over numpy frames, for notebooks and ML data loaders."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import numpy as np

from pyfame.errors import ImageShapeError, PyfameValueError
from pyfame.face.faces import Faces
from pyfame.face.tracker import FaceTracker
from pyfame.face.tracker_settings import TrackerSettings
from pyfame.pipeline.file_pass import layer_rngs
from pyfame.pipeline.layer import Layer, SourceInfo
from pyfame.validation import check_float, check_seed


def _as_rgb(frame: np.ndarray, color_order: str, index: int) -> np.ndarray:
    if not isinstance(frame, np.ndarray) or frame.dtype != np.uint8 or frame.ndim != 3 or frame.shape[2] != 3:
        raise ImageShapeError(
            f"frames[{index}] must be a uint8 array of shape (H, W, 3), got "
            f"{getattr(frame, 'dtype', type(frame).__name__)} {getattr(frame, 'shape', '')}"
        )
    if color_order == "bgr":
        frame = frame[:, :, ::-1]
    return np.ascontiguousarray(frame)


def stream_layers(
    frames: Iterable[np.ndarray],
    layers: Sequence[Layer],
    *,
    fps: float = 30.0,
    seed: int | None = 0,
    color_order: str = "rgb",
    tracker: TrackerSettings | None = None,
    still: bool = False,
    frame_count: int = 0,
) -> Iterator[tuple[np.ndarray, Faces]]:
    """Apply layers to numpy frames as they come; yields ``(frame, faces)`` per frame.

    Frames without a face pass through unchanged. ``still=True`` treats every frame as an
    independent image (IMAGE mode tracking, t=0).

    Examples
    --------
    >>> # for out, faces in stream_layers(video_frames, [ColorShift()], fps=25): ...
    """
    if color_order not in ("rgb", "bgr"):
        raise PyfameValueError(f"color_order must be 'rgb' or 'bgr', got {color_order!r}")
    fps = check_float(fps, "fps", low=0.0, low_inclusive=False)
    seed = check_seed(seed, "seed")
    rngs = layer_rngs(seed if seed is not None else 0, len(layers))
    started = False
    with FaceTracker(tracker, mode="image" if still else "video") as tr:
        for i, raw in enumerate(frames):
            pixels = _as_rgb(raw, color_order, i)
            if not started:
                h, w = pixels.shape[:2]
                info = SourceInfo("image" if still else "video", w, h, None if still else fps,
                                  frame_count, frame_count / fps if frame_count else 0.0)
                for layer in layers:
                    layer.start(info)
                started = True
            t = 0.0 if still else i / fps
            faces = tr.track(pixels, t)
            out = pixels.copy()
            for layer, rng in zip(layers, rngs):
                if faces or not layer.needs_face:
                    out = layer.apply(out, faces, t, rng)
            if color_order == "bgr":
                out = np.ascontiguousarray(out[:, :, ::-1])
            yield out, faces


def apply_layers_to_frames(
    frames: np.ndarray | Sequence[np.ndarray],
    layers: Sequence[Layer],
    *,
    fps: float = 30.0,
    seed: int | None = 0,
    color_order: str = "rgb",
    tracker: TrackerSettings | None = None,
) -> np.ndarray:
    """Apply layers to an image ``(H, W, 3)`` or a clip ``(N, H, W, 3)`` held in memory.

    Returns an array of the same shape. A single image is treated as a still (full weight).

    Examples
    --------
    >>> from pyfame.samples import sample_face
    >>> apply_layers_to_frames(sample_face(), []).shape
    (512, 512, 3)
    """
    arr = frames
    if isinstance(arr, np.ndarray) and arr.ndim == 3:
        (out, _), = stream_layers([arr], layers, seed=seed, color_order=color_order, tracker=tracker, still=True)
        return out
    seq = list(arr)
    outs = [o for o, _ in stream_layers(seq, layers, fps=fps, seed=seed, color_order=color_order,
                                         tracker=tracker, frame_count=len(seq))]
    return np.stack(outs) if outs else np.zeros((0,), np.uint8)
