"""Point-light displays and scrambles: dots on landmarks, permutations of squares, phase spectra."""

from __future__ import annotations

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

from .conftest import listing


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
    size = 20
    for method, threshold in (("high", 2), ("low", 2)):
        layer = pf.GridScramble(method, grid_square_size=size, grid_scramble_threshold=threshold)
        out = layer.apply(face.copy(), faces, 0.0, np.random.default_rng(4))
        x0, y0, x1, y1 = faces.boxes[0]
        rows, cols = layer.draws()["grid_rows_cols"]
        mapping = {int(k): v for k, v in layer.draws()["destination_to_source_cell"].items()}
        assert sorted(mapping) == sorted(mapping.values())  # a permutation of the face squares
        assert sum(k != v for k, v in mapping.items()) > len(mapping) // 3
        for dst, src in mapping.items():
            dr, dc, sr, sc = dst // cols, dst % cols, src // cols, src % cols
            got = out[y0 + dr * size:y0 + (dr + 1) * size, x0 + dc * size:x0 + (dc + 1) * size]
            want = face[y0 + sr * size:y0 + (sr + 1) * size, x0 + sc * size:x0 + (sc + 1) * size]
            assert np.array_equal(got, want)
            if method == "low":
                assert dr == sr
        moved = np.zeros(face.shape[:2], bool)
        for dst in mapping:
            r, c = divmod(dst, cols)
            moved[y0 + r * size:y0 + (r + 1) * size, x0 + c * size:x0 + (c + 1) * size] = True
        assert np.array_equal(out[~moved], face[~moved])  # the background stays


def test_low_level_moves_stay_within_the_threshold():
    rng = np.random.default_rng(0)
    for n, t in ((10, 1), (12, 2), (30, 5)):
        for _ in range(50):
            p = bounded_permutation(n, t, rng)
            assert sorted(p.tolist()) == list(range(n)) and np.abs(p - np.arange(n)).max() <= t


def test_scramble_same_seed_same_bytes(face_image, tmp_path):
    outs = []
    for name, seed in (("a", 1), ("b", 1), ("c", 2)):
        (tmp_path / name).mkdir()
        (r,) = pf.facial_scramble(face_image, tmp_path / name, rand_seed=seed, grid_square_size=20)
        outs.append(r.output.read_bytes())
    assert outs[0] == outs[1] != outs[2]


def _region(image, mask, mean):
    """The region as the scramble sees it, ``w (I - mean)`` (float64), and per channel the mean
    amplitude of its spectrum in each octave of radial frequency (1-2, 2-4, ... cycles per box)."""
    from pyfame.stimulus_control.amplitude_spectrum import radial_bins

    x = (image[mask.slices].astype(np.float64) - mean) * mask.alpha[..., None]
    n = 1 << int(np.ceil(np.log2(max(x.shape[:2]))))
    bins = radial_bins((n, n))
    octaves = []
    for c in range(3):
        amplitude = np.abs(np.fft.fft2(x[..., c], s=(n, n)))
        octaves.append([amplitude[(bins >= lo) & (bins < 2 * lo)].mean() for lo in 2 ** np.arange(int(np.log2(n)) - 1)])
    return x, np.array(octaves)


def _weighted_mean(image, mask):
    w = mask.alpha[..., None].astype(np.float64)
    return (image[mask.slices] * w).sum(axis=(0, 1)) / w.sum()


def test_phase_scramble_keeps_the_regions_mean_colour_and_amplitude_spectrum(still):
    face, faces = still
    mask = region_mask(faces, pf.FACE_OVAL_PATH, face.shape, 4.0)
    mean = _weighted_mean(face, mask)
    x, before = _region(face, mask, mean)
    for seed in (1, 2):
        out = pf.PhaseScramble().apply(face.copy(), faces, 0.0, np.random.default_rng(seed))
        assert np.abs(_weighted_mean(out, mask) - mean).max() < 0.05  # levels, after clipping and rounding
        y, after = _region(out, mask, mean)
        assert abs(np.linalg.norm(y) / np.linalg.norm(x) - 1) < 0.06  # the region's energy (RMS contrast)
        assert np.abs(after / before - 1).max() < 0.25  # every channel's amplitude, octave by octave


def test_phase_scramble_changes_nothing_outside_the_feathered_region(still):
    face, faces = still
    out = pf.PhaseScramble().apply(face.copy(), faces, 0.0, np.random.default_rng(1))
    outside = region_mask(faces, pf.FACE_OVAL_PATH, face.shape, 4.0).full() == 0  # the default feather
    assert np.array_equal(out[outside], face[outside])  # hair, background, neck: bit for bit
    assert np.abs(out[~outside].astype(int) - face[~outside]).mean() > 10


def test_phase_scramble_coherence_runs_from_random_phase_to_the_input(still):
    from pyfame.stimulus_control.amplitude_spectrum import radial_bins

    face, faces = still
    mask = region_mask(faces, pf.FACE_OVAL_PATH, face.shape, 4.0)
    mean = _weighted_mean(face, mask)
    n = 256
    ring = (radial_bins((n, n)) >= 4) & (radial_bins((n, n)) < n // 2)
    original = np.fft.fft2(_region(face, mask, mean)[0].mean(axis=2), s=(n, n))[ring]
    agreement = []  # mean cosine of the phase change, over the frequencies
    for coherence in (0.0, 0.25, 0.5, 1.0):
        out = pf.PhaseScramble(coherence=coherence).apply(face.copy(), faces, 0.0, np.random.default_rng(1))
        changed = np.fft.fft2(_region(out, mask, mean)[0].mean(axis=2), s=(n, n))[ring]
        agreement.append(np.cos(np.angle(changed / original)).mean())
        if coherence == 1.0:
            assert np.array_equal(out, face)  # the original phase: the input
    assert abs(agreement[0]) < 0.15  # 0: phases unrelated to the input's
    assert agreement[0] < agreement[1] < agreement[2] < 0.99  # graded


def test_coherence_turn_is_the_weighted_circular_mean_of_original_and_random_phase():
    from pyfame.core.scrambling.phase_scramble import coherence_turn

    rng = np.random.default_rng(0)
    phi, psi = rng.uniform(-np.pi, np.pi, (2, 1000))
    for c in (0.0, 0.3, 0.5, 0.9, 1.0):  # Dakin et al. (2002): the random phase is phi + psi
        mixed = np.arctan2(c * np.sin(phi) + (1 - c) * np.sin(phi + psi), c * np.cos(phi) + (1 - c) * np.cos(phi + psi))
        turned = np.angle(np.exp(1j * phi) * coherence_turn(psi, c))
        assert np.abs(np.angle(np.exp(1j * (turned - mixed)))).max() < 1e-5
        assert np.allclose(np.abs(coherence_turn(psi, c)), 1.0, atol=1e-6)  # amplitudes untouched


def test_one_phase_field_turns_every_channel_alike():
    from pyfame.core.scrambling.phase_scramble import coherence_turn, random_phase, turn_phase

    x = np.random.default_rng(0).normal(size=(3, 64, 64)).astype(np.float32)
    y = turn_phase(x, coherence_turn(random_phase((64, 64), np.random.default_rng(1)), 0.0))
    fx, fy = np.fft.fft2(x), np.fft.fft2(y)
    assert np.allclose(np.abs(fy), np.abs(fx), rtol=1e-3, atol=1e-2)  # each channel's amplitude spectrum
    cross_x, cross_y = fx[0] * np.conj(fx[1:]), fy[0] * np.conj(fy[1:])  # the channels' phase relations
    assert np.abs(np.angle(cross_y / cross_x)).max() < 1e-2
    assert np.abs(np.angle(fy / fx)).mean() > 1.0  # while the phases themselves are new


def test_phase_scramble_is_fixed_to_the_face_and_does_not_boil(still):
    import cv2

    face, faces = still
    centre = faces.landmarks[0, :, :2].mean(axis=0)
    frames, moved, matrices = [], [], []
    for angle, scale, dx, dy in ((0, 1.0, 0, 0), (8, 1.08, 12, -6), (-10, 0.92, -15, 10), (0, 1.0, 0, 0)):
        m = cv2.getRotationMatrix2D((float(centre[0]), float(centre[1])), angle, scale)
        m[:, 2] += (dx, dy)
        frames.append(cv2.warpAffine(face, m, face.shape[1::-1], borderMode=cv2.BORDER_REFLECT))
        lm = faces.landmarks.copy()
        lm[..., :2] = lm[..., :2] @ m[:, :2].T + m[:, 2]
        moved.append(Faces.from_landmarks(lm, face.shape))
        matrices.append(m)

    def run(seed):
        layer = pf.PhaseScramble()
        layer.start(pf.SourceInfo("video", face.shape[1], face.shape[0], 10.0, len(frames), 0.4))
        rng = np.random.default_rng(seed)
        outs = [layer.apply(f.copy(), fa, i / 10, rng) for i, (f, fa) in enumerate(zip(frames, moved))]
        return outs, [cv2.warpAffine(o, m, face.shape[1::-1], flags=cv2.WARP_INVERSE_MAP) for o, m in zip(outs, matrices)]

    outs, back = run(5)
    assert np.array_equal(outs[3], outs[0])  # the same face in the same place: the same pixels
    inside = region_mask(faces, pf.FACE_OVAL_PATH, face.shape, 4.0).full() >= 1
    inside = cv2.erode(inside.astype(np.uint8), np.ones((7, 7), np.uint8)).astype(bool)
    for b in back[1:3]:  # turned, scaled and moved: the scramble went with the face
        assert np.abs(b.astype(int) - back[0])[inside].mean() < 10
    other = run(6)[1][0]
    assert np.abs(other.astype(int) - back[0])[inside].mean() > 30  # where another seed's scramble differs


def test_phase_scramble_in_grey_greys_the_frame_and_records_its_canvas(still):
    face, faces = still
    layer = pf.PhaseScramble(out_grayscale=True)
    out = layer.apply(face.copy(), faces, 0.0, np.random.default_rng(1))
    assert (out[..., 0] == out[..., 1]).all() and (out[..., 1] == out[..., 2]).all()
    outside = region_mask(faces, pf.FACE_OVAL_PATH, face.shape, 4.0).full() == 0
    import cv2

    grey = cv2.cvtColor(face, cv2.COLOR_RGB2GRAY)
    assert np.array_equal(out[..., 0][outside], grey[outside])
    assert layer.covered_regions() is None  # the whole frame changes
    from pyfame.core.scrambling.phase_scramble import CANVAS_SIDES

    (canvas,) = layer.draws()["canvases"]
    x0, y0, x1, y1 = faces.boxes[0]
    assert canvas["face"] == 0 and canvas["side_px"] in CANVAS_SIDES and canvas["side_px"] > max(x1 - x0, y1 - y0)
    assert canvas["first_frame_to_canvas"][0][:2] == [1.0, 0.0]  # at the frame's scale: a still is not resampled


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
