"""Composite faces on files: the top half of one face on the bottom half of another."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from pyfame.core.face_geometry.geometry_media import (
    CANVAS_PX,
    DEFAULT_SIZE,
    EYE_DISTANCE_KIND,
    EYE_Y_KIND,
    SIZE_KIND,
    YOUNG_1987,
    TRANSPARENT,
    WARPED_ALPHA,
    Canvas,
    check_unique_names,
    first_mesh,
    naming,
    stills_only,
    track,
    weight_label,
    with_alpha,
)
from pyfame.face.faces import N_LANDMARKS
from pyfame.face.geometry.composite import SPLIT_LANDMARK, composite_face
from pyfame.pipeline.operation import Made, Operation, OperationContext
from pyfame.pipeline.params import Color, Integer, Number, Param


class FaceComposite(Operation):
    """Composite faces (Young, Hellawell & Hay, 1987): the top half of one face joined to the
    bottom half of another, aligned or misaligned sideways.

    Every face of ``top_dir`` is joined to every face of ``bottom_dir`` (a file or a folder
    each; the same folder twice gives every pair, each face with itself included: the "same"
    composites of the paradigm). Both faces are first aligned on their eyes onto one canvas
    (``size``, ``eye_y``, ``eye_distance``; never stretched), so their eyes coincide.

    **The split line** runs parallel to the eye line through mesh point ``split_landmark``
    (default 195: on the bridge of the nose about halfway between the eye line and the nose
    tip, below the eyes and above the nostrils; 6 cuts higher, 4 lower). Above it, every
    pixel is the aligned top face's, bit for bit; below it, the aligned bottom face's, shifted
    by whole pixels: ``misalign`` face widths sideways (cheek to cheek, points 234 to 454;
    positive: towards the image's right) and ``gap_px`` down, the gap and the uncovered
    pixels in ``background_color`` (:func:`pyfame.face.geometry.composite_face`).

    **Writes** to ``output_dir/Composites/``: ``<top>_<bottom>_composite.png``, with
    ``_misaligned<p>`` (``p`` the misalignment in percent of the face width, ``m`` for
    minus) and ``_gap<n>`` when they are not 0, so aligned and misaligned sets can share a
    folder.

    Examples
    --------
    >>> FaceComposite(misalign=0.5, gap_px=4)
    FaceComposite(misalign=0.5, gap_px=4)
    """

    name = "composite_faces"
    subfolder = "Composites"
    does = frozenset({"walks_folders", "tracks"})  # stills only
    inputs = ("top_dir", "bottom_dir")
    references = (YOUNG_1987,)
    alpha_policy = (WARPED_ALPHA + "; above the split line the top face's alpha, below it the bottom face's, "
                    "shifted with it; the gap and the pixels the shift uncovers are transparent")

    misalign: float = Param(Number(-2.0, 2.0), default=0.0, unit="fraction of the face width",
                            help="Sideways shift of the bottom half (0: aligned).")
    gap_px: int = Param(Integer(0, 1000), default=0, unit="px", help="Background between the two halves.")
    split_landmark: int = Param(Integer(0, N_LANDMARKS - 1), default=SPLIT_LANDMARK,
                                help="The mesh point the split line passes through (195: mid nose bridge).")
    size: tuple = Param(SIZE_KIND, default=DEFAULT_SIZE, unit=CANVAS_PX, help="The canvas the faces are joined on.")
    eye_y: float = Param(EYE_Y_KIND, default=0.4, unit="fraction of the canvas height",
                         help="Height of the eye centres on the canvas.")
    eye_distance: float = Param(EYE_DISTANCE_KIND, default=0.3, unit="fraction of the canvas width",
                                help="Distance between the eye centres on the canvas.")
    background_color: Any = Param(Color(), default="white", seed_color_order=False,
                                  help="Colour of the gap, of pixels the shifted half leaves, and outside an input.")

    def check_sources(self, sources: dict[str, list[Path]]) -> None:
        stills_only(sources["top_dir"], "top_dir", "a composite")
        stills_only(sources["bottom_dir"], "bottom_dir", "a composite")
        check_unique_names([(self._name(t, b), t) for t in sources["top_dir"] for b in sources["bottom_dir"]],
                           "top_dir")

    def _name(self, top: Path, bottom: Path) -> str:
        name = f"{top.stem}_{bottom.stem}_composite"
        if self.misalign:
            name += f"_misaligned{weight_label(self.misalign)}"
        if self.gap_px:
            name += f"_gap{self.gap_px}"
        return name + ".png"

    def output_names(self, sources: dict[str, list[Path]]) -> list[str]:
        return [self._name(t, b) for t in sources["top_dir"] for b in sources["bottom_dir"]]

    def make(self, sources: dict[str, list[Path]], context: OperationContext) -> Made:
        canvas = Canvas(self.size, self.eye_y, self.eye_distance, self.background_color)
        keys = [(name, path) for name in self.inputs for path in sources[name]]
        found = context.map(partial(_aligned, canvas), keys)  # one job per input
        aligned = {key: one for key, (one, _) in zip(keys, found)}
        alphas = {key: moved for key, (_, moved) in zip(keys, found)}
        if any(alpha is not None for alpha, *_ in alphas.values()):  # every face's alpha on the canvas, once
            alphas = {key: canvas.alpha(*value) for key, value in alphas.items()}
        else:
            alphas = {}
        pairs = [(top, bottom) for top in sources["top_dir"] for bottom in sources["bottom_dir"]]
        composites = context.map(partial(_composite, self),  # one job per pair
                                 [(aligned["top_dir", top], aligned["bottom_dir", bottom],
                                   alphas.get(("top_dir", top)), alphas.get(("bottom_dir", bottom)))
                                  for top, bottom in pairs])
        made: dict[str, Any] = {}
        for (top, bottom), image in zip(pairs, composites):
            made[self._name(top, bottom)] = image
            context.made_from(self._name(top, bottom), [top, bottom])
        return made


def _aligned(canvas: Canvas, key: tuple[str, Path], context: OperationContext) -> tuple[Any, tuple[Any, ...]]:
    """One input (``(input name, path)``) tracked and put on the canvas, and what moves its
    alpha channel the same way (the alpha or None, the still's shape, its mesh and the
    transform: see :meth:`~pyfame.core.face_geometry.geometry_media.Canvas.alpha`)."""
    name, path = key
    item = track(path, context, name)
    mesh = first_mesh(item.faces[0])
    with naming(name):
        one = canvas.still(item.frames[0], mesh)
    return one, (item.alpha, item.frames[0].shape, mesh, one.matrix)


def _composite(operation: FaceComposite, pair: tuple[Any, Any, Any, Any], context: OperationContext) -> Any:
    """One top half over one bottom half (both aligned; with their alpha channels on the
    canvas, or None when no input has one): RGBA when there are alphas, joined as the pixels are."""
    a, b, alpha_a, alpha_b = pair
    with naming("misalign"):
        image = composite_face(a.image, a.landmarks, b.image, b.landmarks, misalign=operation.misalign,
                               gap_px=operation.gap_px, split_landmark=operation.split_landmark,
                               background_color=operation.background_color).image
        alpha = None
        if alpha_a is not None:
            alpha = composite_face(alpha_a, a.landmarks, alpha_b, b.landmarks, misalign=operation.misalign,
                                   gap_px=operation.gap_px, split_landmark=operation.split_landmark,
                                   background_color=TRANSPARENT).image
    return with_alpha(image, alpha)


__all__ = ["FaceComposite"]
