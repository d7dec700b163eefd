"""Second-order configural changes, frame by frame: eyes apart or together, mouth up or down."""

from __future__ import annotations

import numpy as np

from pyfame.core.face_geometry.geometry_media import EYE_DISTANCES, HAIG_1984, LE_GRAND_2001, naming
from pyfame.face.faces import Faces
from pyfame.face.geometry.feature_shift import shift_face_features
from pyfame.pipeline.layer import Layer
from pyfame.pipeline.params import Number, Param


class FeatureShift(Layer):
    """Second-order configural changes (Haig, 1984; the "spacing" faces of Le Grand et al.,
    2001): the eyes moved apart or together and the mouth up or down, by fractions of the
    distance between the eye centres, the skin stretched smoothly around them.

    **Method** (:func:`pyfame.face.geometry.shift_face_features`): directions are the face's
    own (along the eye line, and across it towards the chin), so a tilted face is changed in
    its own frame. ``eye_spacing = s`` moves each eye ``s / 2`` eye distances outwards (the
    distance between the eye centres grows by ``s`` eye distances); ``mouth_offset = m``
    moves the mouth ``m`` eye distances down (negative: up). The features' own mesh points
    move rigidly; the face outline, the nose and the features not moved stay; every other
    point follows by a thin-plate spline; the image is warped piecewise-affinely from the old
    mesh to the new one, confined to the face: every pixel outside the mesh's convex hull is
    unchanged, bit for bit. Shifts beyond about a quarter of the eye distance crowd a feature
    against the outline or the nose. The default, eyes 10% further apart and the mouth where
    it is, is a spacing change visible side by side with the original; 0 for both leaves the
    face as it is.

    A layer: each frame on its own, the frame's size kept; on a video the mesh is tracked on
    every frame; it goes into ``pyfame apply`` stacks and experiment conditions. A frame's
    every face is changed.

    Examples
    --------
    >>> from pyfame.face.geometry import eye_centres, example_face
    >>> face = example_face()
    >>> faces = Faces.from_landmarks(face.landmarks[None], face.image.shape)
    >>> out = FeatureShift(eye_spacing=0.1).apply(face.image.copy(), faces, 0.0, None)
    >>> out.shape, bool((out[:, :60] == face.image[:, :60]).all())     # the background stays
    ((512, 512, 3), True)
    """

    name = "shift_features"
    subfolder = "Feature_Shifted"
    references = (HAIG_1984, LE_GRAND_2001)

    eye_spacing: float = Param(Number(-0.5, 0.5), default=0.1, unit=EYE_DISTANCES,
                               help="Change of the distance between the eye centres (0.1: 10% wider apart).")
    mouth_offset: float = Param(Number(-0.5, 0.5), default=0.0, unit=EYE_DISTANCES,
                                help="Movement of the mouth towards the chin (negative: up).")

    def apply(self, frame: np.ndarray, faces: Faces, t: float, rng: np.random.Generator) -> np.ndarray:
        out = frame
        for k in range(faces.count):
            with naming("eye_spacing"):
                out = shift_face_features(out, faces.landmarks[k], self.eye_spacing, self.mouth_offset).image
        return out


__all__ = ["FeatureShift"]
