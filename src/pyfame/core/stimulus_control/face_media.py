"""What the stimulus-control operations share: every frame of an input with its tracked faces,
the faces' region masks, and boxes around them.

Stills are tracked in IMAGE mode (:meth:`~pyfame.pipeline.operation.OperationContext.faces`),
videos frame by frame in VIDEO mode with the run's tracker settings, as the layer pipeline
does (:class:`~pyfame.pipeline.face_stage.FaceStage`). A video frame where no face is found
takes the mesh of the nearest frame where one was (the previous one on a tie), so a mask
never blinks off for a frame; a video without any face is a
:class:`~pyfame.errors.FaceNotFoundError` naming the input.

Examples
--------
>>> centred_box((50.0, 40.0), (20, 10), (100, 200), "input_dir")
(40, 35, 60, 45)
>>> centred_box((195.0, 5.0), (20, 10), (100, 200), "input_dir")
(180, 0, 200, 10)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pyfame.errors import FaceNotFoundError, ImageShapeError, PyfameError, PyfameValueError
from pyfame.face.faces import Faces
from pyfame.face.region_mask import RegionMask, region_mask
from pyfame.io.media_kinds import media_kind

Box = tuple[int, int, int, int]


@dataclass
class TrackedMedia:
    """One input: its frames (RGB uint8), frame rate (None for a still), faces per frame, and
    a still's alpha channel (uint8 ``(H, W)``; None for videos and opaque stills)."""

    path: Path
    frames: list[np.ndarray]
    fps: float | None
    faces: list[Faces]
    alpha: np.ndarray | None = None

    @property
    def is_video(self) -> bool:
        """True for a video (even one of a single frame)."""
        return self.fps is not None

    def masks(self, regions: Any, feather_px: float | None, feather_iod: float = 0.0, least: float = 0.0) -> list[RegionMask]:
        """The regions' mask on every frame; a typed error naming ``regions`` when a frame's
        regions cover no pixel with a weight of ``least`` or more (a face cut off by the frame's
        edge, say; histograms count the pixels of weight 0.5 and more)."""
        out = []
        for index, (frame, faces) in enumerate(zip(self.frames, self.faces)):
            mask = region_mask(faces, regions, frame.shape, feather_px, feather_iod)
            covered = not mask.empty and (least <= 0 or bool((mask.alpha >= least).any()))
            if not covered:
                where = f" (frame {index})" if self.is_video else ""
                raise PyfameValueError(f"regions: the regions cover no pixel of {self.path.name}{where}", param="regions")
            out.append(mask)
        return out


def read_tracked(path: Path, context: Any, name: str) -> TrackedMedia:
    """Every frame of ``path`` with its faces (see the module); errors name ``name``.

    ``context`` is the running operation's :class:`~pyfame.pipeline.operation.OperationContext`
    (its readers and tracker settings); ``tests/test_stimulus_control.py`` runs it on stills and
    videos through the operations.
    """
    frames, fps, alpha = context.read_media(path)
    if media_kind(path) == "image":
        try:
            return TrackedMedia(path, frames[:1], None, [context.faces(frames[0], path)], alpha)
        except PyfameError as exc:
            exc.param = exc.param or name
            raise
    from pyfame.face.tracker import FaceTracker

    rate = float(fps or 30.0)
    with FaceTracker(context.settings.options().tracker, mode="video") as tracker:
        found = [tracker.track(frame, i / rate) for i, frame in enumerate(frames)]
    with_face = [i for i, faces in enumerate(found) if faces]
    if hasattr(context, "count"):
        context.count(path, len(frames), len(with_face))
    if not with_face:
        raise FaceNotFoundError(f"{name}: no face found in any frame of {path}", param=name)
    held = np.asarray(with_face)
    faces = []
    for i, f in enumerate(found):
        if f:
            faces.append(f)
        else:  # the nearest frame with a face, the earlier one on a tie
            faces.append(found[int(held[np.argmin(np.abs(held - i) * 2 + (held > i))])])
    return TrackedMedia(path, frames, rate, faces)


def centred_box(centre: tuple[float, float], size: tuple[int, int], shape: tuple[int, ...], name: str) -> Box:
    """A ``size = (w, h)`` box ``(x0, y0, x1, y1)`` centred on ``centre`` and moved inside a
    frame of ``shape``; an :class:`~pyfame.errors.ImageShapeError` naming ``name`` when the
    frame is smaller than the box (PyFAME never stretches a face to fit)."""
    w, h = size
    height, width = int(shape[0]), int(shape[1])
    if w > width or h > height:
        raise ImageShapeError(
            f"{name}: a frame of {width}x{height} cannot hold the set's common face box of {w}x{h} (the faces differ "
            "in size or place too much; crop or align them first: PyFAME never stretches a face)", param=name)
    x0 = int(round(centre[0] - w / 2))
    y0 = int(round(centre[1] - h / 2))
    x0 = min(max(x0, 0), width - w)
    y0 = min(max(y0, 0), height - h)
    return (x0, y0, x0 + w, y0 + h)


def grown_box(box: Box, margin: int, shape: tuple[int, ...]) -> Box:
    """``box`` grown by ``margin`` pixels each way, clipped to a frame of ``shape``.

    Examples
    --------
    >>> grown_box((10, 10, 20, 20), 15, (30, 100))
    (0, 0, 35, 30)
    """
    x0, y0, x1, y1 = box
    return (max(x0 - margin, 0), max(y0 - margin, 0), min(x1 + margin, int(shape[1])), min(y1 + margin, int(shape[0])))


def box_centre(box: Box) -> tuple[float, float]:
    """The centre of a box ``(x0, y0, x1, y1)``.

    Examples
    --------
    >>> box_centre((10, 20, 31, 40))
    (20.5, 30.0)
    """
    return ((box[0] + box[2]) / 2.0, (box[1] + box[3]) / 2.0)


def crop(frame: np.ndarray, box: Box) -> np.ndarray:
    """``frame``'s pixels in ``box``, contiguous (a copy).

    Examples
    --------
    >>> crop(np.arange(16).reshape(4, 4), (1, 2, 3, 4)).tolist()
    [[9, 10], [13, 14]]
    """
    x0, y0, x1, y1 = box
    return np.ascontiguousarray(frame[y0:y1, x0:x1])


def is_grey(frames: list[np.ndarray]) -> bool:
    """Whether every pixel of every frame has R = G = B (a grey input is processed as grey, so
    its levels are exact and its output stays grey).

    Examples
    --------
    >>> grey = np.full((2, 2, 3), 7, np.uint8)
    >>> is_grey([grey]), is_grey([grey, grey + np.array([0, 0, 1], np.uint8)])
    (True, False)
    """
    return all(bool((f[..., 0] == f[..., 1]).all() and (f[..., 1] == f[..., 2]).all()) for f in frames)


def png_bytes(image: np.ndarray) -> bytes:
    """A uint8 grey ``(H, W)`` or RGB ``(H, W, 3)`` image as PNG bytes (grey stays one channel).

    Examples
    --------
    >>> png_bytes(np.zeros((2, 2), np.uint8))[:4]
    b'\\x89PNG'
    """
    import cv2

    pixels = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
    ok, encoded = cv2.imencode(".png", pixels)
    if not ok:  # pragma: no cover - OpenCV's PNG encoder does not fail on uint8 images
        raise ImageShapeError(f"cannot encode an image of shape {image.shape} as PNG")
    return encoded.tobytes()


def figure_png(figure: Any) -> bytes:
    """A matplotlib figure as PNG bytes (100 dpi, no software or date metadata, so the same
    figure gives the same bytes).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> figure_png(Figure(figsize=(1, 1))) == figure_png(Figure(figsize=(1, 1)))
    True
    """
    import io

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    return buffer.getvalue()
