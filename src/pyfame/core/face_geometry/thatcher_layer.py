"""The Thatcher illusion, frame by frame: the eyes and mouth turned upside down in place."""

from __future__ import annotations

from typing import Any

import numpy as np

from pyfame.core.face_geometry.geometry_media import EYE_DISTANCES, THOMPSON_1980, FaceFeatures, naming
from pyfame.face.faces import Faces
from pyfame.face.geometry.thatcher import thatcherize_face
from pyfame.pipeline.layer import Layer
from pyfame.pipeline.params import Boolean, Number, Param


class ThatcherIllusion(Layer):
    """The Thatcher illusion (Thompson, 1980): each feature (by default each eye and the
    mouth) turned 180 degrees about its own centre, feathered, optionally with the whole
    frame turned upside down.

    **Method** (:func:`pyfame.face.geometry.thatcherize_face`): each feature's region is
    rasterised from the tracked mesh, grown by ``margin`` (so the lids and lip edges turn
    with it) and feathered by ``feather`` (both in eye distances, so the result does not depend
    on the face's size in pixels), made symmetric under a half turn about the feature's
    centre pixel, and the pixels under it replaced by the same pixels turned half a turn (an
    exact permutation of the pixel grid: no resampling). Every pixel outside the feathered
    masks is unchanged, bit for bit. A frame's every face is Thatcherised.

    A layer: it changes each frame on its own and keeps the frame's size. On a **video**
    the mesh is tracked on every frame, so the turned features move and turn with the face;
    it also goes into ``pyfame apply`` stacks and experiment conditions. ``invert_face``
    turns the whole frame upside down afterwards (the classic presentation: upside down the
    face looks normal, upright grotesque).

    ``regions``: region names (``eyes`` is both eyes, each on its own; ``eyebrows`` both
    brows), mask types or Region objects; a region of several loops is split into its
    loops, each turned about its own centre.

    Examples
    --------
    >>> from pyfame.face.geometry import example_face
    >>> face = example_face()
    >>> layer = ThatcherIllusion()
    >>> out = layer.apply(face.image.copy(), Faces.from_landmarks(face.landmarks[None], face.image.shape), 0.0, None)
    >>> bool((out[300:] == face.image[300:]).all()), bool((out != face.image).any())   # the chest, the face
    (True, True)
    >>> ThatcherIllusion(regions="eyes+nose")
    ThatcherIllusion(regions='left_eye+right_eye+nose')
    """

    name = "thatcherize_faces"
    subfolder = "Thatcherized"
    references = (THOMPSON_1980,)

    regions: list = Param(FaceFeatures(), default=("eyes", "mouth"), cli_names=("--region",),
                          help="The features turned, each about its own centre.")
    invert_face: bool = Param(Boolean(), default=False, help="Also turn the whole frame upside down.")
    margin: float = Param(Number(0.0, 1.0), default=0.08, unit=EYE_DISTANCES,
                          help="How far each feature's mask reaches beyond its outline.")
    feather: float = Param(Number(0.0, 1.0), default=0.06, unit=EYE_DISTANCES,
                           help="Width of the masks' soft edge (0: a crisp edge).")

    def covered_regions(self) -> list[Any] | None:
        return None  # it moves its regions (grown by a margin in eye distances), and may turn the frame

    def apply(self, frame: np.ndarray, faces: Faces, t: float, rng: np.random.Generator) -> np.ndarray:
        out = frame
        for k in range(faces.count):
            with naming("regions"):
                out = thatcherize_face(out, faces.landmarks[k], self.regions, margin=self.margin,
                                       feather=self.feather).image
        if self.invert_face:
            out = np.ascontiguousarray(out[::-1, ::-1])
        return out


__all__ = ["ThatcherIllusion"]
