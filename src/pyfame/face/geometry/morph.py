"""Morphs between two faces, with shape and texture weighted separately (as Psychomorph
does; Benson & Perrett, 1991; Tiddeman, Burt & Perrett, 2001).

A morph at shape weight ``s`` and texture weight ``t`` has the mesh
``(1 - s) * mesh_a + s * mesh_b``; both faces are warped to that mesh (piecewise-affine) and
their pixels mixed ``(1 - t) * a + t * b``. ``s = t`` is the classic morph; ``s = 0.5, t = 0``
is face A's texture on the shape halfway to B. Weights outside [0, 1] extrapolate (beyond
B, or away from it), as in face-space studies; colours are then clipped to [0, 255].

Both faces must be on one canvas (aligned with
:func:`~pyfame.face.geometry.alignment.align_face`). Every morph between the same two faces
uses the same triangles (Delaunay of the halfway mesh and the canvas border), so the steps
of a continuum differ only by their weights.

Examples
--------
>>> from pyfame.face.geometry.alignment import align_face
>>> from pyfame.face.geometry.example_face import example_face
>>> face = example_face()
>>> a = align_face(face.image, face.landmarks, size=(128, 128))
>>> b = align_face(face.image, face.landmarks, size=(128, 128), eye_distance=0.4)
>>> half = morph_face(a.image, a.landmarks, b.image, b.landmarks, shape_weight=0.5)
>>> bool(np.allclose(half.landmarks, (a.landmarks + b.landmarks) / 2, atol=1e-4))
True
"""

from __future__ import annotations

import numpy as np

from pyfame.face.geometry.face_image import FaceImage
from pyfame.face.geometry.point_checks import as_landmarks, as_rgb_image, check_same_shape
from pyfame.face.geometry.triangulation import DEFAULT_BORDER_POINTS_PER_SIDE, warp_triangles
from pyfame.face.geometry.warp import plan_warp
from pyfame.validation import check_float


def morph_face(
    image_a: np.ndarray,
    landmarks_a: np.ndarray,
    image_b: np.ndarray,
    landmarks_b: np.ndarray,
    shape_weight: float = 0.5,
    texture_weight: float | None = None,
    *,
    border_points_per_side: int = DEFAULT_BORDER_POINTS_PER_SIDE,
) -> FaceImage:
    """One morph between face A (weight 0) and face B (weight 1).

    Parameters
    ----------
    image_a, image_b : numpy.ndarray
        Aligned faces, RGB uint8 of one shape.
    landmarks_a, landmarks_b : array_like
        Their meshes on that canvas, ``(478, 2)`` or ``(478, 3)``.
    shape_weight : float
        How far the shape goes from A towards B.
    texture_weight : float, optional
        How far the pixels go from A towards B; default: ``shape_weight``.
    border_points_per_side : int
        Fixed canvas-border points of the warps.

    Returns
    -------
    FaceImage
        The morph and its mesh (the shape-weighted mean of the two meshes).

    Examples
    --------
    >>> from pyfame.face.geometry.example_face import example_face
    >>> face = example_face()
    >>> same = morph_face(face.image, face.landmarks, face.image, face.landmarks, 0.3)
    >>> bool((same.image == face.image).all())
    True
    """
    first = as_rgb_image(image_a, "image_a")
    second = as_rgb_image(image_b, "image_b")
    check_same_shape(second, first, "image_b", "image_a")
    mesh_a = as_landmarks(landmarks_a, "landmarks_a")
    mesh_b = as_landmarks(landmarks_b, "landmarks_b")
    shape_weight = check_float(shape_weight, "shape_weight")
    texture_weight = shape_weight if texture_weight is None else check_float(texture_weight, "texture_weight")
    triangles = warp_triangles((mesh_a + mesh_b) / 2, first.shape, border_points_per_side)
    mesh = (1.0 - shape_weight) * mesh_a + shape_weight * mesh_b
    warped = []
    for frame, source in ((first, mesh_a), (second, mesh_b)):
        plan = plan_warp(source, mesh, first.shape, triangles=triangles, border_points_per_side=border_points_per_side)
        warped.append(plan.apply(frame.astype(np.float32)))
    mixed = (1.0 - texture_weight) * warped[0] + texture_weight * warped[1]
    image = np.clip(np.rint(mixed), 0, 255).astype(np.uint8)
    return FaceImage(image, mesh.astype(np.float32))
