"""Gallery of stimulus control on the sample face: docs/gallery_stimulus_control.png.

    python docs/scripts/render_stimulus_gallery.py

Rows: a set of four photographs of the sample face (pose, exposure, contrast and colour cast
differ) before matching, after luminance matching and after exact histogram matching, each
labelled with its face-oval mean and SD of L*, with the four L* histograms in the face oval
beside them (they coincide after histogram matching); the face low-, high- and band-passed in cycles
per face width (inside the face oval; the high-pass on the grey face, as spatial-frequency
studies use: with chroma kept, dark hair raised to the mean luminance turns orange); a hybrid
of the face (low frequencies) and a cat (high frequencies, Chelsea from scikit-image, CC0,
inside the face oval where the cat's picture reaches); one reverse-correlation pair; and a
classification image recovered from 300 simulated responses to a planted template.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from pyfame.face.face_frame import face_width
from pyfame.face.faces import Faces
from pyfame.face.region_mask import region_mask
from pyfame.face.tracker import FaceTracker
from pyfame.samples import sample_face
from pyfame.samples.moving_face import FACE_CENTRE
from pyfame.stimulus_control import (
    classification_image,
    filter_spatial_frequency,
    generate_rc_stimuli,
    hybrid_image,
    match_statistics,
    template_correlation,
)
from pyfame.stimulus_control.luminance import luminance, weighted_mean_sd
from pyfame.face.regions import FACE_OVAL_PATH

CROP = 160  # the face's box: divisible by 16, as rcicr's noise needs
TILE = 116  # the manipulations
SET_TILE = 92  # the matched set (four to a row, beside a histogram plot)
WIDTH = 4 * (TILE + 2)
VARIANTS = [  # (degrees, scale, gamma, gain, RGB cast)
    (0.0, 1.0, 1.0, 1.0, (1.0, 1.0, 1.0)),
    (6.0, 1.05, 0.7, 0.9, (1.0, 0.95, 0.9)),
    (-5.0, 0.95, 1.4, 1.1, (0.9, 1.0, 1.05)),
    (3.0, 1.1, 1.0, 0.75, (1.05, 1.0, 0.95)),
]


def photographs() -> tuple[list[np.ndarray], list[np.ndarray], list[float], np.ndarray]:
    """The four face boxes, their soft face-oval masks, face widths, and the first's landmarks."""
    face = sample_face()
    images, masks, widths, first = [], [], [], None
    with FaceTracker(mode="image") as tracker:
        for degrees, scale, gamma, gain, cast in VARIANTS:
            m = cv2.getRotationMatrix2D(FACE_CENTRE, degrees, scale)
            image = cv2.warpAffine(face, m, (512, 512), borderMode=cv2.BORDER_REFLECT)
            f = np.clip(gain * (image / 255.0) ** gamma * np.asarray(cast), 0, 1)
            image = np.rint(f * 255).astype(np.uint8)
            landmarks = tracker.track(image).landmarks[0]
            cx, cy = landmarks[:, :2].mean(axis=0)
            x0, y0 = int(round(cx)) - CROP // 2, int(round(cy)) - CROP // 2
            local = landmarks - np.array([x0, y0, 0], np.float32)
            box = np.ascontiguousarray(image[y0:y0 + CROP, x0:x0 + CROP])
            images.append(box)
            masks.append(region_mask(Faces.from_landmarks(local[None], box.shape), FACE_OVAL_PATH, box.shape, feather_px=4).full())
            widths.append(face_width(landmarks))
            first = local if first is None else first
    return images, masks, widths, first  # type: ignore[return-value]


def tile(image: np.ndarray, label: str, size: int = TILE) -> np.ndarray:
    rgb = image if image.ndim == 3 else np.repeat(image[..., None], 3, axis=2)
    out = cv2.resize(rgb, (size, size), interpolation=cv2.INTER_AREA)
    out = cv2.copyMakeBorder(out, 20, 2, 1, 1, cv2.BORDER_CONSTANT, value=(255, 255, 255))
    cv2.putText(out, label, (3, 14), cv2.FONT_HERSHEY_SIMPLEX, 0.34, (0, 0, 0), 1, cv2.LINE_AA)
    return out


def stats_label(image: np.ndarray, mask: np.ndarray) -> str:
    mean, sd = weighted_mean_sd(luminance(image), mask)
    return f"L* {mean:.1f} / {sd:.1f}"


def histogram_plot(images: list[np.ndarray], masks: list[np.ndarray], label: str, width: int) -> np.ndarray:
    """The images' L* histograms in their masks (pixels of weight >= 0.5), one line each."""
    from pyfame.stimulus_control.luminance import quantise_luminance

    height = SET_TILE
    out = np.full((height + 22, width, 3), 255, np.uint8)
    cv2.putText(out, label, (3, 14), cv2.FONT_HERSHEY_SIMPLEX, 0.34, (0, 0, 0), 1, cv2.LINE_AA)
    colours = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40)]
    curves = []
    for image, mask in zip(images, masks):
        support = mask >= 0.5
        counts = np.bincount(quantise_luminance(luminance(image))[support], minlength=256)
        curves.append(np.convolve(counts / counts.sum(), np.ones(8) / 8, mode="same"))
    top = max(float(c.max()) for c in curves)
    xs = np.linspace(4, width - 4, 256)
    for curve, colour in zip(curves, colours):
        ys = 20 + height - 4 - curve / top * (height - 10)
        pts = np.stack([xs, ys], axis=1).round().astype(np.int32)
        cv2.polylines(out, [pts], False, colour, 1, cv2.LINE_AA)
    cv2.line(out, (4, 20 + height - 3), (width - 4, 20 + height - 3), (120, 120, 120), 1)
    return out


def cat_aligned(eyes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Chelsea the cat, moved so its eyes fall on the face's eyes (a similarity transform),
    and where the picture reaches (float32, 0 where the warp had no cat to show)."""
    from skimage.data import chelsea

    cat = chelsea()
    cat_eyes = np.array([[170.0, 115.0], [318.0, 135.0]])  # pupils, read off the picture
    m, _ = cv2.estimateAffinePartial2D(cat_eyes, eyes)
    warped = cv2.warpAffine(cat, m, (CROP, CROP), borderMode=cv2.BORDER_REPLICATE)
    reach = cv2.warpAffine(np.ones(cat.shape[:2], np.float32), m, (CROP, CROP), borderValue=0.0)
    reach = cv2.GaussianBlur(cv2.erode(reach, np.ones((5, 5), np.uint8)), (0, 0), 2.0)
    return warped, reach


def colour_z(z: np.ndarray, limit: float = 6.0) -> np.ndarray:
    """A z-map as blue (negative) - white - red (positive), NaN grey."""
    v = np.clip(np.nan_to_num(z, nan=0.0) / limit, -1, 1)
    out = np.empty(z.shape + (3,), np.float64)
    out[..., 0] = np.where(v > 0, 1.0, 1.0 + v)
    out[..., 1] = 1.0 - np.abs(v)
    out[..., 2] = np.where(v < 0, 1.0, 1.0 - v)
    out[np.isnan(z)] = 0.6
    return np.rint(out * 255).astype(np.uint8)


def planted_template(landmarks: np.ndarray) -> np.ndarray:
    """Darker eyes and a lighter mouth, as Gaussian blobs on the face."""
    yy, xx = np.mgrid[0:CROP, 0:CROP]

    def blob(i: int, s: float) -> np.ndarray:
        x, y = landmarks[i, :2]
        return np.exp(-((xx - x) ** 2 + (yy - y) ** 2) / (2 * s * s))

    t = -blob(468, 7) - blob(473, 7) + 1.3 * blob(13, 9)
    return ((t - t.mean()) / t.std()).astype(np.float32)


def render() -> Path:
    images, masks, widths, landmarks = photographs()
    plot_width = WIDTH - 4 * (SET_TILE + 2)
    rows = [[tile(im, stats_label(im, m), SET_TILE) for im, m in zip(images, masks)]
            + [histogram_plot(images, masks, "L* hist.: before", plot_width)]]
    for method, name in (("luminance", "lum. matched"), ("histogram", "hist. matched")):
        result = match_statistics(images, masks, method)
        # the histogram is matched on the pixels of weight >= 0.5: label what was matched
        shown = masks if method == "luminance" else [(m >= 0.5).astype(np.float32) for m in masks]
        rows.append([tile(im, stats_label(im, m), SET_TILE) for im, m in zip(result.images, shown)]
                    + [histogram_plot(result.images, masks, name, plot_width)])

    face, mask, width = images[0], masks[0], widths[0]
    grey = cv2.cvtColor(face, cv2.COLOR_RGB2GRAY)
    rows.append([
        tile(face, f"face, {width:.0f} px wide"),
        tile(filter_spatial_frequency(face, width, high_cpf=4.0, mask=mask), "low-pass 4 cpf"),
        tile(filter_spatial_frequency(grey, width, low_cpf=12.0, mask=mask), "high-pass 12 cpf, grey"),
        tile(filter_spatial_frequency(face, width, low_cpf=6.0, high_cpf=12.0, mask=mask, equate_rms=True), "6-12 cpf, RMS kept"),
    ])

    eyes = landmarks[[468, 473], :2].astype(np.float64)
    cat, reach = cat_aligned(eyes)
    stimuli = generate_rc_stimuli(face, n_trials=300, seed=1, mask=mask)
    ori, inv = stimuli.pair(1)
    rows.append([
        tile(np.rint(cat * reach[..., None] + 255 * (1 - reach[..., None])).astype(np.uint8), "cat, eyes aligned"),
        tile(hybrid_image(face, cat, 8.0, width, mask * reach), "hybrid at 8 cpf"),
        tile(ori, "rc trial 1: ori"),
        tile(inv, "rc trial 1: inv"),
    ])

    template = planted_template(landmarks) * mask
    evidence = stimuli.params @ stimuli.basis.project(template)
    rng = np.random.default_rng(0)
    responses = np.where(evidence / evidence.std() + rng.normal(size=len(evidence)) > 0, 1, -1)
    ci = classification_image(stimuli, responses)
    r = template_correlation(ci.ci, template, mask)
    rows.append([
        tile(np.rint((template / np.abs(template).max() + 1) * 127.5).astype(np.uint8), "planted template"),
        tile(np.rint(ci.scaled() * 255).astype(np.uint8), f"CI, 300 trials, r={r:.2f}"),
        tile(ci.combined(face), "CI on the base"),
        tile(colour_z(ci.zmap), "z-map, -6 to +6"),
    ])

    sheet = np.concatenate([np.concatenate(row, axis=1) for row in rows], axis=0)
    target = Path(__file__).resolve().parents[1] / "gallery_stimulus_control.png"
    cv2.imwrite(str(target), cv2.cvtColor(sheet, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_PNG_COMPRESSION, 9])
    return target


if __name__ == "__main__":
    path = render()
    print(f"{path} ({path.stat().st_size / 1024:.0f} KB)")
