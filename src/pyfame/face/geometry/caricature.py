"""Caricatures and anti-caricatures: a face's shape moved away from (or towards) a reference
shape, its texture kept (Benson & Perrett, 1991).

Every mesh point moves along the line from the reference's point through the face's:
``p' = r + strength * (p - r)``. ``strength > 1`` exaggerates what makes the face differ from
the reference (a caricature), ``strength < 1`` reduces it (an anti-caricature; 0 gives the
reference's shape), negative strengths cross to the far side (an "anti-face"). The image is
warped from the face's mesh to the new one (piecewise-affine, background and hair following,
the image border fixed), so the skin's texture is the face's own.

The reference is usually an average shape (:func:`~pyfame.face.geometry.average.average_shape`)
on an alignment canvas. With ``align_reference=True`` (default) it is first moved onto the
face by the least-squares similarity of the two meshes, so differences of position, size and
in-plane rotation are not exaggerated, only shape; the face itself need not be aligned (a
video frame works as it is).

Examples
--------
>>> ref = np.zeros((478, 3)); face = np.ones((478, 3))
>>> caricature_landmarks(face, ref, 1.5, align_reference=False)[0].tolist()
[1.5, 1.5, 1.5]
"""

from __future__ import annotations

import numpy as np

from pyfame.face.geometry.alignment import similarity_matrix
from pyfame.face.geometry.face_image import FaceImage
from pyfame.face.geometry.point_checks import as_landmarks, as_rgb_image
from pyfame.face.geometry.triangulation import DEFAULT_BORDER_POINTS_PER_SIDE
from pyfame.face.geometry.warp import warp_face
from pyfame.validation import check_bool, check_float


def reference_on_face(landmarks: np.ndarray, reference_landmarks: np.ndarray) -> np.ndarray:
    """The reference mesh moved onto the face by the least-squares similarity transform of
    the two meshes (x and y; z scaled alike).

    Returns
    -------
    numpy.ndarray
        float64 ``(478, 3)``.

    Examples
    --------
    >>> face = np.random.default_rng(0).normal(size=(478, 3))
    >>> bool(np.allclose(reference_on_face(face, face * 2 + 5)[:, :2], face[:, :2]))
    True
    """
    return _reference_on_face(as_landmarks(landmarks), as_landmarks(reference_landmarks, "reference_landmarks"))


def _reference_on_face(face: np.ndarray, reference: np.ndarray) -> np.ndarray:
    matrix = similarity_matrix(reference[:, :2], face[:, :2])
    out = reference.copy()
    out[:, :2] = reference[:, :2] @ matrix[:, :2].T + matrix[:, 2]
    out[:, 2] = reference[:, 2] * np.sqrt(abs(np.linalg.det(matrix[:, :2])))
    return out


def caricature_landmarks(
    landmarks: np.ndarray,
    reference_landmarks: np.ndarray,
    strength: float = 1.5,
    *,
    align_reference: bool = True,
) -> np.ndarray:
    """The caricatured mesh ``r + strength * (p - r)`` (see the module's method).

    Parameters
    ----------
    landmarks : array_like
        The face's mesh, ``(478, 2)`` or ``(478, 3)``.
    reference_landmarks : array_like
        The reference shape.
    strength : float
        1 leaves the face as it is; > 1 exaggerates, < 1 reduces its difference from the
        reference.
    align_reference : bool
        Move the reference onto the face first (:func:`reference_on_face`).

    Returns
    -------
    numpy.ndarray
        float32 ``(478, 3)``.
    """
    return _caricatured_mesh(as_landmarks(landmarks), reference_landmarks, strength, align_reference).astype(np.float32)


def _caricatured_mesh(face: np.ndarray, reference_landmarks: np.ndarray, strength: float, align_reference: bool) -> np.ndarray:
    strength = check_float(strength, "strength")
    if check_bool(align_reference, "align_reference"):
        reference = _reference_on_face(face, as_landmarks(reference_landmarks, "reference_landmarks"))
    else:
        reference = as_landmarks(reference_landmarks, "reference_landmarks")
    return reference + strength * (face - reference)


def caricature_face(
    image: np.ndarray,
    landmarks: np.ndarray,
    reference_landmarks: np.ndarray,
    strength: float = 1.5,
    *,
    align_reference: bool = True,
    border_points_per_side: int = DEFAULT_BORDER_POINTS_PER_SIDE,
) -> FaceImage:
    """A caricature (``strength > 1``) or anti-caricature (``< 1``) of a face.

    Parameters
    ----------
    image : numpy.ndarray
        RGB uint8 ``(H, W, 3)``.
    landmarks : array_like
        The face's mesh in ``image`` pixels.
    reference_landmarks, strength, align_reference
        As :func:`caricature_landmarks`.
    border_points_per_side : int
        Fixed image-border points of the warp.

    Returns
    -------
    FaceImage
        The warped image and the caricatured mesh. Where a strong strength folds the mesh
        over, the warp triangulates the new mesh afresh (see
        :mod:`~pyfame.face.geometry.fold_over`), so every point still lands where the formula
        puts it.

    Examples
    --------
    >>> from pyfame.face.geometry.example_face import example_face
    >>> face = example_face()
    >>> same = caricature_face(face.image, face.landmarks, face.landmarks, strength=2.0)
    >>> bool((same.image == face.image).all())                # nothing differs from itself
    True
    """
    frame = as_rgb_image(image)
    face = as_landmarks(landmarks)
    target = _caricatured_mesh(face, reference_landmarks, strength, align_reference)
    return warp_face(frame, face, target, border_points_per_side=border_points_per_side)
