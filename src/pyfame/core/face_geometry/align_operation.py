"""Face alignment on files: every still and video of a set put on one canvas, eyes on fixed
positions; videos head-stabilised."""

from __future__ import annotations

import math
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pyfame.core.face_geometry.geometry_media import (
    CANVAS_PX,
    CASIEZ_2012,
    DEFAULT_SIZE,
    EYE_DISTANCE_KIND,
    EYE_Y_KIND,
    SIZE_KIND,
    UMEYAMA_1991,
    WARPED_ALPHA,
    Canvas,
    check_unique_names,
    first_mesh,
    naming,
    output_name,
    track,
    with_alpha,
)
from pyfame.core.stimulus_control.face_media import TrackedMedia
from pyfame.face.geometry.alignment import eye_centres, refine_alignment
from pyfame.face.geometry.average import average_shape
from pyfame.pipeline.operation import Made, Operation, OperationContext
from pyfame.pipeline.params import Boolean, Choice, Color, Integer, Number, Param

#: The table of transforms every alignment writes beside its outputs.
TRANSFORMS_NAME = "alignment_transforms.csv"


class FaceAlignment(Operation):
    """Align faces: each still and each video frame moved by a similarity transform
    (rotation, uniform scale, translation; never a stretch) onto a canvas of ``size``, the eye
    centres at height ``eye_y`` and ``eye_distance`` apart (fractions of the canvas), centred.

    **Method** (:mod:`pyfame.face.geometry.alignment`): an eye's centre is the midpoint of its
    corners (mesh points 33 and 133, 263 and 362). ``method="eyes"`` is the one similarity that
    maps the two centres exactly onto their canvas positions; ``method="mesh"`` fits all 478
    points by least squares (Procrustes; Umeyama, 1991) onto the set's mean shape (the mean of
    the eye-aligned meshes of every face, every frame), so one odd feature moves the face
    less, and the eyes land near, not exactly on, the canvas positions. Pixels outside an input
    take ``background_color``; ``vignette`` fades everything outside a fixed oval to it.

    **Videos** are aligned frame by frame into a head-stabilised clip: the face stays still
    on the canvas while the head moves in the input. The transform is smoothed over frames
    with a One-Euro filter (Casiez et al., 2012: ``min_cutoff`` and ``beta``), so the clip does
    not jitter with the tracker; ``smooth_alignment=False`` aligns every frame exactly. The
    defaults (1.5 Hz, 10) halve the jitter of a still head (tracker noise of 0.6 px: to 0.49
    of it) and lag a head moving steadily at one eye distance per second by 1% of the eye
    distance; the core's own (1 Hz, 0.5) smooth harder (0.33) but lag 6%, which shows as
    the face drifting on the canvas whenever the head moves. A frame without a face takes
    the nearest frame's mesh.

    **How exact**: on the canvas, the tracked meshes' eye centres land on their positions to
    within 0.001 px. Tracked again in the written image, they are off by up to 2% of the eye
    distance (MediaPipe's own repeatability: it finds the corners a little elsewhere when the
    face is shown at another size and angle). So each still is refined (``refine_passes``,
    :func:`~pyfame.face.geometry.alignment.refine_alignment`): its aligned image is tracked
    again, the similarity that moves the re-tracked eye centres onto the canvas positions is
    composed with the transform and the input resampled again, and of the plain alignment and
    the passes the one that re-tracks closest is written (it stops once both eyes are within
    0.2%). Measured on 14 faces (the test faces and frames of two real 720p clips, head
    turned too) on three canvases: with the default 5 passes, re-tracked eye centres within
    0.26-0.52% of the eye distance of their canvas positions and within 0.45-0.79% of each
    other; with 3 passes 0.64-0.97%; plain alignment up to 2.1% and 3.0%. Each pass tracks one
    more image (about 10 ms of CPU on a 512 px canvas; 5 passes add about 50 ms per still). ``method="mesh"`` and videos are not refined (the mesh fit puts
    the eyes near, not on, the positions by design; a clip's frames are smoothed, and a
    per-frame correction would bring the tracker's frame-to-frame noise back).

    **Alpha**: a still's alpha channel (transparency) is moved with the face, by the same
    transform and interpolation; canvas pixels outside the input (and beyond the vignette)
    are transparent, their colour ``background_color``.

    **Writes** to ``output_dir/Aligned/``: each input under its own name (JPEG and WebP as
    PNG, videos as MP4) and ``alignment_transforms.csv``, one row per still or frame: the
    transform (``a b tx / c d ty``, input to canvas pixels), its scale and angle, and where the
    eye centres landed (the input's tracked mesh moved by it), and ``retracked_error``: the
    written image's eye centres tracked again, the larger eye's distance from its canvas
    position as a fraction of the eye distance (empty for videos and ``method="mesh"``),
    and ``refine_passes_made``.

    Examples
    --------
    >>> FaceAlignment(size=(256, 320), eye_distance=0.35)
    FaceAlignment(size=[256, 320], eye_distance=0.35)
    """

    name = "align_faces"
    subfolder = "Aligned"
    does = frozenset({"walks_folders", "tracks", "reads_video", "writes_video", "writes_tables"})
    inputs = ("input_dir",)
    references = (UMEYAMA_1991, CASIEZ_2012)
    alpha_policy = WARPED_ALPHA

    size: tuple = Param(SIZE_KIND, default=DEFAULT_SIZE, unit=CANVAS_PX, help="The canvas the faces are put on.")
    eye_y: float = Param(EYE_Y_KIND, default=0.4, unit="fraction of the canvas height",
                         help="Height of the eye centres on the canvas.")
    eye_distance: float = Param(EYE_DISTANCE_KIND, default=0.3, unit="fraction of the canvas width",
                                help="Distance between the eye centres on the canvas.")
    method: str = Param(Choice(("eyes", "mesh")), default="eyes",
                        help="Map the eye centres exactly, or fit the whole mesh to the set's mean shape.")
    background_color: Any = Param(Color(), default="white", seed_color_order=False,
                                  help="Colour of canvas pixels outside the input (and outside the vignette).")
    vignette: bool = Param(Boolean(), default=False, help="Fade everything outside a fixed oval to the background.")
    smooth_alignment: bool = Param(Boolean(), default=True,
                                   help="Videos: smooth the transform over frames (no jitter).")
    min_cutoff: float = Param(Number(0.0, 100.0, low_open=True), default=1.5, unit="Hz",
                              help="Videos: the smoothing's cut-off when the head is still (lower: smoother).")
    beta: float = Param(Number(0.0, 100.0), default=10.0, unit="per eye distance per second",
                        help="Videos: how fast the smoothing follows a moving head (higher: less lag).")
    refine_passes: int = Param(Integer(0, 10), default=5,
                               help="Stills, method 'eyes': track the aligned image again and correct the "
                                    "residual this many times at most, keeping the best (0: off).")

    def check_sources(self, sources: dict[str, list[Path]]) -> None:
        check_unique_names([(output_name(p), p) for p in sources["input_dir"]], "input_dir")

    def output_names(self, sources: dict[str, list[Path]]) -> list[str]:
        return [output_name(p) for p in sources["input_dir"]] + [TRANSFORMS_NAME]

    def canvas(self) -> Canvas:
        """The canvas of these parameters."""
        return Canvas(self.size, self.eye_y, self.eye_distance, self.background_color, self.vignette)

    def make(self, sources: dict[str, list[Path]], context: OperationContext) -> Made:
        paths = sources["input_dir"]
        if self.method == "mesh":  # the set's mean shape first: track every input, then align each
            items = context.map(_track, paths)
            canvas = self.canvas()
            reference = average_shape([canvas.eye_aligned_mesh(first_mesh(f)) for item in items for f in item.faces])
            aligned = context.map(partial(_align, self, reference), items)
        else:  # each input on its own: tracked and aligned in one job
            aligned = context.map(partial(_align, self, None), paths)
        made: dict[str, Any] = {}
        rows = []
        for path, (pixels, item_rows) in zip(paths, aligned):
            made[output_name(path)] = pixels
            context.made_from(output_name(path), [path])
            rows += item_rows
        made[TRANSFORMS_NAME] = pd.DataFrame(rows)
        return made


def _track(path: Path, context: OperationContext) -> TrackedMedia:
    """One input tracked (a job of :meth:`FaceAlignment.make`)."""
    return track(path, context, "input_dir")


def _align(operation: FaceAlignment, reference: np.ndarray | None, item: Path | TrackedMedia,
           context: OperationContext) -> tuple[Any, list[dict[str, Any]]]:
    """One input (a path, or its tracked frames) aligned (a job of :meth:`FaceAlignment.make`):
    its output (an image, RGBA when the still has an alpha channel, or the frames and rate of
    a video) and its rows of the transforms table. A still aligned by its eyes is refined
    (:func:`~pyfame.face.geometry.alignment.refine_alignment`) with this job's tracker."""
    if not isinstance(item, TrackedMedia):
        item = track(item, context, "input_dir")
    canvas = operation.canvas()
    checked: dict[str, Any] = {"retracked_error": float("nan"), "refine_passes_made": 0}
    with naming("input_dir"):
        if item.is_video:
            aligned, matrices = canvas.clip(item, smoothing=operation.smooth_alignment,
                                            min_cutoff=operation.min_cutoff, beta=operation.beta,
                                            method=operation.method, reference=reference)
            pixels: Any = ([a.image for a in aligned], item.fps)
        else:
            mesh = first_mesh(item.faces[0])
            if operation.method == "eyes":
                one, errors = refine_alignment(
                    item.frames[0], mesh, lambda image: _retracked(image, context),
                    canvas.size, canvas.eye_y, canvas.eye_distance, passes=operation.refine_passes,
                    background_color=canvas.background_color, vignette=canvas.vignette)
                checked = {"retracked_error": min(errors) if errors else float("nan"),
                           "refine_passes_made": max(len(errors) - 1, 0)}
            else:
                one = canvas.still(item.frames[0], mesh, method=operation.method, reference=reference)
            aligned, matrices = [one], [one.matrix]
            # the kept transform resamples the input once, so the alpha moves by the same one
            alpha = None if item.alpha is None else canvas.alpha(item.alpha, item.alpha.shape, mesh, one.matrix)
            pixels = with_alpha(one.image, alpha)
    rows = []
    for frame, (result, m) in enumerate(zip(aligned, matrices)):
        eyes = eye_centres(result.landmarks)
        rows.append({"input": item.path.name, "output": output_name(item.path), "frame": frame,
                     "a": m[0, 0], "b": m[0, 1], "tx": m[0, 2], "c": m[1, 0], "d": m[1, 1], "ty": m[1, 2],
                     "scale": math.sqrt(abs(float(np.linalg.det(m[:, :2])))),
                     "angle_deg": math.degrees(math.atan2(m[1, 0], m[0, 0])),
                     "right_eye_x": eyes[0, 0], "right_eye_y": eyes[0, 1],
                     "left_eye_x": eyes[1, 0], "left_eye_y": eyes[1, 1], **checked})
    return pixels, rows


def _retracked(image: np.ndarray, context: OperationContext) -> np.ndarray | None:
    """The first face's mesh tracked in an aligned image (the run's IMAGE-mode tracker), or
    None when none is found."""
    from pyfame.errors import FaceNotFoundError

    try:
        return context.faces(image).landmarks[0]
    except FaceNotFoundError:
        return None


__all__ = ["FaceAlignment"]
