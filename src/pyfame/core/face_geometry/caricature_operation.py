"""Caricatures on files: each face's shape moved away from (or towards) a reference face."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from pyfame.core.face_geometry.geometry_media import (
    BENSON_PERRETT_1991,
    TABLE_SUFFIXES,
    ReferenceFace,
    check_unique_names,
    first_mesh,
    naming,
    output_name,
    alpha_as_image,
    read_template,
    track,
    with_alpha,
)
from pyfame.errors import PyfameValueError
from pyfame.face.geometry.caricature import caricature_face
from pyfame.io.media_kinds import media_kind
from pyfame.pipeline.operation import Made, Operation, OperationContext
from pyfame.pipeline.params import REQUIRED, Number, Param


class FaceCaricature(Operation):
    """Caricatures (``strength > 1``) and anti-caricatures (``< 1``) of every face of a set,
    relative to a reference face (Benson & Perrett, 1991).

    Each mesh point moves along the line from the reference's point through the face's:
    ``p' = r + strength (p - r)``; the image is warped from the face's mesh to the new one
    (piecewise-affine, the background and hair following, the image border fixed), so the
    texture is the face's own and the frame keeps its size
    (:func:`pyfame.face.geometry.caricature_face`). Before that the reference is put on the
    face by the least-squares similarity of the two meshes (Procrustes), so only *shape* is
    exaggerated, not position, size or tilt: faces need not be aligned.

    ``reference``: a face image (its tracked mesh) or a template table, as
    :func:`~pyfame.core.face_geometry.functions.average_faces` writes (the average shape of a
    set: the classic caricature relative to a norm). It is an input of the request: recorded
    and hashed in the sidecars, and found again by ``pyfame verify``.

    Videos are caricatured frame by frame on their tracked meshes (VIDEO mode). A still's alpha
    channel is warped with it, as a colour channel is.

    **Writes** each input under its own name to ``output_dir/Caricatures/`` (JPEG and WebP
    as PNG, videos as MP4).

    Examples
    --------
    >>> FaceCaricature(reference="average_template.csv", strength=0.5)
    FaceCaricature(reference='average_template.csv', strength=0.5)
    """

    name = "caricature_faces"
    subfolder = "Caricatures"
    does = frozenset({"walks_folders", "tracks", "reads_video", "writes_video"})
    inputs = ("input_dir",)
    references = (BENSON_PERRETT_1991,)
    alpha_policy = ("warped with the face like a colour channel (the same piecewise-affine warp and "
                    "interpolation; the image border stays fixed)")

    reference: str = Param(ReferenceFace(), default=REQUIRED,
                           help="The reference face: a face image or a template table from average_faces.")
    strength: float = Param(Number(-3.0, 5.0), default=1.5, unit="times the distance from the reference",
                            help="1 keeps the face; above 1 exaggerates, below 1 reduces its difference from the "
                                 "reference.")

    def param_inputs(self) -> dict[str, list[Path]]:
        return {"reference": [Path(self.reference)]}

    def check_sources(self, sources: dict[str, list[Path]]) -> None:
        check_unique_names([(output_name(p), p) for p in sources["input_dir"]], "input_dir")
        reference = sources["reference"][0]
        if reference.suffix.lower() in TABLE_SUFFIXES:
            read_template(reference, "reference")
        elif media_kind(reference) != "image":
            raise PyfameValueError(f"reference: a reference face is a still or a template table, got {reference.name}",
                                   param="reference")

    def output_names(self, sources: dict[str, list[Path]]) -> list[str]:
        return [output_name(p) for p in sources["input_dir"]]

    def reference_mesh(self, path: Path, context: OperationContext) -> np.ndarray:
        """The reference's mesh: a template table's, or a still's tracked mesh."""
        if path.suffix.lower() in TABLE_SUFFIXES:
            return read_template(path, "reference")
        return first_mesh(track(path, context, "reference").faces[0])

    def make(self, sources: dict[str, list[Path]], context: OperationContext) -> Made:
        reference = self.reference_mesh(sources["reference"][0], context)
        paths = sources["input_dir"]
        made: dict[str, Any] = {}
        for path, result in zip(paths, context.map(partial(_caricature, self, reference), paths)):
            made[output_name(path)] = result
            context.made_from(output_name(path), [path, sources["reference"][0]])
        return made


def _caricature(operation: FaceCaricature, reference: np.ndarray, path: Path, context: OperationContext) -> Any:
    """One input's caricature: an image (RGBA when the still has an alpha channel, warped
    alike), or a video's frames and rate (a job of :meth:`FaceCaricature.make`)."""
    item = track(path, context, "input_dir")
    with naming("input_dir"):
        frames = [caricature_face(frame, first_mesh(faces), reference, operation.strength).image
                  for frame, faces in zip(item.frames, item.faces)]
        if item.alpha is not None:  # the same warp, as a channel
            alpha = caricature_face(alpha_as_image(item.alpha, item.alpha.shape), first_mesh(item.faces[0]),
                                    reference, operation.strength).image
            frames[0] = with_alpha(frames[0], alpha)
    return (frames, item.fps) if item.is_video else frames[0]


__all__ = ["FaceCaricature"]
