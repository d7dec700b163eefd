"""Checks on the arrays the geometry functions take: point sets, face meshes and images.

Every check raises a typed error from :mod:`pyfame.errors` whose message names the
parameter, before any work starts.

Examples
--------
>>> as_points([[0, 0], [1, 2]], "source_points").tolist()
[[0.0, 0.0], [1.0, 2.0]]
>>> as_points([[0, float("nan")]], "source_points")
Traceback (most recent call last):
...
pyfame.errors.PyfameValueError: source_points must hold finite coordinates; point 0 is [0.0, nan]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from pyfame.errors import ImageShapeError, PyfameTypeError, PyfameValueError
from pyfame.face.faces import N_LANDMARKS


def as_points(points: Any, name: str, count: int | None = None) -> np.ndarray:
    """Points as float64 ``(n, 2)``: the x and y of an ``(n, 2)`` or ``(n, 3)`` array.

    Parameters
    ----------
    points : array_like
        ``(n, 2)`` or ``(n, 3)`` numbers; a third column (depth) is ignored.
    name : str
        The parameter's name, for error messages.
    count : int, optional
        The number of points required.
    """
    array = _numeric_array(points, name)
    if array.ndim != 2 or array.shape[1] not in (2, 3):
        raise PyfameValueError(f"{name} must be an (n, 2) or (n, 3) array of points, got shape {array.shape}")
    if count is not None and array.shape[0] != count:
        raise PyfameValueError(f"{name} must hold {count} points, got {array.shape[0]}")
    xy = array[:, :2].astype(np.float64)
    _check_finite(xy, name)
    return xy


def as_landmarks(landmarks: Any, name: str = "landmarks") -> np.ndarray:
    """One face's mesh as float64 ``(478, 3)`` (a missing depth column becomes 0).

    Examples
    --------
    >>> as_landmarks(np.zeros((478, 2))).shape
    (478, 3)
    """
    array = _numeric_array(landmarks, name)
    if array.ndim == 3 and array.shape[0] == 1:  # Faces.landmarks of a one-face frame
        array = array[0]
    if array.ndim != 2 or array.shape[0] != N_LANDMARKS or array.shape[1] not in (2, 3):
        raise PyfameValueError(
            f"{name} must be one face's mesh, ({N_LANDMARKS}, 2) or ({N_LANDMARKS}, 3), got shape {array.shape}"
        )
    out = np.zeros((N_LANDMARKS, 3), np.float64)
    out[:, : array.shape[1]] = array
    _check_finite(out, name)
    return out


def as_landmark_list(landmarks_list: Any, name: str) -> list[np.ndarray]:
    """Several faces' meshes, each as :func:`as_landmarks` returns it."""
    if isinstance(landmarks_list, np.ndarray) and landmarks_list.ndim == 3:
        items: Sequence[Any] = list(landmarks_list)
    elif isinstance(landmarks_list, (list, tuple)):
        items = landmarks_list
    else:
        raise PyfameTypeError(
            f"{name} must be a list of meshes or an (n, {N_LANDMARKS}, 3) array, got {type(landmarks_list).__name__}"
        )
    if len(items) == 0:
        raise PyfameValueError(f"{name} is empty")
    return [as_landmarks(item, f"{name}[{i}]") for i, item in enumerate(items)]


def as_rgb_image(image: Any, name: str = "image") -> np.ndarray:
    """An RGB ``uint8`` ``(H, W, 3)`` image, as PyFAME keeps frames (C-contiguous)."""
    if not isinstance(image, np.ndarray):
        raise PyfameTypeError(f"{name} must be a numpy array, got {type(image).__name__}")
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ImageShapeError(f"{name} must be RGB uint8 (H, W, 3), got {image.dtype} {image.shape}")
    if image.shape[0] < 2 or image.shape[1] < 2:
        raise ImageShapeError(f"{name} must be at least 2x2 pixels, got {image.shape}")
    return np.ascontiguousarray(image)


def as_warpable_image(image: Any, name: str = "image") -> np.ndarray:
    """An image the warps take: ``uint8`` or ``float32``, ``(H, W)`` or ``(H, W, C)`` with
    1 to 4 channels."""
    if not isinstance(image, np.ndarray):
        raise PyfameTypeError(f"{name} must be a numpy array, got {type(image).__name__}")
    if image.dtype not in (np.uint8, np.float32):
        raise ImageShapeError(f"{name} must be uint8 or float32, got {image.dtype}")
    if image.ndim not in (2, 3) or (image.ndim == 3 and not 1 <= image.shape[2] <= 4):
        raise ImageShapeError(f"{name} must be (H, W) or (H, W, C) with 1 to 4 channels, got {image.shape}")
    if image.shape[0] < 2 or image.shape[1] < 2:
        raise ImageShapeError(f"{name} must be at least 2x2 pixels, got {image.shape}")
    return np.ascontiguousarray(image)


def check_same_shape(image: np.ndarray, reference: np.ndarray, name: str, reference_name: str) -> None:
    """Raise ImageShapeError unless ``image`` has the shape of ``reference``."""
    if image.shape != reference.shape:
        raise ImageShapeError(
            f"{name} must have the shape of {reference_name}, {reference.shape}, got {image.shape}; "
            "align the faces to one canvas first (align_face), never stretch them"
        )


def check_size(size: Any, name: str = "size") -> tuple[int, int]:
    """A canvas size ``(width, height)`` of two ints >= 2."""
    if isinstance(size, (str, bytes)) or not isinstance(size, Sequence) or len(size) != 2:
        raise PyfameTypeError(f"{name} must be (width, height), got {size!r}")
    out = []
    for i, v in enumerate(size):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise PyfameTypeError(f"{name}[{i}] must be an int, got {type(v).__name__} ({v!r})")
        if v < 2:
            raise PyfameValueError(f"{name}[{i}] must be >= 2, got {v}")
        out.append(int(v))
    return out[0], out[1]


def _numeric_array(value: Any, name: str) -> np.ndarray:
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as exc:  # ragged lists
        raise PyfameValueError(f"{name} must be an array of numbers: {exc}") from exc
    if array.dtype == bool or not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)):
        raise PyfameTypeError(f"{name} must hold numbers, got dtype {array.dtype}")
    return array


def _check_finite(array: np.ndarray, name: str) -> None:
    finite = np.isfinite(array).all(axis=1)
    if not finite.all():
        first = int(np.flatnonzero(~finite)[0])
        raise PyfameValueError(f"{name} must hold finite coordinates; point {first} is {array[first].tolist()}")
