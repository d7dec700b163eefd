"""Face alignment on files: every still and video of a set put on one canvas, eyes on fixed
positions; videos head-stabilised."""

from __future__ import annotations

import math
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
    Canvas,
    check_unique_names,
    first_mesh,
    naming,
    output_name,
    track,
)
from pyfame.face.geometry.alignment import eye_centres
from pyfame.face.geometry.average import average_shape
from pyfame.pipeline.operation import Made, Operation, OperationContext
from pyfame.pipeline.params import Boolean, Choice, Color, Number, Param

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
    within 0.001 px; tracked again in the written images, within 1.5% of the eye distance
    (MediaPipe's own repeatability: see the face-geometry docs).

    **Writes** to ``output_dir/Aligned/``: each input under its own name (JPEG and WebP as
    PNG, videos as MP4) and ``alignment_transforms.csv``, one row per still or frame: the
    transform (``a b tx / c d ty``, input to canvas pixels), its scale and angle, and where the
    eye centres landed.

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

    def check_sources(self, sources: dict[str, list[Path]]) -> None:
        check_unique_names([(output_name(p), p) for p in sources["input_dir"]], "input_dir")

    def output_names(self, sources: dict[str, list[Path]]) -> list[str]:
        return [output_name(p) for p in sources["input_dir"]] + [TRANSFORMS_NAME]

    def canvas(self) -> Canvas:
        """The canvas of these parameters."""
        return Canvas(self.size, self.eye_y, self.eye_distance, self.background_color, self.vignette)

    def make(self, sources: dict[str, list[Path]], context: OperationContext) -> Made:
        canvas = self.canvas()
        items = [track(p, context, "input_dir") for p in sources["input_dir"]]
        reference = None
        if self.method == "mesh":
            reference = average_shape([canvas.eye_aligned_mesh(first_mesh(f)) for item in items for f in item.faces])
        made: dict[str, Any] = {}
        rows = []
        for item in items:
            with naming("input_dir"):
                if item.is_video:
                    aligned, matrices = canvas.clip(item, smoothing=self.smooth_alignment, min_cutoff=self.min_cutoff,
                                                    beta=self.beta, method=self.method, reference=reference)
                    made[output_name(item.path)] = ([a.image for a in aligned], item.fps)
                else:
                    one = canvas.still(item.frames[0], first_mesh(item.faces[0]), method=self.method,
                                       reference=reference)
                    aligned, matrices = [one], [one.matrix]
                    made[output_name(item.path)] = one.image
            for frame, (result, m) in enumerate(zip(aligned, matrices)):
                eyes = eye_centres(result.landmarks)
                rows.append({"input": item.path.name, "output": output_name(item.path), "frame": frame,
                             "a": m[0, 0], "b": m[0, 1], "tx": m[0, 2], "c": m[1, 0], "d": m[1, 1], "ty": m[1, 2],
                             "scale": math.sqrt(abs(float(np.linalg.det(m[:, :2])))),
                             "angle_deg": math.degrees(math.atan2(m[1, 0], m[0, 0])),
                             "right_eye_x": eyes[0, 0], "right_eye_y": eyes[0, 1],
                             "left_eye_x": eyes[1, 0], "left_eye_y": eyes[1, 1]})
        made[TRANSFORMS_NAME] = pd.DataFrame(rows)
        return made


__all__ = ["FaceAlignment"]
