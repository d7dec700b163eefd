"""The pipeline over numpy frames, for notebooks and ML data loaders: the same engine as files."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import numpy as np

from pyfame.errors import ImageShapeError
from pyfame.face.faces import Faces
from pyfame.face.tracker import FaceTracker
from pyfame.face.tracker_settings import TrackerSettings
from pyfame.pipeline.layer import Layer, Probe, SourceInfo
from pyfame.pipeline.layer_stack import LayerStack, check_sources
from pyfame.pipeline.params import Choice, Number, Optional, Integer
from pyfame.pipeline.run_options import NO_FACE_POLICIES


def _as_rgb(frame: np.ndarray, color_order: str, index: int) -> np.ndarray:
    if not isinstance(frame, np.ndarray) or frame.dtype != np.uint8 or frame.ndim != 3 or frame.shape[2] != 3:
        raise ImageShapeError(
            f"frames[{index}] must be a uint8 array of shape (H, W, 3), got "
            f"{getattr(frame, 'dtype', type(frame).__name__)} {getattr(frame, 'shape', '')}", param="frames")
    if color_order == "bgr":
        frame = frame[:, :, ::-1]
    return np.ascontiguousarray(frame)


def stream_frames(
    frames: Iterable[np.ndarray],
    layers: Sequence[Layer],
    probes: Sequence[Probe] = (),
    *,
    fps: float = 30.0,
    seed: int | None = 0,
    color_order: str = "rgb",
    tracker: TrackerSettings | None = None,
    no_face: str = "pass",
    still: bool = False,
    frame_count: int = 0,
) -> Iterator[tuple[np.ndarray | None, Faces, LayerStack]]:
    """Apply layers to numpy frames as they come; yields ``(frame or None if dropped, faces,
    stack)`` per frame (``stack.rows`` holds the probes' rows so far).

    ``still=True`` treats every frame as an independent image (IMAGE mode tracking, t=0).
    """
    order = Choice(("rgb", "bgr")).check(color_order, "color_order")
    rate = Number(0.0, low_open=True).check(fps, "fps")
    base = Optional(Integer(0)).check(seed, "seed")
    policy = Choice(tuple(NO_FACE_POLICIES)).check(no_face, "no_face")
    stack = LayerStack(list(layers), list(probes), base if base is not None else 0, policy)
    started = False
    with FaceTracker(tracker, mode="image" if still else "video") as tr:
        for i, raw in enumerate(frames):
            pixels = _as_rgb(raw, order, i)
            if not started:
                h, w = pixels.shape[:2]
                kind = "image" if still else "video"
                check_sources(stack.layers, kind, "frames")
                stack.start(SourceInfo(kind, w, h, None if still else rate, frame_count,
                                       frame_count / rate if frame_count else 0.0))
                started = True
            t = 0.0 if still else i / rate
            faces = tr.track(pixels, t)
            out = stack.process(pixels.copy(), faces, i, t, source="frames")
            if out is not None and order == "bgr":
                out = np.ascontiguousarray(out[:, :, ::-1])
            yield out, faces, stack


def apply_layers_to_frames(
    frames: np.ndarray | Sequence[np.ndarray],
    layers: Sequence[Layer],
    *,
    fps: float = 30.0,
    seed: int | None = 0,
    color_order: str = "rgb",
    tracker: TrackerSettings | None = None,
    no_face: str = "pass",
) -> np.ndarray:
    """Apply layers to an image ``(H, W, 3)`` or a clip ``(N, H, W, 3)`` held in memory.

    Returns an array of the same shape (with ``no_face="drop"``, frames without a face are
    left out of a clip; ``"fail"`` raises ``FaceNotFoundError``). A single image is treated
    as a still (full weight). The same engine as files: one tracker, one generator per layer.

    Examples
    --------
    >>> from pyfame.samples import sample_face
    >>> apply_layers_to_frames(sample_face(), []).shape
    (512, 512, 3)
    """
    if isinstance(frames, np.ndarray) and frames.ndim == 3:
        (out, _, _), = stream_frames([frames], layers, seed=seed, color_order=color_order, tracker=tracker,
                                     no_face=no_face, still=True)
        return frames.copy() if out is None else out
    seq = list(frames)
    outs = [o for o, _, _ in stream_frames(seq, layers, fps=fps, seed=seed, color_order=color_order,
                                           tracker=tracker, no_face=no_face, frame_count=len(seq)) if o is not None]
    return np.stack(outs) if outs else np.zeros((0,), np.uint8)
