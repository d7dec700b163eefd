"""Render every predefined region and mask type on the sample face: docs/regions.png.

    python docs/scripts/render_regions.py
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from pyfame.face.region_mask import region_mask
from pyfame.face.tracker import FaceTracker
from pyfame.samples import sample_face
from pyfame.face import regions as L

TILE = 170
CROP = (150, 40, 330, 220)  # x0, y0, x1, y1 of the head in the 512x512 sample


def tile(face: np.ndarray, faces, region, label: str) -> np.ndarray:
    mask = region_mask(faces, region, face.shape).full()
    tint = np.array([255, 40, 40], np.float32)
    out = face.astype(np.float32) * (1 - 0.55 * mask[..., None]) + tint * 0.55 * mask[..., None]
    out = out.astype(np.uint8)
    edge = cv2.Canny((mask * 255).astype(np.uint8), 50, 150) > 0
    out[edge] = (255, 255, 0)
    x0, y0, x1, y1 = CROP
    crop = cv2.resize(out[y0:y1, x0:x1], (TILE, TILE), interpolation=cv2.INTER_AREA)
    crop = cv2.copyMakeBorder(crop, 22, 0, 0, 0, cv2.BORDER_CONSTANT, value=(255, 255, 255))
    cv2.putText(crop, label, (3, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.34, (0, 0, 0), 1, cv2.LINE_AA)
    return crop


def main() -> None:
    face = sample_face()
    with FaceTracker(mode="image") as tracker:
        faces = tracker.track(face)
    items = [(name, getattr(L, name)) for name in L.PATH_CONSTANT_NAMES]
    items += [(name, value) for name, value in L.MASK_CONSTANT_NAMES.items()]
    tiles = [tile(face, faces, value, name) for name, value in items]
    cols = 6
    while len(tiles) % cols:
        tiles.append(np.full_like(tiles[0], 255))
    rows = [np.concatenate(tiles[i:i + cols], axis=1) for i in range(0, len(tiles), cols)]
    sheet = np.concatenate(rows, axis=0)
    target = Path(__file__).resolve().parents[1] / "regions.png"
    cv2.imwrite(str(target), cv2.cvtColor(sheet, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_PNG_COMPRESSION, 9])
    print(target)


if __name__ == "__main__":
    main()
