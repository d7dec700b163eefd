"""Composite faces (Young, Hellawell & Hay, 1987): the top half of one face joined to the
bottom half of another, aligned or misaligned sideways.

Method
------
The two faces must be on one canvas (aligned with
:func:`~pyfame.face.geometry.alignment.align_face`), so their eyes coincide.

**The split line** runs parallel to the eye line (the mean direction, over both faces, from
the subject's right eye centre to the left) through the mean position of mesh point
``split_landmark``. The default, point 195, lies on the bridge of the nose about halfway
between the eye line and the tip of the nose: the cut passes below the eyes and above the
nostrils, through the middle of the nose, as in the classic stimuli. Point 6 (between the
eyes, at the level of the inner corners) gives a higher cut, 4 (the nose tip) a lower one.

Pixels above the line are the top face's; pixels below it are the bottom face's, shifted by
a whole number of pixels: ``misalign`` times the face width along the eye line (positive:
towards the image's right), plus ``gap_px`` down across the line, the gap filled with
``background_color``. Both halves are copied, not resampled: every pixel above the line is
the top image's pixel, bit for bit, and every pixel of the bottom half is the bottom image's
pixel from the shifted position. The face width is the mean over both faces of the distance
between the cheek points 234 and 454.

Examples
--------
>>> from pyfame.face.geometry.alignment import align_face
>>> from pyfame.face.geometry.example_face import example_face
>>> face = example_face()
>>> a = align_face(face.image, face.landmarks, size=(200, 200))
>>> b = align_face(face.image[::-1, ::-1], face.landmarks * (-1, -1, 1) + (511, 511, 0), size=(200, 200))
>>> c = composite_face(a.image, a.landmarks, b.image, b.landmarks, misalign=0.5, gap_px=4)
>>> bool((c.image[:80] == a.image[:80]).all())
True
"""

from __future__ import annotations

import numpy as np

from pyfame.errors import PyfameValueError
from pyfame.face.faces import N_LANDMARKS
from pyfame.face.geometry.alignment import eye_centres
from pyfame.face.geometry.face_image import FaceImage
from pyfame.face.geometry.point_checks import as_landmarks, as_rgb_image, check_same_shape
from pyfame.validation import check_color, check_float, check_int

#: Mesh point the split line passes through by default: the nose bridge, halfway down.
SPLIT_LANDMARK = 195
#: The cheek points whose distance is the face width.
CHEEK_POINTS = (234, 454)


def composite_face(
    top_image: np.ndarray,
    top_landmarks: np.ndarray,
    bottom_image: np.ndarray,
    bottom_landmarks: np.ndarray,
    *,
    misalign: float = 0.0,
    gap_px: int = 0,
    split_landmark: int = SPLIT_LANDMARK,
    background_color: tuple[int, int, int] = (255, 255, 255),
) -> FaceImage:
    """The top half of one aligned face on the bottom half of another.

    Parameters
    ----------
    top_image, bottom_image : numpy.ndarray
        Aligned faces, RGB uint8 of one shape.
    top_landmarks, bottom_landmarks : array_like
        Their meshes on that canvas.
    misalign : float
        Sideways shift of the bottom half, as a fraction of the face width (0: aligned).
    gap_px : int
        Pixels of ``background_color`` between the halves.
    split_landmark : int
        The mesh point the split line passes through (see the module's method).
    background_color : tuple of int
        RGB colour of the gap and of pixels the shifted bottom half no longer covers.

    Returns
    -------
    FaceImage
        The composite, and a mesh made of the top face's points above the line and the
        bottom face's (shifted) points below it.

    Examples
    --------
    >>> from pyfame.face.geometry.example_face import example_face
    >>> face = example_face()
    >>> c = composite_face(face.image, face.landmarks, face.image, face.landmarks)
    >>> bool((c.image == face.image).all())                   # a face with itself
    True
    """
    top = as_rgb_image(top_image, "top_image")
    bottom = as_rgb_image(bottom_image, "bottom_image")
    check_same_shape(bottom, top, "bottom_image", "top_image")
    top_mesh = as_landmarks(top_landmarks, "top_landmarks")
    bottom_mesh = as_landmarks(bottom_landmarks, "bottom_landmarks")
    misalign = check_float(misalign, "misalign")
    gap = check_int(gap_px, "gap_px", low=0)
    split = check_int(split_landmark, "split_landmark", low=0, high=N_LANDMARKS - 1)
    color = np.array(check_color(background_color, "background_color"), np.uint8)

    along = np.zeros(2)
    for mesh in (top_mesh, bottom_mesh):
        eyes = eye_centres(mesh)
        along += (eyes[1] - eyes[0]) / max(float(np.linalg.norm(eyes[1] - eyes[0])), 1e-9)
    norm = float(np.linalg.norm(along))
    if norm < 1e-6:
        raise PyfameValueError("top_landmarks, bottom_landmarks: the two faces' eye lines point opposite ways")
    along /= norm
    down = np.array([-along[1], along[0]])  # the eye line turned 90 degrees: towards the chin
    anchor = (top_mesh[split, :2] + bottom_mesh[split, :2]) / 2
    width = np.mean([np.linalg.norm(m[CHEEK_POINTS[1], :2] - m[CHEEK_POINTS[0], :2]) for m in (top_mesh, bottom_mesh)])
    shift = np.rint(misalign * width * along + gap * down).astype(np.int64)

    h, w = top.shape[:2]
    ys, xs = np.mgrid[0:h, 0:w]
    above = (xs - anchor[0]) * down[0] + (ys - anchor[1]) * down[1] < 0
    # the bottom image's pixel (x - dx, y - dy) lands at (x, y) when it lies below its line
    sx, sy = xs - shift[0], ys - shift[1]
    inside = (sx >= 0) & (sx < w) & (sy >= 0) & (sy < h)
    below = inside & ((sx - anchor[0]) * down[0] + (sy - anchor[1]) * down[1] >= 0) & ~above
    out = np.empty_like(top)
    out[:] = color
    out[above] = top[above]
    out[below] = bottom[sy[below], sx[below]]

    top_side = (top_mesh[:, 0] - anchor[0]) * down[0] + (top_mesh[:, 1] - anchor[1]) * down[1] < 0
    mesh = np.where(top_side[:, None], top_mesh, bottom_mesh + np.append(shift, 0))
    return FaceImage(out, mesh.astype(np.float32))
