"""The Thatcher illusion (Thompson, 1980): the eyes and the mouth each turned upside down in
place, optionally with the whole face inverted.

Method
------
Each feature (by default the subject's left eye, right eye and the mouth, from the region
definitions of :mod:`pyfame.utils.landmarks`) is rasterised with
:func:`~pyfame.face.region_mask.region_mask`, grown by ``margin`` (so the lids and lip edges
turn with it) and feathered by ``feather`` (both in eye distances, so the result does not
depend on the image's resolution). The mask is made symmetric under a half turn about the
feature's centre (the pixel nearest the mean of its outline), and the pixels under it are
replaced by the same pixels turned 180 degrees about that centre, blended by the mask. A half
turn of a pixel grid about a pixel centre is exact (no resampling), so the turned feature is
as sharp as the original. Pixels outside the feathered masks are unchanged, bit for bit.

A half turn does not depend on the face's orientation, so a tilted face, or every frame of a
video, has its features turned about their own centres. ``invert_face=True`` then turns the
whole image upside down (the classic presentation: the inverted face looks normal, the
upright one grotesque).

Examples
--------
>>> from pyfame.face.geometry.example_face import example_face
>>> face = example_face()
>>> out = thatcherize_face(face.image, face.landmarks)
>>> changed = np.any(out.image != face.image, axis=2)
>>> bool(changed[100:110, 195:215].any()), bool(changed[300:, :].any())   # an eye, the chest
(True, False)
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import cv2
import numpy as np

from pyfame.errors import PyfameTypeError, PyfameValueError
from pyfame.face.faces import Faces
from pyfame.face.geometry.alignment import eye_centres
from pyfame.face.geometry.face_image import FaceImage
from pyfame.face.geometry.point_checks import as_landmarks, as_rgb_image
from pyfame.face.region_mask import region_mask
from pyfame.face.regions import Region, resolve_regions
from pyfame.validation import check_bool, check_float

#: The features turned by default: each eye on its own, and the mouth (outer lip line).
DEFAULT_FEATURES = ("left_eye", "right_eye", "mouth")
_ALIASES = {"eyes": ("left_eye", "right_eye"), "eyebrows": ("left_eyebrow", "right_eyebrow")}


def thatcherize_face(
    image: np.ndarray,
    landmarks: np.ndarray,
    features: Sequence[str | Region] = DEFAULT_FEATURES,
    *,
    margin: float = 0.08,
    feather: float = 0.06,
    invert_face: bool = False,
) -> FaceImage:
    """Turn each feature of a face upside down in place (the Thatcher illusion).

    Parameters
    ----------
    image : numpy.ndarray
        RGB uint8 ``(H, W, 3)``.
    landmarks : array_like
        The face's mesh in ``image`` pixels.
    features : sequence of str or Region
        The features, each turned about its own centre: region names of
        :mod:`pyfame.utils.landmarks` (``"left_eye"``, ``"right_eye"``, ``"mouth"``,
        ``"left_eyebrow"``, ``"nose"``, ...), ``"eyes"`` for both eyes, or Region objects.
    margin : float
        How far each feature's mask reaches beyond its outline, in eye distances.
    feather : float
        Width of the mask's soft edge, in eye distances (0 for a crisp edge).
    invert_face : bool
        Also turn the whole image upside down.

    Returns
    -------
    FaceImage
        The image and the mesh, with the points under each turned feature moved to where
        they are shown (and all of them turned with the image when ``invert_face``).

    Examples
    --------
    >>> from pyfame.face.geometry.example_face import example_face
    >>> face = example_face()
    >>> upside_down = thatcherize_face(face.image, face.landmarks, features=["mouth"], invert_face=True)
    >>> [round(float(v), 1) for v in upside_down.landmarks[10, :2] + face.landmarks[10, :2]]
    [511.0, 511.0]
    """
    frame = as_rgb_image(image)
    mesh = as_landmarks(landmarks)
    regions = _feature_regions(features)
    margin = check_float(margin, "margin", low=0.0)
    feather = check_float(feather, "feather", low=0.0)
    check_bool(invert_face, "invert_face")
    centres = eye_centres(mesh)
    eye_distance = float(np.linalg.norm(centres[1] - centres[0]))
    margin_px, feather_px = margin * eye_distance, feather * eye_distance

    out = frame.copy()
    result_mesh = mesh.copy()
    faces = Faces.from_landmarks(mesh[None].astype(np.float32), frame.shape)
    for region in regions:
        _turn_feature(out, result_mesh, mesh, faces, region, margin_px, feather_px)
    if invert_face:
        out = np.ascontiguousarray(out[::-1, ::-1])
        h, w = frame.shape[:2]
        result_mesh[:, 0] = (w - 1) - result_mesh[:, 0]
        result_mesh[:, 1] = (h - 1) - result_mesh[:, 1]
    return FaceImage(out, result_mesh.astype(np.float32))


def _feature_regions(features: Sequence[str | Region]) -> list[Region]:
    if isinstance(features, (str, Region)):
        features = [features]
    if not isinstance(features, (list, tuple)):
        raise PyfameTypeError(f"features must be a list of region names, got {type(features).__name__}")
    if len(features) == 0:
        raise PyfameValueError("features is empty: name at least one feature to turn")
    names: list[str | Region] = []
    for feature in features:
        if isinstance(feature, str) and feature.strip().lower() in _ALIASES:
            names.extend(_ALIASES[feature.strip().lower()])
        else:
            names.append(feature)
    regions = resolve_regions(names, "features")
    for region in regions:
        if region.side is not None:
            raise PyfameValueError(f"features: {region.name!r} is half of the face, not a feature to turn")
    return regions


def _turn_feature(
    out: np.ndarray,
    result_mesh: np.ndarray,
    mesh: np.ndarray,
    faces: Faces,
    region: Region,
    margin_px: float,
    feather_px: float,
) -> None:
    """Turn one feature of ``out`` (in place) and move the mesh points it carries."""
    h, w = out.shape[:2]
    outline = mesh[region.landmark_indices, :2]
    cx, cy = (int(round(v)) for v in outline.mean(axis=0))
    reach = np.abs(outline - (cx, cy)).max(axis=0) + margin_px + 2.0 * feather_px + 2.0
    rx = min(int(math.ceil(reach[0])), cx, w - 1 - cx)
    ry = min(int(math.ceil(reach[1])), cy, h - 1 - cy)
    if rx < 1 or ry < 1:  # the feature's centre is on or outside the frame's edge
        return
    box = (cx - rx, cy - ry, cx + rx + 1, cy + ry + 1)
    alpha = region_mask(faces, region, out.shape).within(box)
    if margin_px >= 0.5:
        size = 2 * int(round(margin_px)) + 1
        alpha = cv2.dilate(alpha, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size)))
    sigma = feather_px / 2.0
    if sigma > 0:
        k = int(round(8 * sigma + 1)) | 1
        alpha = cv2.GaussianBlur(alpha, (k, k), sigmaX=sigma, borderType=cv2.BORDER_CONSTANT)
    alpha = np.maximum(alpha, alpha[::-1, ::-1])  # symmetric under the half turn
    x0, y0, x1, y1 = box
    patch = out[y0:y1, x0:x1]
    base = patch.astype(np.float32)
    mixed = patch[::-1, ::-1].astype(np.float32) - base
    mixed *= alpha[..., None]
    mixed += base
    patch[:] = np.clip(np.rint(mixed), 0, 255).astype(np.uint8)  # alpha 0: the pixel itself

    # mesh points under the turned part now show at their half-turned position
    px = np.rint(mesh[:, 0]).astype(np.int64) - x0
    py = np.rint(mesh[:, 1]).astype(np.int64) - y0
    inside = (px >= 0) & (px < x1 - x0) & (py >= 0) & (py < y1 - y0)
    carried = np.zeros(len(mesh), bool)
    carried[inside] = alpha[py[inside], px[inside]] >= 0.5
    result_mesh[carried, 0] = 2 * cx - mesh[carried, 0]
    result_mesh[carried, 1] = 2 * cy - mesh[carried, 1]
