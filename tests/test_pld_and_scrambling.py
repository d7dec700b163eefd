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


def _phase_mask(faces, shape):
    """The phase scramble's own region mask, with its default feather."""
    layer = pf.PhaseScramble()
    return region_mask(faces, layer.landmark_regions, shape, layer.feather_px, layer.feather_iod)


def test_phase_scramble_keeps_the_regions_mean_colour_and_amplitude_spectrum(still):
    face, faces = still
    mask = _phase_mask(faces, face.shape)
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
    outside = _phase_mask(faces, face.shape).full() == 0  # with the default feather
    assert np.array_equal(out[outside], face[outside])  # hair, background, neck: bit for bit
    assert np.abs(out[~outside].astype(int) - face[~outside]).mean() > 10


def test_phase_scramble_coherence_runs_from_random_phase_to_the_input(still):
    from pyfame.stimulus_control.amplitude_spectrum import radial_bins

    face, faces = still
    mask = _phase_mask(faces, face.shape)
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
    inside = _phase_mask(faces, face.shape).full() >= 0.999
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
    outside = _phase_mask(faces, face.shape).full() == 0
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
    assert set(draws) == {*FEATURES, "placement_rules_dropped"}
    assert "no overlap" not in draws["placement_rules_dropped"]
    oval = region_mask(faces, pf.FACE_OVAL_MASK, face.shape).full() > 0
    assert np.array_equal(out[~oval], face[~oval])  # nothing outside the face changes
    mouth = region_mask(faces, pf.MOUTH_PATH, face.shape).full() == 1
    assert np.abs(out[mouth].astype(int) - face[mouth]).mean() > 15  # the mouth moved away


# ---- landmark scramble: what it removes, where it puts things, how they follow the face ----

FEATURES = ("left_eye", "right_eye", "left_eyebrow", "right_eyebrow", "nose", "mouth")


@pytest.fixture(scope="module")
def sample():
    """The sample face (512 x 512) and its tracked mesh."""
    from pyfame.face.faces import Faces
    from pyfame.face.geometry.example_face import example_face

    face = example_face()
    return face.image, Faces.from_landmarks(face.landmarks[None], face.image.shape)


def _eye_distance(lm):
    from pyfame.face.geometry.alignment import eye_centres

    centres = eye_centres(lm)
    return float(np.linalg.norm(centres[1] - centres[0]))


def _grown(faces, region, shape, px):
    """The region and everything within ``px`` pixels of it."""
    import cv2

    outside = (region_mask(faces, region, shape).full() < 0.5).astype(np.uint8)
    return cv2.distanceTransform(outside, cv2.DIST_L2, 5) <= px


def test_landmark_scramble_leaves_no_trace_of_the_features_where_they_were(sample):
    # a per-pixel pattern planted on each eye with its lids and lashes (0.1 eye distances
    # around the lid line): where no feature is put back, the output must not depend on it
    # at all (a ghost, a smear or a leftover ring of it would)
    image, faces = sample
    e = _eye_distance(faces.landmarks[0])
    area = _grown(faces, pf.LEFT_EYE_PATH, image.shape, 0.1 * e) | _grown(faces, pf.RIGHT_EYE_PATH, image.shape,
                                                                          0.1 * e)
    pattern = np.random.default_rng(7).choice([-60, 60], size=image.shape[:2])
    planted = np.clip(image.astype(int) + np.where(area, pattern, 0)[..., None], 0, 255).astype(np.uint8)
    seen = 0
    for seed in (0, 1, 4):
        layer = pf.LandmarkScramble()
        out = layer.apply(planted.copy(), faces, 0.0, np.random.default_rng(seed)).astype(int)
        clean = pf.LandmarkScramble().apply(image.copy(), faces, 0.0, np.random.default_rng(seed))
        left = area.copy()  # where no feature was put back
        for footprint in _placed(image, faces, layer.draws(), 0.16 * e).values():
            left &= ~footprint
        seen += int(left.sum())
        trace = np.abs(out - clean).max(axis=2)[left]
        assert len(trace) == 0 or (trace.mean() < 0.5 and np.percentile(trace, 99) <= 3), f"seed {seed}"
    assert seen > area.sum()  # the arrangements left more than one eye's worth of the area to look at


def test_landmark_scramble_fills_where_the_features_were_with_skin_texture(sample):
    # where the eyes, brows, nose and mouth were, and no feature was put back, the face is
    # rebuilt, with a texture no stronger than the cheeks' (no smears, streaks or leftovers)
    import cv2

    image, faces = sample
    e = _eye_distance(faces.landmarks[0])
    for seed in (1, 2):
        layer = pf.LandmarkScramble()
        out = layer.apply(image.copy(), faces, 0.0, np.random.default_rng(seed))
        pasted = np.zeros(image.shape[:2], bool)
        for footprint in _placed(image, faces, layer.draws(), 0.16 * e).values():
            pasted |= footprint
        changed = np.any(out != image, axis=2) & ~pasted
        features = np.zeros(image.shape[:2], bool)
        for name in FEATURES:
            features |= region_mask(faces, name, image.shape).full() >= 0.5
        features &= ~pasted
        assert changed[features].mean() > 0.99
        grey = out.astype(np.float32).mean(axis=2)
        detail = np.abs(grey - cv2.GaussianBlur(grey, (0, 0), 2.0))
        cheeks = (region_mask(faces, pf.CHEEKS_PATH, image.shape).full() >= 0.99) & ~changed & ~pasted
        assert detail[features].mean() < 1.5 * detail[cheeks].mean()


def _placed(image, faces, draws, grow_px):
    """Where the sidecar's draws put each feature grown by ``grow_px`` (a still: the first frame)."""
    import cv2

    from pyfame.face.face_frame import from_face
    from pyfame.face.regions import resolve_regions

    lm = faces.landmarks[0]
    h, w = image.shape[:2]
    placed = {}
    for name in FEATURES:
        whole = _grown(faces, name, image.shape, grow_px)
        centre = lm[resolve_regions(name)[0].landmark_indices, :2].astype(float).mean(axis=0)
        target = from_face(lm, np.array([draws[name]["centre_face_coords"]]))[0]
        m = cv2.getRotationMatrix2D((float(centre[0]), float(centre[1])), draws[name]["rotation_deg"], 1.0)
        m[:, 2] += target - centre
        placed[name] = cv2.warpAffine(whole.astype(np.uint8), m, (w, h), flags=cv2.INTER_NEAREST) > 0
    return placed


def test_landmark_scramble_places_whole_features_inside_the_face_and_apart(sample):
    image, faces = sample
    e = _eye_distance(faces.landmarks[0])
    oval = region_mask(faces, pf.FACE_OVAL_MASK, image.shape).full() >= 0.5
    for seed in range(4):
        layer = pf.LandmarkScramble()
        layer.apply(image.copy(), faces, 0.0, np.random.default_rng(seed))
        placed = _placed(image, faces, layer.draws(), 0.08 * e)  # each with its lids, lashes, lip edges
        for name in FEATURES:
            whole = _grown(faces, name, image.shape, 0.08 * e)
            assert placed[name].sum() > 0.9 * whole.sum()  # whole, not cut by the frame
            assert np.count_nonzero(placed[name] & ~oval) == 0, f"seed {seed}: {name} spills off the face"
        for i, a in enumerate(FEATURES):
            for b in FEATURES[i + 1:]:
                assert np.count_nonzero(placed[a] & placed[b]) == 0, f"seed {seed}: {a} overlaps {b}"


def test_landmark_scramble_features_stay_put_on_a_moving_face(sample):
    # a clip of the sample face turned, scaled and moved: every frame is the first frame's
    # scramble carried along with the face (same places, same angles, the same fill)
    import cv2

    from pyfame.face.faces import Faces
    from pyfame.pipeline.layer_stack import LayerStack

    image, faces = sample
    h, w = image.shape[:2]
    moves = [(0.0, 1.0, 0, 0), (6.0, 1.05, 8, -5), (-8.0, 0.92, -10, 6), (3.0, 1.1, 4, 10)]
    frames, tracked, maps = [], [], []
    for angle, scale, dx, dy in moves:
        m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, scale)
        m[:, 2] += (dx, dy)
        frames.append(cv2.warpAffine(image, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT))
        lm = faces.landmarks.copy()
        lm[0, :, :2] = lm[0, :, :2] @ m[:, :2].T + m[:, 2]
        tracked.append(Faces.from_landmarks(lm, image.shape))
        maps.append(m)
    stack = LayerStack([pf.LandmarkScramble()], [], seed=5)
    stack.start(pf.SourceInfo("video", w, h, 10.0, len(frames), 0.4))
    outs = [stack.process(f.copy(), fc, i, i / 10) for i, (f, fc) in enumerate(zip(frames, tracked))]
    face = cv2.erode((region_mask(faces, pf.FACE_OVAL_MASK, image.shape).full() >= 0.99).astype(np.uint8),
                     np.ones((7, 7), np.uint8)).astype(bool)
    first = outs[0].astype(np.float32)
    for out, m in zip(outs[1:], maps[1:]):
        back = cv2.warpAffine(out, cv2.invertAffineTransform(m), (w, h), flags=cv2.INTER_LINEAR)
        again = cv2.warpAffine(frames[0], m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
        again = cv2.warpAffine(again, cv2.invertAffineTransform(m), (w, h), flags=cv2.INTER_LINEAR)
        resampling = np.abs(again.astype(np.float32) - frames[0])[face].mean()  # what two warps cost anyway
        assert np.abs(back.astype(np.float32) - first)[face].mean() < resampling + 2.0


def test_landmark_scramble_keeps_a_feature_that_was_off_the_frame_when_places_were_drawn(sample):
    # the first frame shows the face down to the nose only: the mouth gets no place, so when
    # it comes into view it stays where it is (it is neither removed nor moved)
    from pyfame.face.faces import Faces
    from pyfame.pipeline.layer_stack import LayerStack

    image, faces = sample
    mouth = region_mask(faces, pf.MOUTH_PATH, image.shape).full() >= 0.5
    top = int(np.nonzero(mouth.any(axis=1))[0][0]) - 12
    h, w = image.shape[:2]
    first = np.ascontiguousarray(image[:top])
    stack = LayerStack([pf.LandmarkScramble()], [], seed=2)
    stack.start(pf.SourceInfo("video", w, h, 10.0, 2, 0.2))
    stack.process(first.copy(), Faces.from_landmarks(faces.landmarks, first.shape), 0, 0.0)
    assert "mouth" not in stack.layers[0].draws()
    out = stack.process(image.copy(), faces, 1, 0.1)
    kept = np.all(out[mouth] == image[mouth], axis=1)
    assert kept.mean() > 0.9  # all but the lip's top edge, within reach of the nose's hole


def test_landmark_scramble_region_must_hold_the_features(sample):
    image, faces = sample
    with pytest.raises(PyfameValueError, match="landmark_regions") as info:
        pf.LandmarkScramble(landmark_regions="chin").apply(image.copy(), faces, 0.0, np.random.default_rng(0))
    assert info.value.param == "landmark_regions"


def test_membrane_fill_is_harmonic_and_keeps_the_known_pixels():
    from pyfame.core.scrambling.landmark_scramble import membrane_fill

    yy, xx = np.mgrid[0:90, 0:120].astype(np.float32)
    plane = np.stack([20 + 0.8 * xx + 0.3 * yy, 200 - 0.5 * yy, 90 + 0.2 * xx], axis=2)
    inside = np.zeros((90, 120), bool)
    inside[20:70, 15:60] = True
    border = np.zeros((90, 120), bool)
    border[40:, 80:] = True  # reaching the box's edge, where the box mirrors
    hole = inside | border
    damaged = plane.copy()
    damaged[hole] = 0
    filled = membrane_fill(damaged, hole)
    assert np.array_equal(filled[~hole], plane[~hole])
    assert np.abs(filled - plane)[inside].mean() < 0.5  # a plane is harmonic: the fill is the plane
    known = plane[~hole]
    assert (filled[border] >= known.min(axis=0) - 0.5).all() and (filled[border] <= known.max(axis=0) + 0.5).all()
    assert np.array_equal(membrane_fill(damaged, np.ones((90, 120), bool)), damaged)  # nothing known


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
