"""Masking, occlusion, bars, bubbles, blur and noise: where they act, and nowhere else."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

import pyfame.core as pf
from pyfame.errors import PyfameTypeError, PyfameValueError
from pyfame.face.region_mask import region_mask
from pyfame.face.tracker import FaceTracker
from pyfame.io import open_source, read_image, read_image_with_alpha
from pyfame.provenance import read_sidecar

from .conftest import greenish, listing, paint_outside


@pytest.fixture(scope="module")
def still_faces(face_image):
    face = read_image(face_image)
    with FaceTracker(mode="image") as tracker:
        return face, tracker.track(face)


def test_mask_keeps_the_region_and_paints_the_rest(face_image, tmp_path, still_faces):
    face, faces = still_faces
    (r,) = pf.mask_face_region(face_image, tmp_path, mask_type=pf.FACE_OVAL_MASK, background_color=(255, 0, 0))
    out = read_image(r.output)
    alpha = region_mask(faces, pf.FACE_OVAL_MASK, face.shape).full()
    assert r.output.parent.name == "Masked"
    assert np.array_equal(out[alpha == 1], read_image(face_image)[alpha == 1])
    assert (out[alpha == 0] == (0, 0, 255)).all()  # BGR (255, 0, 0) is blue


def test_mask_several_regions_and_transparent_png(face_image, tmp_path, still_faces):
    face, faces = still_faces
    jpg = tmp_path / "face.jpg"
    cv2.imwrite(str(jpg), cv2.imread(str(face_image)))
    (r,) = pf.mask_face_region(jpg, tmp_path, mask_type=[pf.EYES_MASK, pf.MOUTH_MASK], transparent=True)
    assert r.output.suffix == ".png"
    rgb, alpha = read_image_with_alpha(r.output)
    expected = region_mask(faces, [pf.EYES_MASK, pf.MOUTH_MASK], face.shape).full()
    assert alpha is not None  # (the JPEG's landmarks differ from the PNG's by a fraction of a pixel)
    shown, wanted = alpha > 127, expected > 0.5
    assert (shown & wanted).sum() / (shown | wanted).sum() > 0.9
    assert alpha[faces.landmarks[0, 1, 1].astype(int), faces.landmarks[0, 1, 0].astype(int)] == 0  # nose hidden


def test_transparent_video_is_refused(talking_video, tmp_path):
    path, _ = talking_video
    with pytest.raises(PyfameValueError, match="transparent"):
        pf.mask_face_region(path, tmp_path, transparent=True)
    assert listing(tmp_path) == []


def test_occlusion_fills(face_image, tmp_path, still_faces):
    face, faces = still_faces
    eyes = region_mask(faces, pf.BOTH_EYES_PATH, face.shape).full()
    (black,) = pf.occlude_face_region(face_image, tmp_path)
    out = read_image(black.output)
    assert (out[eyes == 1] == 0).all() and np.array_equal(out[eyes == 0], face[eyes == 0])
    (tmp_path / "m").mkdir()
    (mean,) = pf.occlude_face_region(face_image, tmp_path / "m", occlusion_fill=pf.OCCLUSION_FILL_MEAN)
    filled = read_image(mean.output)[eyes == 1]
    assert filled.std(axis=0).max() < 1 and 90 < filled.mean() < 220  # one skin colour
    (tmp_path / "c").mkdir()
    (custom,) = pf.occlude_face_region(face_image, tmp_path / "c", fill_color=(0, 0, 255))  # BGR red
    assert (read_image(custom.output)[eyes == 1] == (255, 0, 0)).all()


def test_eye_bar_covers_both_eyes_on_a_rotating_face(media_dir, tmp_path):
    from pyfame.samples import write_moving_face_video

    path = media_dir / "rotating.mp4"
    write_moving_face_video(path, n_frames=30, fps=15, size=(320, 240), motion="rotate", audio=False,
                            degrees_per_frame=2.0, max_degrees=25.0)
    (r,) = pf.occlude_face_region(path, tmp_path, occlusion_fill=pf.OCCLUSION_FILL_BAR, crf=10)
    bar = pf.Occlusion(pf.BOTH_EYES_PATH, "bar")
    eye_idx = pf.BOTH_EYES_PATH.landmark_indices
    angles = []
    with open_source(path) as src, open_source(r.output) as out, FaceTracker() as tracker:
        for a, b in zip(src, out):
            faces = tracker.track(a.pixels, a.t)
            lm = faces.landmarks[0]
            (corners,) = bar.bar_corners(lm)
            poly = corners.astype(np.float32)
            assert all(cv2.pointPolygonTest(poly, (float(x), float(y)), False) >= 0 for x, y in lm[eye_idx, :2])
            eyes = lm[eye_idx, :2].round().astype(int)
            assert b.pixels[eyes[:, 1], eyes[:, 0]].max() < 40  # black over every eye landmark
            angles.append(np.degrees(np.arctan2(*(corners[1] - corners[0])[::-1])))
    assert max(angles) - min(angles) > 30  # the bar turned with the head


def test_blur_and_noise_change_the_region_only(face_image, tmp_path, still_faces):
    face, faces = still_faces
    oval = region_mask(faces, pf.FACE_OVAL_MASK, face.shape).full()
    cases = [
        (pf.blur_face_region, {"blur_method": "average", "k_size": 9}),
        (pf.blur_face_region, {"blur_method": pf.BLUR_METHOD_MEDIAN, "k_size": 7}),
        (pf.apply_noise, {"noise_method": "pixelate", "pixel_size": 8}),
        (pf.apply_noise, {"noise_method": "salt and pepper", "noise_prob": 0.3, "rand_seed": 1}),
        (pf.apply_noise, {"noise_method": pf.NOISE_METHOD_GAUSSIAN, "standard_dev": 20, "rand_seed": 1}),
    ]
    for i, (func, kwargs) in enumerate(cases):
        (tmp_path / str(i)).mkdir()
        (r,) = func(face_image, tmp_path / str(i), **kwargs)
        out = read_image(r.output).astype(int)
        changed = np.abs(out - face).max(axis=2) > 0
        assert changed[oval == 1].mean() > 0.2, kwargs
        assert not changed[oval == 0].any(), kwargs


def test_noise_over_the_whole_frame(face_image, tmp_path):
    (r,) = pf.apply_noise(face_image, tmp_path, noise_method="gaussian", standard_dev=10, mask_type=None, rand_seed=2)
    changed = np.abs(read_image(r.output).astype(int) - read_image(face_image)).max(axis=2) > 0
    assert changed[:50, :50].mean() > 0.5  # the background corner too


def test_pixelation_averages_face_pixels_only(still_faces):
    face, faces = still_faces
    painted, oval = paint_outside(face, faces, pf.FACE_OVAL_MASK)
    for size in (6, 16, 32):
        out = pf.Noise("pixelate", pixel_size=size).apply(painted.copy(), faces, 0.0, np.random.default_rng(0))
        assert not greenish(out[oval == 1]).any(), size  # no square on the edge tinted by the background
        assert np.array_equal(out[oval == 0], painted[oval == 0])


def test_pixelation_squares_are_pixel_size_mask_weighted_means(still_faces):
    face, faces = still_faces
    size = 10
    mask = region_mask(faces, pf.FACE_OVAL_MASK, face.shape)
    out = pf.Noise("pixelate", pixel_size=size).apply(face.copy(), faces, 0.0, np.random.default_rng(0))
    x0, y0, x1, y1 = mask.box
    inner = mask.alpha == 1
    checked = 0
    for by in range(y0, y1, size):
        for bx in range(x0, x1, size):
            w = mask.alpha[by - y0:by - y0 + size, bx - x0:bx - x0 + size]
            core = inner[by - y0:by - y0 + size, bx - x0:bx - x0 + size]
            if not core.any():
                continue
            h, w_ = w.shape  # squares cut by the mask's box average what they hold
            block = face[by:by + h, bx:bx + w_].astype(float)
            want = (block * w[..., None]).sum(axis=(0, 1)) / w.sum()
            got = out[by:by + h, bx:bx + w_][core]
            assert np.abs(got - want).max() <= 0.5 + 1e-3  # one colour per square: the weighted mean
            checked += 1
    assert checked > 50


def test_default_gaussian_noise_is_visible(face_image, tmp_path, still_faces):
    face, faces = still_faces
    (r,) = pf.apply_noise(face_image, tmp_path, noise_method="gaussian", rand_seed=1)
    oval = region_mask(faces, pf.FACE_OVAL_MASK, face.shape).full() == 1
    diff = read_image(r.output)[oval].astype(int) - face[oval]
    assert diff.std() > 15  # grain at a glance (the seed's SD of 0.5 moved pixels by 2 levels at most)
    assert (np.abs(diff).max(axis=1) > 10).mean() > 0.5
    assert read_sidecar(r.output)["layers"][0]["params"]["standard_dev"] == 25.0


def test_seeds_make_bubbles_reproducible(face_image, tmp_path):
    outs = []
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        (tmp_path / name).mkdir()
        (r,) = pf.occlude_face_region(face_image, tmp_path / name, occlusion_fill="bubbles", n_bubbles=8, rand_seed=seed)
        outs.append(r)
    assert outs[0].output.read_bytes() == outs[1].output.read_bytes()
    assert outs[0].output.read_bytes() != outs[2].output.read_bytes()
    draws = [read_sidecar(r.output)["layers"][0]["draws"]["centres_px_first_face_frame"] for r in outs]
    assert draws[0] == draws[1] != draws[2] and len(draws[0]) == 8


def revealed(layer, face, faces):
    white = np.full_like(face, 255)
    black = np.zeros_like(face)
    layer.fill = (0, 0, 0)
    out = layer.apply(white, faces, 0.0, np.random.default_rng(0))
    layer.start(None)
    del black
    oval = region_mask(faces, pf.FACE_OVAL_MASK, face.shape).full() == 1
    return out[..., 0][oval].mean() / 255.0


def test_bubbles_reveal_more_with_more_and_bigger_bubbles(still_faces):
    face, faces = still_faces
    few = revealed(pf.Bubbles(5, 0.04), face, faces)
    many = revealed(pf.Bubbles(40, 0.04), face, faces)
    big = revealed(pf.Bubbles(5, 0.10), face, faces)
    assert 0 < few < many and few < big < 1


def test_bubble_centres_lie_inside_the_face(still_faces):
    face, faces = still_faces
    layer = pf.Bubbles(50, 0.03)
    layer.apply(face, faces, 0.0, np.random.default_rng(3))
    oval = region_mask(faces, pf.FACE_OVAL_MASK, face.shape).full()
    centres = np.array(layer.draws()["centres_px_first_face_frame"])
    assert (oval[centres[:, 1].astype(int), centres[:, 0].astype(int)] > 0).all()


def test_bubbles_stay_on_the_face_in_video(talking_video, tmp_path):
    path, transforms = talking_video
    (r,) = pf.occlude_face_region(path, tmp_path, occlusion_fill="bubbles", n_bubbles=6, rand_seed=1)
    uv = np.array(read_sidecar(r.output)["layers"][0]["draws"]["centres_face_coords"][0])
    assert uv.shape == (6, 2) and np.abs(uv).max() < 2.0  # face units: within the face


@pytest.mark.parametrize(
    "func, kwargs, error, name",
    [
        (pf.blur_face_region, {"k_size": 0}, PyfameValueError, "k_size"),
        (pf.blur_face_region, {"k_size": 8}, PyfameValueError, "odd"),
        (pf.blur_face_region, {"k_size": 7.0}, PyfameTypeError, "k_size"),
        (pf.blur_face_region, {"blur_method": "motion"}, PyfameValueError, "blur_method"),
        (pf.apply_noise, {"noise_prob": 1.5}, PyfameValueError, "noise_prob"),
        (pf.apply_noise, {"noise_method": "perlin"}, PyfameValueError, "noise_method"),
        (pf.apply_noise, {"pixel_size": 1}, PyfameValueError, "pixel_size"),
        (pf.apply_noise, {"pixel_size": 400}, PyfameValueError, "pixel_size"),
        (pf.apply_noise, {"standard_dev": -1}, PyfameValueError, "standard_dev"),
        (pf.apply_noise, {"rand_seed": -3}, PyfameValueError, "rand_seed"),
        (pf.mask_face_region, {"mask_type": 999}, PyfameValueError, "mask_type"),
        (pf.mask_face_region, {"background_color": (0, 0, 300)}, PyfameValueError, "background_color"),
        (pf.mask_face_region, {"background_color": "not-a-colour"}, PyfameValueError, "background_color"),
        (pf.mask_face_region, {"background_color": 7}, PyfameTypeError, "background_color"),
        (pf.occlude_face_region, {"occlusion_fill": "glitter"}, PyfameValueError, "occlusion_fill"),
        (pf.occlude_face_region, {"landmarks_to_occlude": 2.5}, PyfameTypeError, "landmarks_to_occlude"),
        (pf.occlude_face_region, {"occlusion_fill": "bubbles", "n_bubbles": 0}, PyfameValueError, "n_bubbles"),
        (pf.occlude_face_region, {"occlusion_fill": "bubbles", "bubble_sigma": 0}, PyfameValueError, "sigma"),
        (pf.occlude_face_region, {"sparkle": 1}, PyfameTypeError, "sparkle"),
    ],
)
def test_bad_arguments(face_image, tmp_path, func, kwargs, error, name):
    with pytest.raises(error, match=name):
        func(face_image, tmp_path, **kwargs)
    assert listing(tmp_path) == []
