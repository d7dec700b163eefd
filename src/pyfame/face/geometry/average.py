"""Average faces: the mean shape of a set of aligned meshes, and the prototype image made by
warping every face to that shape and averaging the pixels (Benson & Perrett, 1993;
Tiddeman, Burt & Perrett, 2001).

The faces must already be on one canvas (aligned with
:func:`~pyfame.face.geometry.alignment.align_face`): averaging unaligned meshes would
average head positions, not shapes. Each face is warped to the mean shape with the
piecewise-affine warp over one triangulation (Delaunay of the mean shape and the canvas
border, shared by every face), in float32, and the warped images are averaged and rounded
once at the end.

Examples
--------
>>> from pyfame.face.geometry.alignment import align_face
>>> from pyfame.face.geometry.example_face import example_face
>>> face = example_face()
>>> a = align_face(face.image, face.landmarks, size=(128, 128))
>>> b = align_face(face.image[:, ::-1], face.landmarks * (-1, 1, 1) + (511, 0, 0), size=(128, 128))
>>> prototype = average_face([a.image, b.image], [a.landmarks, b.landmarks])
>>> prototype.image.shape, bool(np.allclose(prototype.landmarks, average_shape([a.landmarks, b.landmarks])))
((128, 128, 3), True)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from pyfame.errors import PyfameTypeError, PyfameValueError
from pyfame.face.geometry.face_image import FaceImage
from pyfame.face.geometry.point_checks import as_landmark_list, as_rgb_image, check_same_shape
from pyfame.face.geometry.triangulation import DEFAULT_BORDER_POINTS_PER_SIDE, warp_triangles
from pyfame.face.geometry.warp import plan_warp


def average_shape(landmarks_list: Sequence[np.ndarray] | np.ndarray) -> np.ndarray:
    """The mean of several faces' meshes, point by point.

    Parameters
    ----------
    landmarks_list : sequence of array_like or numpy.ndarray
        Meshes on one canvas, each ``(478, 2)`` or ``(478, 3)``, or one ``(n, 478, 3)`` array.

    Returns
    -------
    numpy.ndarray
        float32 ``(478, 3)``.

    Examples
    --------
    >>> average_shape([np.zeros((478, 3)), np.full((478, 3), 2.0)])[0].tolist()
    [1.0, 1.0, 1.0]
    """
    meshes = as_landmark_list(landmarks_list, "landmarks_list")
    return np.mean(meshes, axis=0).astype(np.float32)


def average_face(
    images: Sequence[np.ndarray],
    landmarks_list: Sequence[np.ndarray] | np.ndarray,
    *,
    border_points_per_side: int = DEFAULT_BORDER_POINTS_PER_SIDE,
) -> FaceImage:
    """The average face of aligned faces: average shape and average texture.

    Parameters
    ----------
    images : sequence of numpy.ndarray
        Aligned faces, RGB uint8, all of one shape (a common canvas).
    landmarks_list : sequence of array_like
        Their meshes on that canvas, in the same order.
    border_points_per_side : int
        Fixed canvas-border points of the warps (see :func:`~pyfame.face.geometry.warp.plan_warp`).

    Returns
    -------
    FaceImage
        The prototype image and its mesh, which is :func:`average_shape` of the meshes.

    Raises
    ------
    ImageShapeError
        When an image is not RGB uint8 or not of the first image's shape.
    PyfameValueError
        When the counts of images and meshes differ, or a mesh is not a finite (478, 2|3) array.
    """
    if isinstance(images, np.ndarray) and images.ndim == 4:
        images = list(images)
    if not isinstance(images, (list, tuple)):
        raise PyfameTypeError(f"images must be a list of images, got {type(images).__name__}")
    if len(images) == 0:
        raise PyfameValueError("images is empty")
    frames = [as_rgb_image(image, f"images[{i}]") for i, image in enumerate(images)]
    for i, frame in enumerate(frames[1:], start=1):
        check_same_shape(frame, frames[0], f"images[{i}]", "images[0]")
    meshes = as_landmark_list(landmarks_list, "landmarks_list")
    if len(meshes) != len(frames):
        raise PyfameValueError(
            f"images and landmarks_list must have the same length, got {len(frames)} and {len(meshes)}"
        )
    mean_mesh = np.mean(meshes, axis=0)
    triangles = warp_triangles(mean_mesh, frames[0].shape, border_points_per_side)
    total = np.zeros(frames[0].shape, np.float32)
    for frame, mesh in zip(frames, meshes):
        plan = plan_warp(
            mesh, mean_mesh, frames[0].shape, triangles=triangles, border_points_per_side=border_points_per_side
        )
        total += plan.apply(frame.astype(np.float32))
    total /= len(frames)
    prototype = np.clip(np.rint(total), 0, 255).astype(np.uint8)
    return FaceImage(prototype, mean_mesh.astype(np.float32))
