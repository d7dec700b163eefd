"""Gallery of the face-geometry operations on two faces: docs/gallery_geometry.png.

Face A is the sample face (the astronaut, public domain). Face B is made from it: mirrored,
reshaped by a smooth non-rigid warp (a longer, narrower face with a wider jaw), larger, and
tinted, so that the two differ in shape, texture and size. Both are tracked once.

    python docs/scripts/render_geometry_gallery.py [--full-colour]

The sheet is stored with an adaptive 256-colour palette (it stays under 400 KB); pass
``--full-colour`` to write full 24-bit colour for a close look at seams.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np

from pyfame.face.geometry import (
    align_face,
    average_face,
    average_shape,
    caricature_face,
    composite_face,
    morph_face,
    shift_face_features,
    thatcherize_face,
    thin_plate_spline_warp,
)
from pyfame.face.geometry.caricature import caricature_landmarks
from pyfame.face.tracker import FaceTracker
from pyfame.samples import sample_face
from pyfame.samples.moving_face import FACE_CENTRE

CANVAS = (200, 232)  # (w, h) of every aligned face
TILE = (168, 195)  # (w, h) of a tile on the sheet
EYE_Y, EYE_DISTANCE = 0.38, 0.33
LABEL_PX = 18


def second_face(image: np.ndarray) -> np.ndarray:
    """The sample face mirrored, reshaped, enlarged and tinted: a different 'identity'."""
    h, w = image.shape[:2]
    mirrored = np.ascontiguousarray(image[:, ::-1])
    cx, cy = w - 1 - FACE_CENTRE[0], FACE_CENTRE[1]
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    window = np.exp(-((xs - cx) ** 2 + (ys - cy) ** 2) / (2 * 80.0**2))
    below = np.clip((ys - cy) / 60.0, 0, 1)  # the jaw widens, the face narrows above it
    sx = 1.0 / (0.9 + 0.2 * below)
    map_x = xs + (xs - cx) * (sx - 1) * window
    map_y = ys + (ys - cy) * (1 / 1.12 - 1) * window
    reshaped = cv2.remap(mirrored, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    zoom = cv2.getRotationMatrix2D((cx, cy), -4.0, 1.35)
    zoom[:, 2] += (w / 2 - cx, h / 2 - cy)
    enlarged = cv2.warpAffine(reshaped, zoom, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    hsv = cv2.cvtColor(enlarged, cv2.COLOR_RGB2HSV).astype(np.int16)
    hsv[..., 0] = (hsv[..., 0] + 6) % 180
    hsv[..., 2] = np.clip(hsv[..., 2] * 0.9, 0, 255)
    return cv2.cvtColor(hsv.astype(np.uint8), cv2.COLOR_HSV2RGB)


def tile(image: np.ndarray, label: str) -> np.ndarray:
    out = cv2.resize(image, TILE, interpolation=cv2.INTER_AREA)
    out = cv2.copyMakeBorder(out, LABEL_PX, 0, 0, 0, cv2.BORDER_CONSTANT, value=(255, 255, 255))
    cv2.putText(out, label, (3, 13), cv2.FONT_HERSHEY_SIMPLEX, 0.36, (0, 0, 0), 1, cv2.LINE_AA)
    return out


def face_crop(image: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    """The input around its face, at the tiles' aspect ratio."""
    x0, y0 = landmarks[:, :2].min(axis=0)
    x1, y1 = landmarks[:, :2].max(axis=0)
    cx, cy, half_h = (x0 + x1) / 2, (y0 + y1) / 2, 0.85 * (y1 - y0)
    half_w = half_h * CANVAS[0] / CANVAS[1]
    h, w = image.shape[:2]
    a, b = int(max(cx - half_w, 0)), int(min(cx + half_w, w))
    c, d = int(max(cy - half_h, 0)), int(min(cy + half_h, h))
    return np.ascontiguousarray(image[c:d, a:b])


def render(full_colour: bool = False) -> Path:
    faces = {"A": sample_face()}
    faces["B"] = second_face(faces["A"])
    with FaceTracker(mode="image") as tracker:
        meshes = {name: tracker.track(image).landmarks[0] for name, image in faces.items()}
    aligned = {
        name: align_face(faces[name], meshes[name], CANVAS, EYE_Y, EYE_DISTANCE) for name in faces
    }
    mean_shape = average_shape([aligned[n].landmarks for n in faces])

    rows = []
    for name in faces:
        a = aligned[name]
        vignetted = align_face(faces[name], meshes[name], CANVAS, EYE_Y, EYE_DISTANCE, vignette=True)
        caricature = caricature_face(a.image, a.landmarks, mean_shape, 2.0)
        tps = thin_plate_spline_warp(
            a.image, a.landmarks, caricature_landmarks(a.landmarks, mean_shape, 2.0)
        )
        rows.append([
            tile(face_crop(faces[name], meshes[name]), f"face {name} (input)"),
            tile(a.image, "aligned"),
            tile(vignetted.image, "aligned, vignette"),
            tile(caricature.image, "caricature 2.0"),
            tile(tps, "caricature 2.0, spline"),
            tile(caricature_face(a.image, a.landmarks, mean_shape, 0.0).image, "anti-caricature 0"),
            tile(thatcherize_face(a.image, a.landmarks).image, "Thatcher"),
            tile(thatcherize_face(a.image, a.landmarks, invert_face=True).image, "Thatcher, inverted"),
            tile(shift_face_features(a.image, a.landmarks, eye_spacing=0.2).image, "eyes apart 0.2"),
            tile(shift_face_features(a.image, a.landmarks, mouth_offset=0.2).image, "mouth down 0.2"),
        ])
    a, b = aligned["A"], aligned["B"]
    pair = [
        tile(morph_face(a.image, a.landmarks, b.image, b.landmarks, w).image, f"morph A-B {w:.2f}")
        for w in (0.25, 0.5, 0.75)
    ]
    pair += [
        tile(morph_face(a.image, a.landmarks, b.image, b.landmarks, 1.0, 0.0).image, "shape B, texture A"),
        tile(morph_face(a.image, a.landmarks, b.image, b.landmarks, 0.0, 1.0).image, "shape A, texture B"),
        tile(average_face([a.image, b.image], [a.landmarks, b.landmarks]).image, "average A+B"),
        tile(composite_face(a.image, a.landmarks, b.image, b.landmarks).image, "composite A/B"),
        tile(composite_face(a.image, a.landmarks, b.image, b.landmarks, misalign=0.5).image, "misaligned 0.5"),
        tile(composite_face(a.image, a.landmarks, b.image, b.landmarks, gap_px=4).image, "composite, gap 4"),
        tile(composite_face(b.image, b.landmarks, a.image, a.landmarks, misalign=-0.4, gap_px=3).image,
             "B/A, -0.4, gap 3"),
    ]
    rows.append(pair)
    sheet = np.concatenate([np.concatenate(row, axis=1) for row in rows], axis=0)
    target = Path(__file__).resolve().parents[1] / "gallery_geometry.png"
    if full_colour:
        cv2.imwrite(str(target), cv2.cvtColor(sheet, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_PNG_COMPRESSION, 9])
    else:
        from PIL import Image

        Image.fromarray(sheet).quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
            target, optimize=True
        )
    return target


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full-colour", action="store_true", help="24-bit colour (larger file)")
    path = render(parser.parse_args().full_colour)
    print(f"{path} ({path.stat().st_size / 1024:.0f} KB)")
