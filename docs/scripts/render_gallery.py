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
    tile = cv2.resize(np.ascontiguousarray(image[y0:y1, x0:x1]), (176, 192), interpolation=cv2.INTER_AREA)
    tile = cv2.copyMakeBorder(tile, 24, 0, 0, 0, cv2.BORDER_CONSTANT, value=(255, 255, 255))
    cv2.putText(tile, label, (3, 17), cv2.FONT_HERSHEY_SIMPLEX, 0.38, (0, 0, 0), 1, cv2.LINE_AA)
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
    cv2.imwrite(str(target), cv2.cvtColor(np.concatenate(rows, axis=0), cv2.COLOR_RGB2BGR),
                [cv2.IMWRITE_PNG_COMPRESSION, 9])
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
        ("+20, mesh oval, 3 px (0.2)", [pf.BrightnessShift(shift_magnitude=20, landmark_regions=pf.FACE_OVAL_MESH_PATH,
                                                          feather_px=3)]),
        ("brightness -20", [pf.BrightnessShift(shift_magnitude=-20)]),
        ("red +15, cheeks", [pf.ColorShift(shift_color="red", shift_magnitude=15, landmark_regions=pf.CHEEKS_PATH)]),
        ("red cheeks + dark brows", [pf.ColorShift(shift_magnitude=15, landmark_regions=pf.CHEEKS_PATH),
                                     pf.BrightnessShift(shift_magnitude=-25, landmark_regions=pf.EYES_MASK)]),
    ])


def occlusion() -> Path:
    return sheet("occlusion", [
        ("mask: face oval", [pf.Mask(pf.FACE_OVAL_MASK)]),
        ("mask: eyes+mouth, green", [pf.Mask([pf.EYES_MASK, pf.MOUTH_MASK], background_color=(0, 255, 0))]),
        ("mask: hemi left", [pf.Mask(pf.HEMI_FACE_LEFT_MASK, background_color=(0, 0, 0))]),
        ("occlude eyes: black", [pf.Occlusion(pf.BOTH_EYES_PATH)]),
        ("occlude: face mean", [pf.Occlusion([pf.BOTH_EYES_PATH, pf.MOUTH_PATH], "mean")]),
        ("eye bar", [pf.Occlusion(pf.BOTH_EYES_PATH, "bar")]),
        ("mouth bar, red", [pf.Occlusion(pf.MOUTH_PATH, "bar", fill_color=(200, 0, 0))]),
        ("bubbles 12, 0.06 face", [pf.Bubbles(12, 0.06)]),
        ("bubbles 30, 0.04, mean", [pf.Bubbles(30, 0.04, fill="mean")]),
        ("blur gaussian 21", [pf.Blur("gaussian", 21)]),
        ("blur median 11, feather", [pf.Blur("median", 11, feather_px=6)]),
        ("pixelate 12", [pf.Noise("pixelate", pixel_size=12)]),
        ("pixelate 32 (default)", [pf.Noise("pixelate")]),
        ("salt & pepper 0.2", [pf.Noise("salt and pepper", noise_prob=0.2)]),
        ("gaussian noise, default (sd 25)", [pf.Noise("gaussian")]),
        ("noise whole frame", [pf.Noise("gaussian", standard_dev=25, mask_type=None)]),
    ])


def pld_and_scrambling() -> Path:
    return sheet("pld_scrambling", [
        ("point-light, whole face", [pf.PointLightDisplay()]),
        ("point-light, density 0.3", [pf.PointLightDisplay(point_density=0.3, point_radius=3)]),
        ("point-light, eyes+mouth", [pf.PointLightDisplay([pf.EYES_MASK, pf.MOUTH_MASK], point_radius=2)]),
        ("grid scramble, default 40 px", [pf.GridScramble()]),
        ("grid scramble, high, 30 px", [pf.GridScramble("high", 30)]),
        ("grid scramble, low, 20 px, t=2", [pf.GridScramble("low", 20, 2)]),
        ("landmark scramble", [pf.LandmarkScramble()]),
        ("phase scramble (default)", [pf.PhaseScramble()]),
        ("phase scramble, coherence 0.5", [pf.PhaseScramble(0.5)]),
        ("grid scramble, grayscale", [pf.GridScramble("high", 30, out_grayscale=True)]),
    ])


def spatial_frequency() -> Path:
    sf = pf.SpatialFrequencyFilter
    return sheet("spatial_frequency", [
        ("low-pass 4 cpf", [sf(high_cpf=4)]),
        ("low-pass 8 cpf, grey", [sf(high_cpf=8, grayscale=True)]),
        ("low-pass 8 cpf, Butterworth", [sf(high_cpf=8, filter_type="butterworth", grayscale=True)]),
        ("high-pass 8 cpf, grey", [sf(low_cpf=8, high_cpf=None, grayscale=True)]),
        ("high-pass 8 cpf, RMS kept", [sf(low_cpf=8, high_cpf=None, equate_rms=True, grayscale=True)]),
        ("band 4-16 cpf, RMS kept", [sf(low_cpf=4, high_cpf=16, equate_rms=True, grayscale=True)]),
        ("low-pass 6 cpf, whole frame", [sf(high_cpf=6, regions=None, grayscale=True)]),
    ])


GALLERIES = {"coloring": coloring, "occlusion": occlusion, "pld_scrambling": pld_and_scrambling,
             "spatial_frequency": spatial_frequency}


if __name__ == "__main__":
    import sys

    for name in sys.argv[1:] or GALLERIES:  # python docs/scripts/render_gallery.py [name ...]
        print(GALLERIES[name]())
