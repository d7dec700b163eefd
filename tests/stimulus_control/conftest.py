"""Faces for the stimulus-control tests, made at run time from the shipped sample face.

A "set" is the sample face under four poses and lightings (rotation, scale, gamma, gain, a
colour cast), each tracked once per session with the face tracker in image mode and cropped to
the same 160x160 box around its face, with the face oval as its mask.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import pytest

from pyfame.face.face_frame import face_width
from pyfame.face.faces import Faces
from pyfame.face.region_mask import region_mask
from pyfame.face.tracker import FaceTracker
from pyfame.samples import sample_face
from pyfame.samples.moving_face import FACE_CENTRE
from pyfame.face.regions import FACE_OVAL_PATH

CROP = 160
# (degrees, scale, gamma, gain, RGB cast): four photographs of one face that differ in
# luminance, contrast, colour and pose
VARIANTS = [
    (0.0, 1.0, 1.0, 1.0, (1.0, 1.0, 1.0)),
    (6.0, 1.05, 0.7, 0.9, (1.0, 0.95, 0.9)),
    (-5.0, 0.95, 1.4, 1.1, (0.9, 1.0, 1.05)),
    (3.0, 1.1, 1.0, 0.75, (1.05, 1.0, 0.95)),
]


@dataclass
class FaceSet:
    images: list[np.ndarray]  # uint8 RGB (CROP, CROP, 3)
    masks: list[np.ndarray]  # float32 face-oval masks, crisp (anti-aliased) edge
    soft_masks: list[np.ndarray]  # the same, feathered by 6 px
    widths: list[float]  # face width in pixels (cheek to cheek)


def photograph(face: np.ndarray, degrees: float, scale: float, gamma: float, gain: float, cast) -> np.ndarray:
    m = cv2.getRotationMatrix2D(FACE_CENTRE, degrees, scale)
    image = cv2.warpAffine(face, m, (face.shape[1], face.shape[0]), borderMode=cv2.BORDER_REFLECT)
    f = image.astype(np.float32) / 255.0
    f = np.clip(gain * f**gamma * np.asarray(cast, np.float32), 0.0, 1.0)
    return np.rint(f * 255.0).astype(np.uint8)


@pytest.fixture(scope="session")
def face_set() -> FaceSet:
    face = sample_face()
    out = FaceSet([], [], [], [])
    with FaceTracker(mode="image") as tracker:
        for variant in VARIANTS:
            image = photograph(face, *variant)
            landmarks = tracker.track(image).landmarks[0]
            cx, cy = landmarks[:, :2].mean(axis=0)
            x0, y0 = int(round(cx)) - CROP // 2, int(round(cy)) - CROP // 2
            crop = np.ascontiguousarray(image[y0:y0 + CROP, x0:x0 + CROP])
            local = Faces.from_landmarks(landmarks[None] - np.array([x0, y0, 0], np.float32), crop.shape)
            out.images.append(crop)
            out.masks.append(region_mask(local, FACE_OVAL_PATH, crop.shape).full())
            out.soft_masks.append(region_mask(local, FACE_OVAL_PATH, crop.shape, feather_px=6).full())
            out.widths.append(face_width(landmarks))
    return out


def ellipse_mask(shape: tuple[int, int], feather: float = 0.0) -> np.ndarray:
    """A centred ellipse (the face's place in a centred crop), float32, optionally feathered."""
    h, w = shape
    mask = np.zeros((h, w), np.uint8)
    cv2.ellipse(mask, (w // 2, h // 2), (int(w * 0.3), int(h * 0.4)), 0, 0, 360, 255, -1, cv2.LINE_AA)
    out = mask.astype(np.float32) / 255.0
    if feather > 0:
        out = cv2.GaussianBlur(out, (0, 0), feather)
    return out
