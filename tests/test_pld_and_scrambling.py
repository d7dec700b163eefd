"""Point-light displays and scrambles: dots on landmarks, permutations of squares, phase spectra."""

from __future__ import annotations

import cv2
import numpy as np
import pandas as pd
import pytest

import pyfame.core as pf
from pyfame.core.scrambling.grid_scramble import bounded_permutation
from pyfame.errors import PyfameTypeError, PyfameValueError
from pyfame.face.faces import Faces
from pyfame.face.region_mask import region_mask
from pyfame.face.tracker import FaceTracker
from pyfame.io import open_source, read_image
from pyfame.provenance import read_sidecar

from .conftest import greenish, listing, paint_outside


@pytest.fixture(scope="module")
def still(face_image):
    face = read_image(face_image)
    with FaceTracker(mode="image") as tracker:
        return face, tracker.track(face)


def test_pld_dots_lie_on_landmarks_over_an_exact_background(talking_video, tmp_path):
    path, _ = talking_video
    (r,) = pf.generate_point_light_display(path, tmp_path, point_color=(255, 255, 255), point_radius=0, crf=0)
    assert r.output.parent.name == "PLD"
    traj = pd.read_csv(r.output.with_name("talking_trajectories.csv"))
    assert {"frame", "timestamp_s", "dot", "landmark", "x", "y"} <= set(traj.columns)
    assert traj["frame"].nunique() == 48
    with open_source(r.output) as out:
        first = next(iter(out)).pixels
    lit = first.max(axis=2) > 128
    dots = traj[traj["frame"] == 0]
    xs, ys = dots["x"].round().astype(int), dots["y"].round().astype(int)
    assert lit[ys, xs].mean() > 0.95  # the dots are where the landmarks are
    near = np.zeros_like(lit)
    for x, y in zip(xs, ys):
        near[max(y - 2, 0):y + 3, max(x - 2, 0):x + 3] = True
    assert not lit[~near].any()  # nothing lit away from the dots
    assert (first[~near] <= 2).all()  # the background is black (up to lossless-codec rounding)


def test_pld_density_keeps_half_the_same_dots(talking_video, tmp_path):
    path, _ = talking_video
    (full,) = pf.generate_point_light_display(path, tmp_path, point_density=1.0)
    (tmp_path / "half").mkdir()
    (half,) = pf.generate_point_light_display(path, tmp_path / "half", point_density=0.5)
    n_full = len(read_sidecar(full.output)["layers"][0]["draws"]["dot_landmarks"])
    kept = read_sidecar(half.output)["layers"][0]["draws"]["dot_landmarks"]
    assert abs(len(kept) - n_full / 2) <= 1 and n_full > 100  # the whole face: outline and mesh inside
    traj = pd.read_csv(half.output.with_name("talking_trajectories.csv"))
    per_frame = traj.groupby("frame")["landmark"].apply(tuple)
    assert per_frame.nunique() == 1 and list(per_frame.iloc[0]) == kept  # the same dots every frame


def test_pld_history_draws_lines(face_image, tmp_path, still):
    face, faces = still
    layer = pf.PointLightDisplay(show_history=True, history_mode="relative", history_color=(255, 0, 0))
    layer.start(pf.SourceInfo("video", face.shape[1], face.shape[0], 30.0, 10, 1.0))
    rng = np.random.default_rng(0)
    layer.apply(face, faces, 0.0, rng)
    from pyfame.face.faces import Faces

    moved = Faces.from_landmarks(faces.landmarks + np.array([6, 0, 0], np.float32), face.shape)
    out = layer.apply(face, moved, 0.1, rng)
    assert ((out[..., 0] > 200) & (out[..., 1] < 50)).any()  # red history lines


def test_grid_scramble_is_a_permutation_of_face_squares(face_image, tmp_path, still):
    face, faces = still
    size = 12
    oval = region_mask(faces, pf.FACE_OVAL_MASK, face.shape).full()
    deep = cv2.erode((oval == 1).astype(np.uint8), np.ones((3, 3), np.uint8), iterations=4).astype(bool)
    for method, threshold in (("high", 2), ("low", 2)):
        layer = pf.GridScramble(method, grid_square_size=size, grid_scramble_threshold=threshold)
        out = layer.apply(face.copy(), faces, 0.0, np.random.default_rng(4))
        draws = layer.draws()
        rows, cols = draws["grid_rows_cols"]
        x0, y0, x1, y1 = draws["grid_box_px"]
        assert (x1 - x0, y1 - y0) == (cols * size, rows * size)
        mapping = {int(k): v for k, v in draws["destination_to_source_cell"].items()}
        assert sorted(mapping) == sorted(mapping.values())  # a permutation of the face squares
        assert sum(k != v for k, v in mapping.items()) > len(mapping) // 3
        compared = 0
        for dst, src in mapping.items():
            dr, dc, sr, sc = dst // cols, dst % cols, src // cols, src % cols
            d = np.s_[y0 + dr * size:y0 + (dr + 1) * size, x0 + dc * size:x0 + (dc + 1) * size]
            s = np.s_[y0 + sr * size:y0 + (sr + 1) * size, x0 + sc * size:x0 + (sc + 1) * size]
            if deep[d].all():  # the middle of the face shows face squares, never fill
                assert np.array_equal(out[d], face[s])  # (fill would differ from the input)
                compared += 1
            if method == "low":
                assert dr == sr
        assert compared >= 5
        assert np.array_equal(out[oval == 0], face[oval == 0])  # the background stays, bit for bit


@pytest.mark.parametrize("method", ["high", "low"])
def test_grid_scramble_brings_no_background_into_the_face(still, method):
    face, faces = still
    painted, oval = paint_outside(face, faces, pf.FACE_OVAL_MASK)
    for size, seed in ((12, 0), (20, 1), (40, 2)):
        layer = pf.GridScramble(method, grid_square_size=size, grid_scramble_threshold=3)
        out = layer.apply(painted.copy(), faces, 0.0, np.random.default_rng(seed))
        assert not greenish(out[oval == 1]).any(), (size, seed)  # no square of background inside the face
        assert np.array_equal(out[oval == 0], painted[oval == 0])
        assert np.abs(out[oval == 1].astype(int) - painted[oval == 1]).mean() > 5  # and it is scrambled


def test_grid_scramble_follows_a_moving_face_and_the_frame_edge(still):
    face, faces = still
    painted, _ = paint_outside(face, faces, pf.FACE_OVAL_MASK)
    layer = pf.GridScramble("high", grid_square_size=16)
    layer.start(pf.SourceInfo("video", 512, 512, 10.0, 3, 0.3))
    rng = np.random.default_rng(0)
    layer.apply(painted.copy(), faces, 0.0, rng)
    first = layer.draws()
    # the face grown by 15% and moved right until the frame's edge cuts it
    m = np.array([[1.15, 0, 270 - 1.15 * 226], [0, 1.15, -20]], np.float32)
    moved = cv2.warpAffine(painted, m, (300, 512), borderValue=(0, 255, 0))
    lm = faces.landmarks.copy()
    lm[..., :2] = lm[..., :2] * 1.15 + m[:, 2]
    moved_faces = Faces.from_landmarks(lm, moved.shape, hairline=faces.hairline * 1.15 + m[:, 2])
    oval = region_mask(moved_faces, pf.FACE_OVAL_MASK, moved.shape).full()
    assert (oval[:, -1] > 0).any()  # the face is cut by the frame's right edge
    out = layer.apply(moved.copy(), moved_faces, 0.1, rng)
    assert layer.draws() == first  # the same grid and permutation for the whole clip
    assert not greenish(out[oval == 1]).any()
    assert np.array_equal(out[oval == 0], moved[oval == 0])


def test_low_level_moves_stay_within_the_threshold():
    rng = np.random.default_rng(0)
    for n, t in ((10, 1), (12, 2), (30, 5)):
        perms = [bounded_permutation(n, t, rng) for _ in range(50)]
        for p in perms:
            assert sorted(p.tolist()) == list(range(n)) and np.abs(p - np.arange(n)).max() <= t
        assert np.mean([p != np.arange(n) for p in perms]) > 0.5  # most squares move, even at threshold 1


def test_grid_scramble_never_leaves_every_square_in_place(still):
    face, faces = still
    redrawn = 0
    for seed in range(40):  # rows of two 50 px squares: each row stays as it is half the time
        layer = pf.GridScramble("low", grid_square_size=50, grid_scramble_threshold=1)
        out = layer.apply(face.copy(), faces, 0.0, np.random.default_rng(seed))
        draws = layer.draws()
        mapping = draws["destination_to_source_cell"]
        assert any(int(k) != v for k, v in mapping.items()) and not np.array_equal(out, face)
        redrawn += draws["permutations_drawn"] > 1
    assert redrawn > 0


@pytest.mark.parametrize("method", ["high level grid", "low level grid"])
def test_squares_larger_than_the_face_are_refused(face_image, tmp_path, method):
    with pytest.raises(PyfameValueError, match="grid_square_size") as caught:
        pf.facial_scramble(face_image, tmp_path, scramble_method=method, grid_square_size=120)
    assert caught.value.param == "grid_square_size"
    assert listing(tmp_path) == []


def test_scramble_same_seed_same_bytes(face_image, tmp_path):
    outs = []
    for name, seed in (("a", 1), ("b", 1), ("c", 2)):
        (tmp_path / name).mkdir()
        (r,) = pf.facial_scramble(face_image, tmp_path / name, rand_seed=seed, grid_square_size=20)
        outs.append(r.output.read_bytes())
    assert outs[0] == outs[1] != outs[2]


def test_phase_scramble_keeps_amplitude_and_mean(still):
    face, faces = still
    x0, y0, x1, y1 = faces.boxes[0]
    out = pf.PhaseScramble(1.0).apply(face.copy(), faces, 0.0, np.random.default_rng(1))
    a, b = face[y0:y1, x0:x1].astype(float), out[y0:y1, x0:x1].astype(float)
    for c in range(3):
        amp_a, amp_b = np.abs(np.fft.fft2(a[..., c])), np.abs(np.fft.fft2(b[..., c]))
        assert np.linalg.norm(amp_b - amp_a) / np.linalg.norm(amp_a) < 0.01
        assert abs(a[..., c].mean() - b[..., c].mean()) < 0.5
    assert np.abs(a - b).mean() > 10  # and it is scrambled
    same = pf.PhaseScramble(0.0).apply(face.copy(), faces, 0.0, np.random.default_rng(1))
    assert np.array_equal(same, face)
    half = pf.PhaseScramble(0.5).apply(face.copy(), faces, 0.0, np.random.default_rng(1))
    assert 0 < np.abs(half[y0:y1, x0:x1].astype(float) - a).mean() < np.abs(a - b).mean()


def test_landmark_scramble_moves_features_and_records_them(face_image, tmp_path, still):
    face, faces = still
    (r,) = pf.facial_scramble(face_image, tmp_path, scramble_method=pf.LANDMARK_SCRAMBLE, rand_seed=3)
    out = read_image(r.output)
    draws = read_sidecar(r.output)["layers"][0]["draws"]
    assert set(draws) == {"left_eye", "right_eye", "left_eyebrow", "right_eyebrow", "nose", "mouth"}
    x0, y0, x1, y1 = faces.boxes[0]
    pad = int(0.3 * max(x1 - x0, y1 - y0)) + 1  # the layer works in the face box grown by 30%
    outside = np.ones(face.shape[:2], bool)
    outside[max(y0 - pad, 0):y1 + pad, max(x0 - pad, 0):x1 + pad] = False
    assert np.array_equal(out[outside], face[outside])
    mouth = region_mask(faces, pf.MOUTH_PATH, face.shape).full() == 1
    assert np.abs(out[mouth].astype(int) - face[mouth]).mean() > 15  # the mouth moved away


@pytest.mark.parametrize(
    "kwargs, error, name",
    [
        ({"scramble_method": "swirl"}, PyfameValueError, "scramble_method"),
        ({"grid_square_size": 1}, PyfameValueError, "grid_square_size"),
        ({"grid_scramble_threshold": 0}, PyfameValueError, "grid_scramble_threshold"),
        ({"rand_seed": "x"}, PyfameTypeError, "rand_seed"),
        ({"out_grayscale": 1}, PyfameTypeError, "out_grayscale"),
        ({"scramble_method": pf.PHASE_SCRAMBLE, "coherence": 2}, PyfameValueError, "coherence"),
    ],
)
def test_scramble_bad_arguments(face_image, tmp_path, kwargs, error, name):
    with pytest.raises(error, match=name):
        pf.facial_scramble(face_image, tmp_path, **kwargs)
    assert listing(tmp_path) == []


@pytest.mark.parametrize(
    "kwargs, error, name",
    [
        ({"point_density": 1.5}, PyfameValueError, "point_density"),
        ({"history_mode": "future"}, PyfameValueError, "history_mode"),
        ({"history_window_msec": 0}, PyfameValueError, "history_window_msec"),
        ({"point_color": (1, 2)}, PyfameValueError, "point_color"),
        ({"landmark_regions": "ears"}, PyfameValueError, "landmark_regions"),
    ],
)
def test_pld_bad_arguments(face_image, tmp_path, kwargs, error, name):
    with pytest.raises(error, match=name):
        pf.generate_point_light_display(face_image, tmp_path, **kwargs)
    assert listing(tmp_path) == []
