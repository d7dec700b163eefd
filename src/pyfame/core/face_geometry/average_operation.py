"""Average faces on files: a prototype of a set of stills, and its template (the mean mesh)."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from pyfame.core.face_geometry.geometry_media import (
    BENSON_PERRETT_1993,
    CANVAS_PX,
    DEFAULT_SIZE,
    EYE_DISTANCE_KIND,
    EYE_Y_KIND,
    SIZE_KIND,
    TIDDEMAN_2001,
    WARPED_ALPHA,
    Canvas,
    FileStem,
    first_mesh,
    naming,
    stills_only,
    template_table,
    with_alpha,
)
from pyfame.errors import FaceNotFoundError, PyfameError, PyfameValueError
from pyfame.face.geometry.average import average_face
from pyfame.pipeline.operation import Made, Operation, OperationContext
from pyfame.pipeline.params import Boolean, Color, Param


class FaceAverage(Operation):
    """An average face (a prototype; Benson & Perrett, 1993; Tiddeman, Burt & Perrett, 2001):
    the average shape of a set of faces and their average texture.

    Every still is tracked and aligned on its eyes onto one canvas (``size``, ``eye_y``,
    ``eye_distance``, as :func:`~pyfame.core.face_geometry.functions.align_faces`; faces of
    any size and place, never stretched). The **average shape** is the point-by-point mean of
    the aligned meshes; the **average texture** warps every aligned face to that shape
    (piecewise-affine, one triangulation for all, float32) and averages the pixels, rounded
    once (:func:`pyfame.face.geometry.average_face`). Stills with an alpha channel: each
    alpha is aligned and warped as its face is, and averaged the same way (an opaque face
    counts as 255 inside its image, pixels outside an input as 0), so the prototype keeps the
    set's mean transparency.

    A still without a face is a :class:`~pyfame.errors.FaceNotFoundError` naming the file,
    raised before anything is written, unless ``skip_missing``: then it is left out, and the
    sidecars list the faces averaged and those left out (``"made"``). At least two faces
    must remain.

    **Writes** to ``output_dir/Averages/``: ``<output_filename>.png`` (the prototype) and
    ``<output_filename>_template.csv`` (its template: one row per mesh point, ``landmark``,
    ``x``, ``y``, ``z`` in canvas pixels; a reference for
    :func:`~pyfame.core.face_geometry.functions.caricature_faces`).

    Examples
    --------
    >>> FaceAverage(output_filename="women", skip_missing=True)
    FaceAverage(output_filename='women', skip_missing=True)
    """

    name = "average_faces"
    subfolder = "Averages"
    does = frozenset({"walks_folders", "tracks", "writes_tables"})  # stills only
    inputs = ("input_dir",)
    references = (BENSON_PERRETT_1993, TIDDEMAN_2001)
    alpha_policy = (WARPED_ALPHA + "; the average's alpha is the average of the faces' (an opaque face counts "
                    "as 255 inside its image)")

    output_filename: str = Param(FileStem(), default="average", help="Name of the prototype (and of its template).")
    size: tuple = Param(SIZE_KIND, default=DEFAULT_SIZE, unit=CANVAS_PX, help="The canvas the faces are averaged on.")
    eye_y: float = Param(EYE_Y_KIND, default=0.4, unit="fraction of the canvas height",
                         help="Height of the eye centres on the canvas.")
    eye_distance: float = Param(EYE_DISTANCE_KIND, default=0.3, unit="fraction of the canvas width",
                                help="Distance between the eye centres on the canvas.")
    background_color: Any = Param(Color(), default="white", seed_color_order=False,
                                  help="Colour of canvas pixels outside an input.")
    skip_missing: bool = Param(Boolean(), default=False,
                               help="Leave out a still without a face (recorded in the sidecar) instead of failing.")

    def __post_init__(self) -> None:
        self._decided: dict[str, Any] = {}

    def check_sources(self, sources: dict[str, list[Path]]) -> None:
        files = sources["input_dir"]
        stills_only(files, "input_dir", "an average")
        if len(files) < 2:
            raise PyfameValueError(f"input_dir: an average needs at least two faces, got {len(files)}",
                                   param="input_dir")

    def output_names(self, sources: dict[str, list[Path]]) -> list[str]:
        return [f"{self.output_filename}.png", f"{self.output_filename}_template.csv"]

    def record(self) -> dict[str, Any]:
        return dict(self._decided)

    def make(self, sources: dict[str, list[Path]], context: OperationContext) -> Made:
        canvas = Canvas(self.size, self.eye_y, self.eye_distance, self.background_color)
        found = context.map(partial(_aligned_face, self), sources["input_dir"])  # one job per still
        images, meshes, alphas, used, skipped = [], [], [], [], []
        for path, job in zip(sources["input_dir"], found):
            if job is None:
                skipped.append(path.name)
                continue
            aligned, moved_alpha = job
            alphas.append(moved_alpha)
            images.append(aligned.image)
            meshes.append(aligned.landmarks)
            used.append(path)
        if len(images) < 2:
            raise FaceNotFoundError(f"input_dir: an average needs at least two faces; faces were found in "
                                    f"{len(images)} of {len(sources['input_dir'])} stills (left out: "
                                    f"{', '.join(skipped)})", param="input_dir")
        with naming("input_dir"):
            prototype = average_face(images, meshes)
            alpha = None
            if any(a[0] is not None for a in alphas):  # an opaque face counts as 255 inside its image
                alpha = average_face([canvas.alpha(*a) for a in alphas], meshes).image
        self._decided = {"faces_averaged": [p.name for p in used], "skipped_no_face": skipped}
        made = {f"{self.output_filename}.png": with_alpha(prototype.image, alpha),
                f"{self.output_filename}_template.csv": template_table(prototype.landmarks)}
        for name in made:  # the faces averaged, not those left out
            context.made_from(name, used)
        return made


def _aligned_face(operation: FaceAverage, path: Path, context: OperationContext) -> Any:
    """One still's face on the canvas and what moves its alpha channel the same way (the
    alpha or None, the still's shape, its mesh and the transform: see
    :meth:`~pyfame.core.face_geometry.geometry_media.Canvas.alpha`), or None when it has no
    face and ``skip_missing`` allows it (a job of :meth:`FaceAverage.make`)."""
    canvas = Canvas(operation.size, operation.eye_y, operation.eye_distance, operation.background_color)
    pixels, alpha = context.read_image_with_alpha(path)
    try:
        faces = context.faces(pixels, path)
    except FaceNotFoundError as exc:
        if not operation.skip_missing:
            raise FaceNotFoundError(f"input_dir: no face found in {path} (give skip_missing=True to leave "
                                    "it out of the average)", param="input_dir") from exc
        return None
    except PyfameError as exc:
        exc.param = exc.param or "input_dir"
        raise
    with naming("input_dir"):
        aligned = canvas.still(pixels, first_mesh(faces))
    return aligned, (alpha, pixels.shape, first_mesh(faces), aligned.matrix)


__all__ = ["FaceAverage"]
