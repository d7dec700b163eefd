"""What the face-geometry operations return: an image with the mesh of the face in it.

Examples
--------
>>> result = FaceImage(np.zeros((4, 4, 3), np.uint8), np.zeros((478, 3), np.float32))
>>> result.image.shape, result.landmarks.shape
((4, 4, 3), (478, 3))
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class FaceImage:
    """An image and the 478-point mesh of the face it shows.

    Attributes
    ----------
    image : numpy.ndarray
        RGB uint8 ``(H, W, 3)``.
    landmarks : numpy.ndarray
        float32 ``(478, 3)``: x and y in pixels of ``image``, z in the same scale (as
        :class:`~pyfame.face.faces.Faces` holds them), after the operation.
    """

    image: np.ndarray
    landmarks: np.ndarray


@dataclass(frozen=True)
class AlignedFace(FaceImage):
    """A face moved onto a canvas by a similarity transform.

    Attributes
    ----------
    matrix : numpy.ndarray
        float64 ``(2, 3)``: input pixels to canvas pixels (``canvas = matrix @ (x, y, 1)``).
    """

    matrix: np.ndarray
