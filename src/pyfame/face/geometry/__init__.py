"""Face geometry: warps, alignment, averages, morphs, caricatures, Thatcher and composite
faces, and configural feature shifts, as pure functions over images and 478-point meshes.

Every operation takes RGB uint8 images and meshes in pixels (``(478, 3)`` as
:class:`~pyfame.face.faces.Faces` holds them, or ``(478, 2)``) and returns a
:class:`FaceImage`: the new image and the mesh of the face in it. Operations that combine
faces (average, morph, composite) need them on one canvas: align them first.

Examples
--------
>>> from pyfame.face.geometry import align_face, example_face
>>> face = example_face()
>>> align_face(face.image, face.landmarks, size=(256, 256)).image.shape
(256, 256, 3)
"""

from pyfame.face.geometry.alignment import (
    AlignmentSmoother,
    align_face,
    alignment_matrix,
    canvas_eye_positions,
    eye_centres,
    refine_alignment,
    similarity_matrix,
    transform_landmarks,
)
from pyfame.face.geometry.average import average_face, average_shape
from pyfame.face.geometry.caricature import caricature_face, caricature_landmarks, reference_on_face
from pyfame.face.geometry.composite import composite_face
from pyfame.face.geometry.example_face import example_face
from pyfame.face.geometry.face_image import AlignedFace, FaceImage
from pyfame.face.geometry.feature_shift import feature_shift_landmarks, shift_face_features
from pyfame.face.geometry.fold_over import fold_over_triangles, relax_fold_overs
from pyfame.face.geometry.morph import morph_face
from pyfame.face.geometry.thatcher import thatcherize_face
from pyfame.face.geometry.thin_plate_spline import thin_plate_spline_interpolate, thin_plate_spline_warp
from pyfame.face.geometry.triangulation import border_points, delaunay_triangles, signed_areas, warp_triangles
from pyfame.face.geometry.warp import PiecewiseAffineWarp, plan_warp, warp_face, warp_image

__all__ = [
    "AlignedFace",
    "AlignmentSmoother",
    "FaceImage",
    "PiecewiseAffineWarp",
    "align_face",
    "alignment_matrix",
    "average_face",
    "average_shape",
    "border_points",
    "canvas_eye_positions",
    "caricature_face",
    "caricature_landmarks",
    "composite_face",
    "delaunay_triangles",
    "example_face",
    "eye_centres",
    "feature_shift_landmarks",
    "fold_over_triangles",
    "morph_face",
    "plan_warp",
    "reference_on_face",
    "refine_alignment",
    "relax_fold_overs",
    "shift_face_features",
    "signed_areas",
    "similarity_matrix",
    "thatcherize_face",
    "thin_plate_spline_interpolate",
    "thin_plate_spline_warp",
    "transform_landmarks",
    "warp_face",
    "warp_image",
    "warp_triangles",
]
