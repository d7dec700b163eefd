"""Interim eye alignment of one face onto another, for hybrid faces.

**To be replaced** by :mod:`pyfame.face.geometry.alignment` when it lands (it is being built
on another branch, with the same eye centres and the same similarity transform). Until then
:class:`~pyfame.core.stimulus_control.hybrid_operation.HybridFaces` aligns its two faces
here: the one similarity transform (rotation, uniform scale and translation: never a
stretch) that maps the moving face's two eye centres exactly onto the fixed face's. An eye's
centre is the midpoint of its corners (mesh points 33 and 133 for the subject's right eye,
263 and 362 for the left), which do not move with gaze and hardly with blinks.

Examples
--------
>>> lm = np.zeros((478, 3), np.float32)
>>> lm[[33, 133], :2] = (10, 10); lm[[263, 362], :2] = (30, 10)
>>> target = lm.copy(); target[:, :2] = lm[:, :2] * 2 + (5, 7)
>>> (np.round(eye_similarity(lm, target), 6) + 0.0).tolist()
[[2.0, 0.0, 5.0], [0.0, 2.0, 7.0]]
"""

from __future__ import annotations

import cv2
import numpy as np

from pyfame.errors import PyfameValueError

RIGHT_EYE_CORNERS = (33, 133)
LEFT_EYE_CORNERS = (263, 362)


def eye_centres(landmarks: np.ndarray) -> np.ndarray:
    """The two eye centres of a mesh, float64 ``(2, 2)``: the subject's right eye first.

    Examples
    --------
    >>> lm = np.zeros((478, 2)); lm[[33, 133], 0] = (10, 20); lm[[263, 362], 0] = (50, 40)
    >>> eye_centres(lm).tolist()
    [[15.0, 0.0], [45.0, 0.0]]
    """
    lm = np.asarray(landmarks, np.float64)[:, :2]
    return np.stack([lm[list(RIGHT_EYE_CORNERS)].mean(axis=0), lm[list(LEFT_EYE_CORNERS)].mean(axis=0)])


def eye_similarity(moving: np.ndarray, fixed: np.ndarray) -> np.ndarray:
    """The similarity transform, float64 ``(2, 3)``, that maps ``moving``'s eye centres
    exactly onto ``fixed``'s (two points fix a similarity: ``z -> a z + b`` in complex
    numbers, so the scale is the ratio of the eye distances and nothing is stretched)."""
    (s0, s1), (t0, t1) = (complex(*p) for p in eye_centres(moving)), (complex(*p) for p in eye_centres(fixed))
    if abs(s1 - s0) < 1e-6:
        raise PyfameValueError("the moving face's eye centres coincide; no similarity aligns it")
    a = (t1 - t0) / (s1 - s0)
    b = t0 - a * s0
    return np.array([[a.real, -a.imag, b.real], [a.imag, a.real, b.imag]])


def align_onto(image: np.ndarray, landmarks: np.ndarray, fixed: np.ndarray,
               size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """``image`` (and its mesh) moved so that its eyes land on ``fixed``'s, on a canvas of
    ``size = (w, h)``: bilinear, halved first with ``cv2.pyrDown`` while it would shrink more
    than twofold (so detail does not alias), the canvas outside the image filled by
    reflection (no hard edge for a filter to find).

    Examples
    --------
    >>> img = np.zeros((40, 40, 3), np.uint8)
    >>> lm = np.zeros((478, 3), np.float32); lm[[33, 133], :2] = (10, 20); lm[[263, 362], :2] = (30, 20)
    >>> fixed = lm.copy(); fixed[:, :2] = lm[:, :2] / 2
    >>> out, moved = align_onto(img, lm, fixed, (20, 20))
    >>> out.shape, np.round(eye_centres(moved), 3).tolist()
    ((20, 20, 3), [[5.0, 10.0], [15.0, 10.0]])
    """
    m = eye_similarity(landmarks, fixed)
    source = image
    scale = float(np.hypot(m[0, 0], m[1, 0]))
    halvings = 0
    while scale * 2**halvings < 0.5 and min(source.shape[:2]) >= 2:
        source = cv2.pyrDown(source)
        halvings += 1
    resample = m.copy()
    resample[:, :2] *= 2**halvings  # the halved image's pixel k is the original's 2^n k (to a quarter pixel)
    out = cv2.warpAffine(source, resample, (int(size[0]), int(size[1])), flags=cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_REFLECT_101)
    moved = np.asarray(landmarks, np.float32).copy()
    moved[:, :2] = moved[:, :2] @ m[:, :2].T.astype(np.float32) + m[:, 2].astype(np.float32)
    moved[:, 2] *= np.float32(scale)
    return out, moved


__all__: list[str] = []
