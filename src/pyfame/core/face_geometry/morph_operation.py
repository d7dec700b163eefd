"""Morphs on files: a continuum between two faces (stills, or two videos frame by frame)."""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pyfame.core.face_geometry.geometry_media import (
    BENSON_PERRETT_1991,
    CANVAS_PX,
    DEFAULT_SIZE,
    EYE_DISTANCE_KIND,
    EYE_Y_KIND,
    SIZE_KIND,
    TIDDEMAN_2001,
    WARPED_ALPHA,
    Canvas,
    Weights,
    first_mesh,
    naming,
    one_file,
    track,
    weight_label,
    with_alpha,
)
from pyfame.errors import PyfameValueError
from pyfame.face.geometry.morph import morph_face
from pyfame.io.media_kinds import media_kind
from pyfame.pipeline.operation import Made, Operation, OperationContext
from pyfame.pipeline.params import Boolean, Color, Number, Optional, Param


class FaceMorph(Operation):
    """A morph continuum between two faces, shape and texture weighted apart (as Psychomorph
    does; Benson & Perrett, 1991; Tiddeman, Burt & Perrett, 2001).

    Both faces are tracked and aligned on their eyes onto one canvas (``size``, ``eye_y``,
    ``eye_distance``; faces of different sizes are aligned, never stretched). At a step of
    shape weight ``s`` and texture weight ``t`` the mesh is ``(1 - s) A + s B``; both faces are
    warped to it (piecewise-affine, one triangulation for the whole continuum) and their
    pixels mixed ``(1 - t) A + t B`` (:func:`pyfame.face.geometry.morph_face`). ``weights``
    gives both per step; ``shape_weights`` or ``texture_weights`` replaces one of them: one
    number for every step, or one per step. Weights outside [0, 1] extrapolate (an
    anti-face, or beyond B).

    ``continuum_video`` also writes the continuum as a clip of ``video_seconds`` at ``fps``,
    going through the steps in order, the weights changing linearly between them.

    **Alpha**: stills with an alpha channel have it warped to each step's mesh and mixed with
    the texture weight, as the pixels are (an opaque face counts as 255).

    **Two videos** of the same number of frames are morphed frame by frame (each clip aligned
    into a head-stabilised clip, smoothed as ``align_faces`` smooths it): one video per step,
    at face A's frame rate.

    **Writes** to ``output_dir/Morphs/``: ``<A>_<B>_morph_<w>.png`` per step (``<w>`` the
    weight in percent, ``m`` for minus; ``_s<s>_t<t>`` where shape and texture differ), or
    ``.mp4`` for videos; ``<A>_<B>_morph_steps.csv`` (each step's weights and file); and
    ``<A>_<B>_morph_continuum.mp4`` with ``continuum_video``.

    Examples
    --------
    >>> FaceMorph(weights=[0, 0.5, 1], texture_weights=0)
    FaceMorph(weights=[0.0, 0.5, 1.0], texture_weights=[0.0])
    """

    name = "morph_faces"
    subfolder = "Morphs"
    does = frozenset({"tracks", "reads_video", "writes_video", "writes_tables"})  # two files
    inputs = ("face_a", "face_b")
    references = (BENSON_PERRETT_1991, TIDDEMAN_2001)
    alpha_policy = (WARPED_ALPHA + "; each step's alpha is the two faces' alphas warped to the step's mesh and "
                    "mixed with the texture weight (an opaque face counts as 255); videos and the continuum "
                    "video are opaque")

    weights: list = Param(Weights(), default=(0, 0.25, 0.5, 0.75, 1),
                          help="The continuum's steps: 0 is face A, 1 face B (shape and texture).")
    shape_weights: list | None = Param(Optional(Weights()), default=None,
                                       help="Shape weights instead of weights: one for all steps or one per step.")
    texture_weights: list | None = Param(Optional(Weights()), default=None,
                                         help="Texture weights instead of weights: one for all steps or one per step.")
    size: tuple = Param(SIZE_KIND, default=DEFAULT_SIZE, unit=CANVAS_PX, help="The canvas the faces are morphed on.")
    eye_y: float = Param(EYE_Y_KIND, default=0.4, unit="fraction of the canvas height",
                         help="Height of the eye centres on the canvas.")
    eye_distance: float = Param(EYE_DISTANCE_KIND, default=0.3, unit="fraction of the canvas width",
                                help="Distance between the eye centres on the canvas.")
    background_color: Any = Param(Color(), default="white", seed_color_order=False,
                                  help="Colour of canvas pixels outside an input.")
    continuum_video: bool = Param(Boolean(), default=False, help="Also write the continuum (stills) as a video.")
    video_seconds: float = Param(Number(0.1, 600.0), default=3.0, unit="s", help="Length of the continuum video.")
    fps: float = Param(Number(1.0, 240.0), default=30.0, unit="frames per second",
                       help="Frame rate of the continuum video.")

    def validate(self) -> None:
        self.steps()

    def steps(self) -> list[tuple[float, float]]:
        """``(shape, texture)`` weights of every step; refuses lists of the wrong length and
        two steps that are the same."""
        n = len(self.weights)
        columns = []
        for name in ("shape_weights", "texture_weights"):
            given = getattr(self, name)
            if given is None:
                columns.append(list(self.weights))
            elif len(given) == 1:
                columns.append(list(given) * n)
            elif len(given) == n:
                columns.append(list(given))
            else:
                raise PyfameValueError(f"{name} has {len(given)} weights; give one (for every step) or one per step "
                                       f"of weights ({n})", param=name)
        steps = list(zip(*columns))
        if len(set(steps)) != len(steps):
            raise PyfameValueError(f"weights: two steps of the continuum are the same ({steps})", param="weights")
        return steps

    def _label(self, shape: float, texture: float) -> str:
        if shape == texture:
            return weight_label(shape)
        return f"s{weight_label(shape)}_t{weight_label(texture)}"

    def _stem(self, sources: dict[str, list[Path]]) -> str:
        return f"{sources['face_a'][0].stem}_{sources['face_b'][0].stem}_morph"

    def check_sources(self, sources: dict[str, list[Path]]) -> None:
        a = one_file(sources, "face_a", "a morph")
        b = one_file(sources, "face_b", "a morph")
        if media_kind(a) != media_kind(b):
            raise PyfameValueError(f"face_b: a morph is between two stills or two videos; face_a is a {media_kind(a)}, "
                                   f"face_b ({b.name}) a {media_kind(b)}", param="face_b")
        if media_kind(a) == "video" and self.continuum_video:
            raise PyfameValueError("continuum_video: two videos are morphed frame by frame (one video per step); "
                                   "a continuum video is made from two stills", param="continuum_video")

    def output_names(self, sources: dict[str, list[Path]]) -> list[str]:
        ext = ".mp4" if media_kind(sources["face_a"][0]) == "video" else ".png"
        stem = self._stem(sources)
        names = [f"{stem}_{self._label(s, t)}{ext}" for s, t in self.steps()] + [f"{stem}_steps.csv"]
        return names + ([f"{stem}_continuum.mp4"] if self.continuum_video else [])

    def make(self, sources: dict[str, list[Path]], context: OperationContext) -> Made:
        canvas = Canvas(self.size, self.eye_y, self.eye_distance, self.background_color)
        a, b = context.map(_track, [(sources["face_a"][0], "face_a"), (sources["face_b"][0], "face_b")])
        names = self.output_names(sources)
        steps = self.steps()
        made: dict[str, Any] = {}
        if a.is_video:
            if len(a.frames) != len(b.frames):
                raise PyfameValueError(f"face_b: a video morph needs two videos of one length; {a.path.name} has "
                                       f"{len(a.frames)} frames, {b.path.name} {len(b.frames)}", param="face_b")
            with naming("face_a"):
                clip_a, _ = canvas.clip(a)
            with naming("face_b"):
                clip_b, _ = canvas.clip(b)
            # one job per frame: every step of that frame's pair
            per_frame = context.map(partial(_morph_steps, steps), list(zip(clip_a, clip_b)))
            for k in range(len(steps)):
                made[names[k]] = ([frame[k] for frame in per_frame], a.fps)
        else:
            with naming("face_a"):
                fa = canvas.still(a.frames[0], first_mesh(a.faces[0]))
            with naming("face_b"):
                fb = canvas.still(b.frames[0], first_mesh(b.faces[0]))
            alphas = None
            if a.alpha is not None or b.alpha is not None:  # warped and mixed as the pixels are
                alphas = (replace(fa, image=canvas.alpha(a.alpha, a.frames[0].shape, first_mesh(a.faces[0]), fa.matrix)),
                          replace(fb, image=canvas.alpha(b.alpha, b.frames[0].shape, first_mesh(b.faces[0]), fb.matrix)))
            # one job per step (with its alpha), and per continuum video frame (opaque)
            weights = [(s, t, True) for s, t in steps]
            weights += [(s, t, False) for s, t in (self._video_weights() if self.continuum_video else [])]
            images = context.map(partial(_morph_step, fa, fb, alphas), weights)
            for k in range(len(steps)):
                made[names[k]] = images[k]
            if self.continuum_video:
                made[names[-1]] = (images[len(steps):], self.fps)
        stem = self._stem(sources)
        made[f"{stem}_steps.csv"] = pd.DataFrame({"step": range(len(steps)), "shape_weight": [s for s, _ in steps],
                                                  "texture_weight": [t for _, t in steps],
                                                  "output": names[:len(steps)]})
        return made

    def _video_weights(self) -> list[tuple[float, float]]:
        """The continuum video's weights, frame by frame: linear between successive steps,
        every step shown (a continuum of one step stays on it)."""
        steps = np.asarray(self.steps(), np.float64)
        n = max(int(round(self.video_seconds * self.fps)), 1)
        if len(steps) == 1 or n == 1:
            return [tuple(steps[0])] * n  # type: ignore[list-item]
        position = np.linspace(0.0, len(steps) - 1, n)
        shape = np.interp(position, np.arange(len(steps)), steps[:, 0])
        texture = np.interp(position, np.arange(len(steps)), steps[:, 1])
        return list(zip(shape.tolist(), texture.tolist()))


def _morph(fa: Any, fb: Any, shape: float, texture: float) -> Any:
    """One step (every step of a pair warps over the triangulation of the halfway mesh)."""
    with naming("weights"):
        return morph_face(fa.image, fa.landmarks, fb.image, fb.landmarks, shape, texture)


def _track(item: tuple[Path, str], context: OperationContext) -> Any:
    """One face tracked, ``(path, input name)`` (a job of :meth:`FaceMorph.make`)."""
    return track(item[0], context, item[1])


def _morph_steps(steps: list[tuple[float, float]], pair: tuple[Any, Any], context: OperationContext) -> list[Any]:
    """Every step of one pair of aligned faces (a video frame's), as images."""
    fa, fb = pair
    return [_morph(fa, fb, s, t).image for s, t in steps]


def _morph_step(fa: Any, fb: Any, alphas: tuple[Any, Any] | None, weights: tuple[float, float, bool],
                context: OperationContext) -> Any:
    """One step (shape and texture weights) of a pair of aligned stills, as an image; RGBA
    when ``alphas`` (the faces' alpha channels on the canvas, as aligned faces) are given and
    the step keeps them (the steps' stills do, the continuum video's frames do not)."""
    shape, texture, keep_alpha = weights
    alpha = None if alphas is None or not keep_alpha else _morph(*alphas, shape, texture).image
    return with_alpha(_morph(fa, fb, shape, texture).image, alpha)


__all__ = ["FaceMorph"]
