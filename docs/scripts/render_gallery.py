"""Gallery of manipulations on the sample face at peak weight: docs/gallery_*.png.

    python docs/scripts/render_gallery.py
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

import pyfame.core as pf
from pyfame.pipeline.in_memory import apply_layers_to_frames
from pyfame.samples import sample_face

CROP = (130, 20, 350, 260)


def labelled(image: np.ndarray, label: str) -> np.ndarray:
    x0, y0, x1, y1 = CROP
    tile = np.ascontiguousarray(image[y0:y1, x0:x1])
    tile = cv2.copyMakeBorder(tile, 24, 0, 0, 0, cv2.BORDER_CONSTANT, value=(255, 255, 255))
    cv2.putText(tile, label, (4, 17), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1, cv2.LINE_AA)
    return tile


def sheet(name: str, cases: list[tuple[str, list]]) -> Path:
    face = sample_face()
    tiles = [labelled(face, "original")]
    tiles += [labelled(apply_layers_to_frames(face, layers), label) for label, layers in cases]
    cols = 4
    while len(tiles) % cols:
        tiles.append(np.full_like(tiles[0], 255))
    rows = [np.concatenate(tiles[i:i + cols], axis=1) for i in range(0, len(tiles), cols)]
    target = Path(__file__).resolve().parents[1] / f"gallery_{name}.png"
    cv2.imwrite(str(target), cv2.cvtColor(np.concatenate(rows, axis=0), cv2.COLOR_RGB2BGR))
    return target


def coloring() -> Path:
    return sheet("coloring", [
        ("red +8", [pf.ColorShift(shift_color="red")]),
        ("green +8", [pf.ColorShift(shift_color="green")]),
        ("yellow +8", [pf.ColorShift(shift_color="yellow")]),
        ("blue +8", [pf.ColorShift(shift_color="blue")]),
        ("saturation -30", [pf.SaturationShift(shift_magnitude=-30)]),
        ("saturation +30", [pf.SaturationShift(shift_magnitude=30)]),
        ("brightness +20", [pf.BrightnessShift(shift_magnitude=20)]),
        ("brightness -20", [pf.BrightnessShift(shift_magnitude=-20)]),
        ("red +15, cheeks", [pf.ColorShift(shift_color="red", shift_magnitude=15, landmark_regions=pf.CHEEKS_PATH)]),
        ("red cheeks + dark brows", [pf.ColorShift(shift_magnitude=15, landmark_regions=pf.CHEEKS_PATH),
                                     pf.BrightnessShift(shift_magnitude=-25, landmark_regions=pf.EYES_MASK)]),
    ])


GALLERIES = {"coloring": coloring}


if __name__ == "__main__":
    for make in GALLERIES.values():
        print(make())
