"""Hybrid faces: the low spatial frequencies of one face and the high of another, aligned first."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from pyfame.core.stimulus_control.spatial_frequency_layer import CPF, SCHYNS_OLIVA_1994
from pyfame.errors import ImageShapeError, PyfameError, PyfameValueError
from pyfame.face.face_frame import face_width
from pyfame.face.faces import Faces
from pyfame.face.geometry.alignment import align_face, eye_centres, similarity_matrix
from pyfame.face.region_mask import region_mask
from pyfame.face.regions import FACE_OVAL_PATH
from pyfame.io.media_kinds import media_kind
from pyfame.pipeline.region_layer import feathering
from pyfame.pipeline.operation import Made, Operation, OperationContext
from pyfame.pipeline.params import Boolean, Choice, Integer, Number, Optional, Param, Regions
from pyfame.stimulus_control.spatial_frequency import FILTERS, hybrid_image

OLIVA_2006 = ("Oliva, A., Torralba, A., & Schyns, P. G. (2006). Hybrid images. ACM Transactions on Graphics, "
              "25(3), 527-532.")


class HybridFaces(Operation):
    """A hybrid face (Schyns & Oliva, 1994): the low spatial frequencies of one face and the
    high frequencies of another, at one cut-off in cycles per face width.

    The faces are tracked and aligned first: the high face is moved onto the low face's
    image by the similarity transform (rotation, uniform scale, translation; never a
    stretch) that puts its eye centres exactly on the low face's, so the two may differ in
    size and place (:func:`pyfame.face.geometry.align_face`, as ``align_faces`` aligns: an
    eye's centre is the midpoint of its corners; the canvas outside the high face's image
    filled by reflection, so the filter finds no hard edge). The cut-off is in units of the mean of
    the two faces' widths after alignment (cheek to cheek, from the mesh); the low-pass and
    high-pass are power complements, so the two faces contribute equal power at the cut-off
    (:func:`pyfame.stimulus_control.hybrid_image`). The mean luminance and the chroma are the
    low face's (``grayscale=True`` makes both grey first, as hybrids usually are).

    ``regions`` (the face oval by default, the union of both faces', feathered): where the
    hybrid is made; elsewhere the low face's image stays bit for bit. ``regions=None``
    makes the whole image a hybrid (the high face's background included).

    **Alpha**: the low face's alpha channel is kept (the hybrid lies on its image). A high face
    with transparent pixels (alpha below 255) where the hybrid uses it (inside ``regions``,
    or anywhere with ``regions=None``) is refused: the colours under its transparency would
    show in the hybrid.

    Writes ``output_dir/Hybrids/<low>_<high>_hybrid.png`` (the inputs' stems).

    Examples
    --------
    >>> HybridFaces(cutoff_cpf=6)
    HybridFaces(cutoff_cpf=6.0)
    """

    name = "hybrid_faces"
    subfolder = "Hybrids"
    does = frozenset({"tracks"})  # two stills
    inputs = ("low_face", "high_face")
    references = (SCHYNS_OLIVA_1994, OLIVA_2006)
    alpha_policy = ("the low face's alpha channel is kept (the hybrid lies on the low face's image); a high face "
                    "transparent where the hybrid uses it is refused (the colours under its transparency would "
                    "show)")

    cutoff_cpf: float = Param(Number(0.0, low_open=True), default=8.0, unit=CPF,
                              help="Half-power cut-off: the low face below it, the high face above it.")
    filter_type: str = Param(Choice(tuple(FILTERS)), default="gaussian",
                             help="Gaussian (no ringing) or Butterworth (steeper edge).")
    order: int = Param(Integer(1, 16), default=2, help="Butterworth order; the Gaussian ignores it.")
    regions: list | None = Param(Optional(Regions()), default=FACE_OVAL_PATH, cli_names=("--region",),
                                 help="Where the hybrid is made (none: the whole image).")
    feather_px, feather_iod = feathering(0.05)
    grayscale: bool = Param(Boolean(), default=False, help="Make both faces grey (Rec. 601 luma) first.")
    space: str = Param(Choice(("lab", "luma")), default="lab",
                       help="The luminance filtered: CIELAB L* or Rec. 601 luma (chroma from the low face).")

    def check_sources(self, sources: dict[str, list[Path]]) -> None:
        for name in self.inputs:
            files = sources[name]
            if len(files) != 1:
                raise PyfameValueError(f"{name}: a hybrid takes one face each, got {len(files)} files", param=name)
            if media_kind(files[0]) != "image":
                raise PyfameValueError(f"{name}: a hybrid is made of stills, got {files[0].name}", param=name)

    def output_names(self, sources: dict[str, list[Path]]) -> list[str]:
        return [f"{sources['low_face'][0].stem}_{sources['high_face'][0].stem}_hybrid.png"]

    def _face(self, path: Path, context: OperationContext, name: str) -> tuple[np.ndarray, np.ndarray | None, Faces]:
        pixels, alpha = context.read_image_with_alpha(path)
        try:
            faces = context.faces(pixels, path)
        except PyfameError as exc:
            exc.param = exc.param or name
            raise
        return pixels, alpha, faces.subset(0)

    def make(self, sources: dict[str, list[Path]], context: OperationContext) -> Made:
        (low, low_alpha, low_face), (high, high_alpha, high_face) = context.map(  # the two faces as two jobs
            partial(_face, self), [(sources["low_face"][0], "low_face"), (sources["high_face"][0], "high_face")])
        low_lm, high_lm = low_face.landmarks[0], high_face.landmarks[0]
        try:
            matrix = similarity_matrix(eye_centres(high_lm), eye_centres(low_lm))
            moved = align_face(high, high_lm, (low.shape[1], low.shape[0]), matrix=matrix, border="reflect")
        except PyfameError as exc:
            exc.param = exc.param or "high_face"
            raise
        high, high_lm = moved.image, moved.landmarks
        high_hairline = None if high_face.hairline is None else cv2.transform(high_face.hairline, matrix)
        width = (face_width(low_lm) + face_width(high_lm)) / 2.0
        if self.cutoff_cpf >= width / 2.0:
            raise PyfameValueError(f"cutoff_cpf = {self.cutoff_cpf:g} {CPF} is at or above the Nyquist limit of faces "
                                   f"{width:.1f} px wide ({width / 2.0:.1f} {CPF})", param="cutoff_cpf")
        mask: Any = None
        if self.regions is not None:
            placed = (low_face, Faces.from_landmarks(high_lm[None], low.shape, hairline=high_hairline))
            masks = [region_mask(face, self.regions, low.shape, self.feather_px, self.feather_iod).full()
                     for face in placed]
            mask = np.maximum(*masks)
        if high_alpha is not None and bool((high_alpha < 255).any()):
            moved_alpha = cv2.warpAffine(high_alpha, matrix, (low.shape[1], low.shape[0]), flags=cv2.INTER_LINEAR,
                                         borderMode=cv2.BORDER_REFLECT)
            used = np.ones(low.shape[:2], bool) if mask is None else mask > 0
            if bool((moved_alpha[used] < 255).any()):
                raise ImageShapeError(f"high_face: {sources['high_face'][0].name} is transparent where the hybrid uses "
                                      "it (alpha below 255 inside regions); the colours under the transparency would "
                                      "show: flatten it onto a background first", param="high_face")
        if self.grayscale:
            low, high = (cv2.cvtColor(im, cv2.COLOR_RGB2GRAY) for im in (low, high))
        hybrid = hybrid_image(low, high, self.cutoff_cpf, width, mask, kind=self.filter_type, order=self.order,
                              space=self.space)
        if hybrid.ndim == 2:
            hybrid = np.repeat(hybrid[..., None], 3, axis=2)
        if low_alpha is not None:
            hybrid = np.dstack([hybrid, low_alpha])
        return {self.output_names(sources)[0]: hybrid}


def _face(operation: HybridFaces, item: tuple[Path, str],
          context: OperationContext) -> tuple[np.ndarray, np.ndarray | None, Faces]:
    """One face read and tracked, ``(path, input name)``: its pixels, alpha channel (or None)
    and first face (:meth:`~pyfame.face.faces.Faces.subset`, its hairline kept)."""
    return operation._face(item[0], context, item[1])


__all__ = ["HybridFaces"]
