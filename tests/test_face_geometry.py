"""The face-geometry family on files: align_faces, average_faces, morph_faces,
caricature_faces, thatcherize_faces, composite_faces and shift_features, through their
seed-style functions, commands, experiment files, sidecars and ``pyfame verify``.

Everything is re-measured from the written files. The faces are generated (as in
``tests/test_face_geometry_core.py``): the sample face; the astronaut photo turned 14
degrees and enlarged 1.5x, off-centre in a 640x480 frame (another size and place); and a
second "identity" made from the sample face (mirrored, reshaped by a smooth non-rigid warp,
enlarged, tinted). Videos are the moving sample face. Tolerances (measured values in
brackets):

- alignment: tracked again in the written stills, every face's eye centres within 0.5% of
  the eye distance of their canvas positions [0.04-0.15%], and so within 1% of each other, as
  the issue promises [0.23%]. The plain eye alignment re-tracks at 0.8-1.15% [spread 1.6%]
  (MediaPipe's repeatability: a face tracked at another size and angle is found up to about
  2% elsewhere); ``refine_passes`` tracks each aligned still again and corrects the residual
  (the core tests hold the plain alignment to the core's 1.5%). A head-stabilised clip: the eyes move
  < 2% of the eye distance (SD over frames) [0.9%] where the input's moved 37%, and stay
  within 6% of their place [4.9%: the smoothing's lag while the head moves];
- average: the template is the mean of the aligned meshes to 0.001 px [float32 rounding];
  the prototype tracked again shows it (median error < 2 px, 95th percentile < 4.5 px, the
  core tests' bound for re-tracking a warped face [0.96 and 2.1]);
- morph: the 50% step's mesh, tracked again, is the mean of the two ends' tracked meshes
  (median < 2 px, 95th percentile < 4.5 px [0.92 and 1.9]); the 0% step is the aligned face A
  bit for bit;
- caricature: tracked again, each mesh point lies ``strength`` times as far from the
  (Procrustes-placed) reference as the face's own: the least-squares slope within 0.15 of
  the strength [1.40 for 1.5, 0.54 for 0.5: tracking finds the exaggeration a little
  smaller than the warp made it, MediaPipe's shape prior], median error to the formula
  < 2 px [0.54 and 0.36];
- Thatcher and composite: outside the manipulated regions the pixels are the input's (the
  aligned input's, for composites) bit for bit; in videos, to within H.264's noise;
- feature shifts: tracked again, each eye centre within 3% of the eye distance + 1 px of
  where it was asked to go (the core tests' bound) [3.6% of 60 px: the eye distance grew by
  15% for 20% asked]; outside the mesh's hull the pixels are the input's, bit for bit.
"""

from __future__ import annotations

import cv2
import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

import pyfame.core as pf
from pyfame.cli import main
from pyfame.errors import FaceNotFoundError, PyfameError, PyfamePathError, PyfameValueError
from pyfame.experiment import Experiment
from pyfame.face.faces import Faces
from pyfame.face.geometry import (
    align_face,
    canvas_eye_positions,
    caricature_landmarks,
    eye_centres,
    reference_on_face,
    thatcherize_face,
)
from pyfame.face.geometry.composite import CHEEK_POINTS, SPLIT_LANDMARK
from pyfame.face.region_mask import region_mask
from pyfame.face.regions import REGION_NAMES
from pyfame.face.tracker import FaceTracker
from pyfame.io import open_source, read_image
from pyfame.methods import methods_paragraph
from pyfame.provenance import read_sidecar
from pyfame.samples import sample_face
from pyfame.samples.moving_face import write_moving_face_video
from pyfame.verify import verify_output
from tests.test_face_geometry_core import _affine_face, _reshaped_face

SIZE = (320, 360)
EYE_Y, EYE_DISTANCE = 0.4, 0.35
CANVAS_EYES = canvas_eye_positions(SIZE, EYE_Y, EYE_DISTANCE)
CANVAS_D = EYE_DISTANCE * SIZE[0]


def write_rgb(path, rgb):
    cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    return path


@pytest.fixture(scope="module")
def tracker():
    with FaceTracker(mode="image") as t:
        yield t


def mesh_of(tracker, rgb) -> np.ndarray:
    faces = tracker.track(np.ascontiguousarray(rgb))
    assert faces.count >= 1, "no face found in a written image"
    return faces.landmarks[0].astype(np.float64)


def frames_of(path) -> list[np.ndarray]:
    with open_source(path) as source:
        return [f.pixels for f in source]


@pytest.fixture(scope="module")
def face_dir(tmp_path_factory):
    """sample.png (512x512), affine.png (640x480, turned and enlarged), other.png (another
    identity, 512x512)."""
    from skimage.data import astronaut

    folder = tmp_path_factory.mktemp("faces")
    write_rgb(folder / "sample.png", sample_face())
    write_rgb(folder / "affine.png", _affine_face(np.ascontiguousarray(astronaut())))
    write_rgb(folder / "other.png", _reshaped_face(sample_face()))
    return folder


@pytest.fixture(scope="module")
def noise_file(tmp_path_factory):
    rng = np.random.default_rng(0)
    return write_rgb(tmp_path_factory.mktemp("noise") / "noise.png", rng.integers(0, 256, (240, 240, 3), np.uint8))


def run(function, *args, **kwargs):
    return function(*args, size=SIZE, eye_y=EYE_Y, eye_distance=EYE_DISTANCE, **kwargs)


# ----------------------------------------------------------------------------- alignment


@pytest.fixture(scope="module")
def aligned_dir(face_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("aligned")
    results = run(pf.align_faces, face_dir, out)
    return out / "Aligned", results


@pytest.fixture(scope="module")
def plainly_aligned_dir(face_dir, tmp_path_factory):
    """The plain eye alignment (no re-tracking), the one morphs and composites put faces on."""
    out = tmp_path_factory.mktemp("plain")
    run(pf.align_faces, face_dir, out, refine_passes=0)
    return out / "Aligned"


def test_aligned_eye_centres_agree_across_faces(aligned_dir, tracker):
    folder, results = aligned_dir
    assert sorted(r.output.name for r in results) == ["affine.png", "alignment_transforms.csv", "other.png",
                                                      "sample.png"]
    eyes = {}
    for name in ("sample.png", "affine.png", "other.png"):
        image = read_image(folder / name)
        assert image.shape == (SIZE[1], SIZE[0], 3)  # faces of any size, on one canvas
        eyes[name] = eye_centres(mesh_of(tracker, image))
        assert np.linalg.norm(eyes[name] - CANVAS_EYES, axis=1).max() < 0.005 * CANVAS_D
    spread = max(np.linalg.norm(a - b, axis=1).max() for a in eyes.values() for b in eyes.values())
    print("measured: eye error %", {n: round(100 * np.linalg.norm(e - CANVAS_EYES, axis=1).max() / CANVAS_D, 2)
                                    for n, e in eyes.items()}, "spread %", round(100 * spread / CANVAS_D, 2))
    assert spread < 0.01 * CANVAS_D  # the promise: eye centres agree across faces within 1%
    table = pd.read_csv(folder / "alignment_transforms.csv")
    for _, row in table.iterrows():  # the refined transforms moved the input's eyes by the tracker's error only
        where = np.array([[row.right_eye_x, row.right_eye_y], [row.left_eye_x, row.left_eye_y]])
        assert np.linalg.norm(where - CANVAS_EYES, axis=1).max() < 0.025 * CANVAS_D
        assert row.retracked_error < 0.005 and row.refine_passes_made <= 3
        assert row.a == pytest.approx(row.d) and row.b == pytest.approx(-row.c)  # never a stretch
    assert table.loc[table.input == "affine.png", "scale"].iloc[0] < table.loc[table.input == "sample.png", "scale"].iloc[0]
    for name in ("affine.png", "alignment_transforms.csv"):
        assert verify_output(folder / name).identical


def test_a_video_is_aligned_into_a_head_stabilised_clip(tmp_path):
    clip = tmp_path / "moving.mp4"
    write_moving_face_video(clip, n_frames=24, size=(400, 300), motion="translate", audio=False)
    out = tmp_path / "out"
    out.mkdir()
    pf.align_faces(clip, out, size=(256, 256), crf=4)
    frames = frames_of(out / "Aligned" / "moving.mp4")
    assert len(frames) == 24 and frames[0].shape == (256, 256, 3)
    target = canvas_eye_positions((256, 256), 0.4, 0.3)
    d = 0.3 * 256
    with FaceTracker(mode="image") as t:
        moved = np.array([eye_centres(mesh_of(t, f)) for f in frames])
        before = np.array([eye_centres(mesh_of(t, f)) for f in frames_of(clip)])
    scale = pd.read_csv(out / "Aligned" / "alignment_transforms.csv")["scale"].to_numpy()
    assert np.std(before[..., 0], axis=0).max() * scale.mean() > 0.15 * d  # the head moves in the input
    print("measured: input eye SD %", round(100 * np.std(before[..., 0], axis=0).max() * scale.mean() / d, 1),
          "canvas eye SD %", round(100 * np.std(moved, axis=0).max() / d, 2),
          "largest offset %", round(100 * np.abs(moved - target).max() / d, 2))
    assert np.std(moved, axis=0).max() < 0.02 * d  # and stays still on the canvas
    assert np.abs(moved - target).max() < 0.06 * d  # near its place, with the smoothing's lag
    assert verify_output(out / "Aligned" / "moving.mp4").identical


# ----------------------------------------------------------------------------- averages


def aligned_meshes(tracker, face_dir, names, size=SIZE, eye_y=EYE_Y, eye_distance=EYE_DISTANCE):
    out = []
    for name in names:
        image = read_image(face_dir / name)
        out.append(align_face(image, mesh_of(tracker, image), size, eye_y, eye_distance))
    return out


def test_an_averages_template_is_the_mean_of_the_aligned_meshes(face_dir, tmp_path, tracker):
    results = run(pf.average_faces, face_dir, tmp_path, output_filename="proto")
    assert sorted(r.output.name for r in results) == ["proto.png", "proto_template.csv"]
    template = pd.read_csv(tmp_path / "Averages" / "proto_template.csv")
    assert list(template.columns) == ["landmark", "x", "y", "z"] and len(template) == 478
    meshes = [a.landmarks for a in aligned_meshes(tracker, face_dir, ("affine.png", "other.png", "sample.png"))]
    assert np.allclose(template[["x", "y", "z"]].to_numpy(), np.mean(meshes, axis=0), atol=1e-3)
    prototype = read_image(tmp_path / "Averages" / "proto.png")
    assert prototype.shape == (SIZE[1], SIZE[0], 3)
    error = np.linalg.norm(mesh_of(tracker, prototype)[:, :2] - template[["x", "y"]].to_numpy(), axis=1)
    print("measured: prototype re-tracked median, p95 px", round(float(np.median(error)), 2),
          round(float(np.percentile(error, 95)), 2))
    assert np.median(error) < 2.0 and np.percentile(error, 95) < 4.5
    record = read_sidecar(tmp_path / "Averages" / "proto.png")
    assert record["made"]["faces_averaged"] == ["affine.png", "other.png", "sample.png"]
    assert verify_output(tmp_path / "Averages" / "proto.png").identical
    assert verify_output(tmp_path / "Averages" / "proto_template.csv").identical


def test_a_face_not_found_in_an_average_names_the_file_unless_skipped(face_dir, noise_file, tmp_path):
    inputs = [face_dir / "sample.png", noise_file, face_dir / "other.png"]
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(FaceNotFoundError) as caught:
        pf.average_faces(inputs, out)
    assert caught.value.param == "input_dir" and "noise.png" in str(caught.value)
    assert list(out.iterdir()) == []  # nothing written
    pf.average_faces(inputs, out, skip_missing=True, size=(200, 200))
    record = read_sidecar(out / "Averages" / "average.png")
    assert record["made"] == {"faces_averaged": ["sample.png", "other.png"], "skipped_no_face": ["noise.png"]}
    assert record["params"]["skip_missing"] is True
    assert verify_output(out / "Averages" / "average.png").identical


# ----------------------------------------------------------------------------- morphs


def test_a_half_morphs_mesh_is_the_mean_of_its_ends(face_dir, plainly_aligned_dir, tmp_path, tracker):
    # the two faces differ in size and place: they are aligned first, never stretched
    results = run(pf.morph_faces, face_dir / "affine.png", face_dir / "other.png", tmp_path)
    folder = tmp_path / "Morphs"
    names = [f"affine_other_morph_{w}.png" for w in ("000", "025", "050", "075", "100")]
    assert sorted(r.output.name for r in results) == sorted([*names, "affine_other_morph_steps.csv"])
    ends = [mesh_of(tracker, read_image(folder / names[i])) for i in (0, 4)]
    half = mesh_of(tracker, read_image(folder / names[2]))
    error = np.linalg.norm(half[:, :2] - (ends[0][:, :2] + ends[1][:, :2]) / 2, axis=1)
    print("measured: half morph median, p95 px", round(float(np.median(error)), 2),
          round(float(np.percentile(error, 95)), 2))
    assert np.median(error) < 2.0 and np.percentile(error, 95) < 4.5
    assert np.array_equal(read_image(folder / names[0]), read_image(plainly_aligned_dir / "affine.png"))
    steps = pd.read_csv(folder / "affine_other_morph_steps.csv")
    assert steps["shape_weight"].tolist() == [0, 0.25, 0.5, 0.75, 1] and steps["output"].tolist() == names
    assert verify_output(folder / names[2]).identical


def test_shape_and_texture_weighted_apart_and_the_continuum_as_a_video(face_dir, tmp_path):
    pf.morph_faces(face_dir / "sample.png", face_dir / "other.png", tmp_path, weights=(0, 0.5, 1.5),
                   texture_weights=0, size=(160, 160), continuum_video=True, video_seconds=1, fps=10, crf=4)
    folder = tmp_path / "Morphs"
    made = sorted(p.name for p in folder.iterdir() if not p.name.endswith(".json"))
    assert made == ["sample_other_morph_000.png", "sample_other_morph_continuum.mp4",
                    "sample_other_morph_s050_t000.png", "sample_other_morph_s150_t000.png",
                    "sample_other_morph_steps.csv"]
    frames = frames_of(folder / "sample_other_morph_continuum.mp4")
    assert len(frames) == 10 and frames[0].shape == (160, 160, 3)
    first = read_image(folder / "sample_other_morph_000.png").astype(int)
    assert np.abs(frames[0].astype(int) - first).mean() < 3  # the continuum starts at step 0


def test_two_videos_are_morphed_frame_by_frame(tmp_path):
    a, b = tmp_path / "a.mp4", tmp_path / "b.mp4"
    write_moving_face_video(a, n_frames=8, size=(320, 240), motion="rotate", audio=False)
    write_moving_face_video(b, n_frames=8, size=(360, 300), motion="scale", audio=False, seed=3)
    pf.morph_faces(a, b, tmp_path, weights=(0, 0.5, 1), size=(192, 192))
    for w in ("000", "050", "100"):
        frames = frames_of(tmp_path / "Morphs" / f"a_b_morph_{w}.mp4")
        assert len(frames) == 8 and frames[0].shape == (192, 192, 3)
    c = tmp_path / "c.mp4"
    write_moving_face_video(c, n_frames=5, size=(320, 240), audio=False)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(PyfameValueError) as caught:
        pf.morph_faces(a, c, out)
    assert caught.value.param == "face_b" and "8 frames" in str(caught.value) and list(out.iterdir()) == []
    with pytest.raises(PyfameValueError) as caught:
        pf.morph_faces(a, write_rgb(tmp_path / "still.png", sample_face()), out)
    assert caught.value.param == "face_b"


def test_a_face_not_found_in_a_morph_names_the_file_before_anything_is_written(face_dir, noise_file, tmp_path):
    with pytest.raises(FaceNotFoundError) as caught:
        pf.morph_faces(face_dir / "sample.png", noise_file, tmp_path)
    assert caught.value.param == "face_b" and "noise.png" in str(caught.value)
    with pytest.raises(FaceNotFoundError) as caught:
        pf.morph_faces(noise_file, face_dir / "sample.png", tmp_path)
    assert caught.value.param == "face_a"
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------------- caricatures


@pytest.fixture(scope="module")
def template(face_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("average")
    run(pf.average_faces, face_dir, out)
    return out / "Averages" / "average_template.csv"


@pytest.mark.parametrize("strength", [1.5, 0.5])
def test_a_caricature_moves_each_point_strength_times_as_far_from_the_reference(face_dir, template, tmp_path,
                                                                                   tracker, strength):
    pf.caricature_faces(face_dir / "other.png", tmp_path, template, strength=strength)
    image = read_image(face_dir / "other.png")
    result = read_image(tmp_path / "Caricatures" / "other.png")
    assert result.shape == image.shape  # the face's own frame
    mesh = mesh_of(tracker, image)
    reference = pd.read_csv(template)[["x", "y", "z"]].to_numpy()
    placed = reference_on_face(mesh, reference)
    moved = mesh_of(tracker, result)
    want = (mesh - placed)[:, :2].ravel()
    got = (moved - placed)[:, :2].ravel()
    slope = float(want @ got / (want @ want))
    error = np.linalg.norm(moved[:, :2] - caricature_landmarks(mesh, reference, strength)[:, :2], axis=1)
    print("measured: caricature slope", round(slope, 3), "for", strength, "median px", round(float(np.median(error)), 2))
    assert abs(slope - strength) < 0.15
    assert np.median(error) < 2.0
    assert verify_output(tmp_path / "Caricatures" / "other.png").identical


def test_a_caricature_of_a_video_against_a_face_image(face_dir, tmp_path):
    clip = tmp_path / "moving.mp4"
    write_moving_face_video(clip, n_frames=6, size=(320, 240), audio=False)
    pf.caricature_faces(clip, tmp_path, face_dir / "other.png", strength=1.8)
    frames = frames_of(tmp_path / "Caricatures" / "moving.mp4")
    assert len(frames) == 6 and frames[0].shape == (240, 320, 3)
    record = read_sidecar(tmp_path / "Caricatures" / "moving.mp4")
    assert [i["name"] for i in record["inputs"]] == ["input_dir", "reference"]


def test_a_bad_reference_is_refused_before_any_work(face_dir, tmp_path):
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"x": [1.0, 2.0], "y": [3.0, 4.0]}).to_csv(bad, index=False)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(PyfameValueError) as caught:
        pf.caricature_faces(face_dir, out, bad)
    assert caught.value.param == "reference" and "478" in str(caught.value)
    with pytest.raises(PyfamePathError) as caught:
        pf.caricature_faces(face_dir, out, tmp_path / "missing.png")
    assert caught.value.param == "reference"
    with pytest.raises(PyfameValueError) as caught:
        pf.caricature_faces(face_dir, out, tmp_path / "notes.txt")
    assert caught.value.param == "reference"
    assert list(out.iterdir()) == []


# ----------------------------------------------------------------------------- Thatcher


def feature_masks(faces, features, shape, grow_px):
    mask = np.zeros(shape[:2], bool)
    for name in features:
        mask |= region_mask(faces, REGION_NAMES[name], shape).full() > 0
    return cv2.dilate(mask.astype(np.uint8), np.ones((2 * grow_px + 1,) * 2, np.uint8)).astype(bool)


def test_thatcher_turns_the_features_and_leaves_every_other_pixel(face_dir, tmp_path, tracker):
    pf.thatcherize_faces(face_dir, tmp_path)
    for name in ("sample.png", "affine.png"):
        image = read_image(face_dir / name)
        out = read_image(tmp_path / "Thatcherized" / name)
        faces = tracker.track(image)
        assert np.array_equal(out, thatcherize_face(image, faces.landmarks[0]).image)  # the core's, on the mesh
        d = float(np.linalg.norm(np.subtract(*eye_centres(faces.landmarks[0]))))
        near = feature_masks(faces, ("left_eye", "right_eye", "mouth"), image.shape, int(np.ceil(0.3 * d)) + 2)
        assert np.array_equal(out[~near], image[~near]) and not np.array_equal(out[near], image[near])
        mouth = faces.landmarks[0][list(REGION_NAMES["mouth"].landmark_indices), :2]
        cx, cy = (int(round(v)) for v in mouth.mean(axis=0))
        for dx, dy in ((0, 0), (4, 2), (-6, 1), (3, -3)):  # half a turn about the mouth's centre
            assert out[cy + dy, cx + dx].tolist() == image[cy - dy, cx - dx].tolist()
    assert verify_output(tmp_path / "Thatcherized" / "affine.png").identical


def test_thatcher_inverted_is_the_upright_result_turned_over(face_dir, tmp_path):
    (tmp_path / "up").mkdir()
    pf.thatcherize_faces(face_dir / "sample.png", tmp_path / "up", regions="eyes")
    pf.thatcherize_faces(face_dir / "sample.png", tmp_path, regions=["left_eye", "right_eye"], invert_face=True)
    upright = read_image(tmp_path / "up" / "Thatcherized" / "sample.png")
    assert np.array_equal(read_image(tmp_path / "Thatcherized" / "sample.png"), upright[::-1, ::-1])


def test_thatcher_on_a_video_turns_the_features_with_the_face(tmp_path):
    clip = tmp_path / "moving.mp4"
    write_moving_face_video(clip, n_frames=12, size=(400, 300), motion="rotate", audio=False, crf=4)
    pf.thatcherize_faces(clip, tmp_path, crf=0)
    before, after = frames_of(clip), frames_of(tmp_path / "Thatcherized" / "moving.mp4")
    assert len(after) == len(before) == 12
    with FaceTracker(mode="video") as video:  # as the layer's run tracks it
        for i, (b, a) in enumerate(zip(before, after)):
            faces = video.track(b, i / 30)
            d = float(np.linalg.norm(np.subtract(*eye_centres(faces.landmarks[0]))))
            near = feature_masks(faces, ("left_eye", "right_eye", "mouth"), b.shape, int(np.ceil(0.3 * d)) + 3)
            diff = np.abs(a.astype(int) - b.astype(int)).max(axis=2)
            mouth = feature_masks(faces, ("mouth",), b.shape, 0)
            assert np.percentile(diff[~near], 99.9) <= 3  # elsewhere, H.264's noise only
            assert diff[mouth].mean() > 10  # the mouth, where the face is on this frame, is turned


# ----------------------------------------------------------------------------- composites


@pytest.mark.parametrize(("misalign", "gap"), [(0.0, 0), (0.5, 6)])
def test_a_composite_copies_each_aligned_half_bit_for_bit(face_dir, plainly_aligned_dir, tmp_path, tracker, misalign,
                                                          gap):
    run(pf.composite_faces, face_dir / "sample.png", face_dir / "other.png", tmp_path, misalign=misalign, gap_px=gap)
    name = "sample_other_composite" + ("_misaligned050_gap6" if misalign else "") + ".png"
    out = read_image(tmp_path / "Composites" / name)
    top, bottom = (read_image(plainly_aligned_dir / n) for n in ("sample.png", "other.png"))
    meshes = [a.landmarks for a in aligned_meshes(tracker, face_dir, ("sample.png", "other.png"))]
    split_y = np.mean([m[SPLIT_LANDMARK, 1] for m in meshes])  # the eyes are level on the canvas
    width = np.mean([np.linalg.norm(m[CHEEK_POINTS[1], :2] - m[CHEEK_POINTS[0], :2]) for m in meshes])
    above = int(np.floor(split_y)) - 2
    assert np.array_equal(out[:above], top[:above])  # the top face's, bit for bit
    dx = int(round(misalign * width))
    below = int(np.ceil(split_y)) + gap + 3
    w = SIZE[0]
    assert np.array_equal(out[below:, max(dx, 0):w + min(dx, 0)], bottom[below - gap:SIZE[1] - gap, max(-dx, 0):w - max(dx, 0)])
    if gap:
        assert (out[int(np.ceil(split_y)) + 1:int(np.floor(split_y)) + gap - 1] == 255).all()
    assert verify_output(tmp_path / "Composites" / name).identical


def test_composites_of_every_pair_and_stills_only(face_dir, tmp_path):
    pf.composite_faces(face_dir, face_dir, tmp_path, size=(128, 128))
    assert len(list((tmp_path / "Composites").glob("*.png"))) == 9
    clip = tmp_path / "moving.mp4"
    write_moving_face_video(clip, n_frames=3, size=(320, 240), audio=False)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(PyfameValueError) as caught:
        pf.composite_faces(face_dir, clip, out)
    assert caught.value.param == "bottom_dir" and list(out.iterdir()) == []


# ----------------------------------------------------------------------------- feature shifts


def test_shifted_features_move_by_the_asked_fraction_and_nothing_else_moves(face_dir, tmp_path, tracker):
    pf.shift_features(face_dir / "sample.png", tmp_path, eye_spacing=0.2, mouth_offset=0.1)
    image = read_image(face_dir / "sample.png")
    out = read_image(tmp_path / "Feature_Shifted" / "sample.png")
    before, after = mesh_of(tracker, image), mesh_of(tracker, out)
    eyes = eye_centres(before)
    d = float(np.linalg.norm(eyes[1] - eyes[0]))
    along = (eyes[1] - eyes[0]) / d
    asked = eyes + np.outer((-0.1, 0.1), along) * d  # each eye a tenth of the eye distance outwards
    error = np.linalg.norm(eye_centres(after) - asked, axis=1).max()
    print("measured: eye distance ratio", round(float(np.linalg.norm(np.subtract(*eye_centres(after))) / d), 3),
          "eye error %", round(100 * error / d, 2))
    assert error < 0.03 * d + 1.0  # the core tests' bound for re-tracking shifted features
    hull = np.zeros(image.shape[:2], np.uint8)
    cv2.fillConvexPoly(hull, cv2.convexHull(before[:, :2].round().astype(np.int32)), 1)
    outside = cv2.dilate(hull, np.ones((5, 5), np.uint8)) == 0
    assert np.array_equal(out[outside], image[outside])
    assert verify_output(tmp_path / "Feature_Shifted" / "sample.png").identical


def test_the_layers_stack_with_others(face_dir, tmp_path):
    from pyfame.pipeline.in_memory import apply_layers_to_frames

    image = read_image(face_dir / "sample.png")
    layers = [pf.FeatureShift(eye_spacing=0.1), pf.ThatcherIllusion(invert_face=True)]
    out = apply_layers_to_frames(image, layers)
    assert out.shape == image.shape and not np.array_equal(out, image)


# ----------------------------------------------------------------------------- parameters, commands, experiments


def test_every_error_names_its_parameter(face_dir, tmp_path):
    cases = [(lambda: pf.FaceMorph(weights=[]), "weights"),
             (lambda: pf.FaceMorph(weights=[0, 1], shape_weights=[0, 0.5, 1]), "shape_weights"),
             (lambda: pf.FaceMorph(weights=[0, 0.5, 0.5]), "weights"),
             (lambda: pf.FaceComposite(misalign=3), "misalign"),
             (lambda: pf.FaceAlignment(size=(4, 4)), "size"),
             (lambda: pf.FaceAlignment(eye_distance=0), "eye_distance"),
             (lambda: pf.FaceAverage(output_filename="a/b"), "output_filename"),
             (lambda: pf.ThatcherIllusion(regions="hemi_face_left"), "regions"),
             (lambda: pf.ThatcherIllusion(regions="ears"), "regions"),
             (lambda: pf.FeatureShift(eye_spacing=2), "eye_spacing"),
             (lambda: pf.caricature_faces(face_dir, tmp_path, face_dir / "sample.png", strength="x"), "strength"),
             (lambda: pf.average_faces(face_dir / "sample.png", tmp_path), "input_dir"),
             (lambda: pf.morph_faces(face_dir, face_dir / "sample.png", tmp_path), "face_a")]
    for make, param in cases:
        with pytest.raises(PyfameError) as caught:
            make()
        assert caught.value.param == param, (param, caught.value)
    assert list(tmp_path.iterdir()) == []


def test_every_function_is_a_command(face_dir, template, tmp_path):
    runner = CliRunner()
    for command in ("align-faces", "average-faces", "morph-faces", "caricature-faces", "thatcherize-faces",
                    "composite-faces", "shift-features"):
        result = runner.invoke(main, [command, "--help"])
        assert result.exit_code == 0, result.output
    calls = [["align-faces", str(face_dir), str(tmp_path / "a"), "--size", "200,240", "--eye-distance", "0.32"],
             ["morph-faces", str(face_dir / "sample.png"), str(face_dir / "other.png"), str(tmp_path / "m"),
              "--weights", "0,0.5,1", "--size", "128"],
             ["caricature-faces", str(face_dir / "other.png"), str(tmp_path / "c"), "--reference", str(template)],
             ["thatcherize-faces", str(face_dir / "sample.png"), str(tmp_path / "t"), "--region", "eyes",
              "--region", "mouth", "--invert-face"],
             ["shift-features", str(face_dir / "sample.png"), str(tmp_path / "s"), "--mouth-offset", "-0.05"]]
    for call in calls:
        result = runner.invoke(main, ["-q", *call])
        assert result.exit_code == 0, (call, result.output)
    assert read_image(tmp_path / "a" / "Aligned" / "affine.png").shape == (240, 200, 3)
    assert len(list((tmp_path / "m" / "Morphs").glob("*.png"))) == 3
    assert (tmp_path / "c" / "Caricatures" / "other.png").is_file()
    assert read_sidecar(tmp_path / "t" / "Thatcherized" / "sample.png")["layers"][0]["params"]["invert_face"] is True
    assert (tmp_path / "s" / "Feature_Shifted" / "sample.png").is_file()


def test_operations_and_layers_in_an_experiment_file(face_dir, tmp_path):
    for name in ("sample.png", "other.png"):
        (tmp_path / name).write_bytes((face_dir / name).read_bytes())
    spec = {"inputs": ["*.png"], "output_dir": "stimuli", "seed": 2,
            "conditions": [{"name": "thatcher", "layers": [{"type": "thatcherize_faces", "invert_face": True}]},
                           {"name": "spaced", "layers": [{"type": "shift_features", "eye_spacing": 0.1}]}],
            "operations": [{"type": "align_faces", "size": [200, 200]},
                           {"type": "average_faces", "name": "average", "output_filename": "prototype"},
                           {"type": "morph_faces", "face_a": "sample.png", "face_b": "other.png", "weights": [0.5]},
                           {"type": "caricature_faces", "name": "by_image", "reference": "other.png"},
                           {"type": "caricature_faces", "reference": "stimuli/average/prototype_template.csv",
                            "strength": 1.3},  # made by the average above: operations run in order
                           {"type": "composite_faces", "top_dir": "sample.png", "bottom_dir": "other.png",
                            "misalign": 0.3}]}
    (tmp_path / "exp.yaml").write_text(yaml.safe_dump(spec))
    report = Experiment.from_yaml(tmp_path / "exp.yaml").run(executor="serial")
    assert report.count("failed") == 0, report
    out = tmp_path / "stimuli"
    for path in ("Aligned/sample.png", "average/prototype_template.csv", "Morphs/sample_other_morph_050.png",
                 "Caricatures/other.png", "by_image/sample.png", "Composites/sample_other_composite_misaligned030.png"):
        assert (out / path).is_file(), path
    assert len(list(out.rglob("*thatcher*.png"))) + len(list((out / "thatcher").glob("*.png"))) >= 2


def test_methods_cite_the_works_and_the_family_is_exported(aligned_dir, face_dir, tmp_path):
    pf.thatcherize_faces(face_dir / "sample.png", tmp_path)
    assert "Thompson" in methods_paragraph(tmp_path / "Thatcherized")
    assert "Umeyama" in methods_paragraph(aligned_dir[0])
    import pyfame

    for name in ("align_faces", "average_faces", "morph_faces", "caricature_faces", "thatcherize_faces",
                 "composite_faces", "shift_features", "FaceAlignment", "ThatcherIllusion", "FeatureShift"):
        assert hasattr(pf, name) and hasattr(pyfame, name)
    assert issubclass(pf.ThatcherIllusion, pf.Layer) and issubclass(pf.FeatureShift, pf.Layer)


def test_faces_of_a_layer_are_each_changed(face_dir):
    # two faces in one frame: both Thatcherised (the layer goes over every face found)
    image = read_image(face_dir / "sample.png")
    wide = np.concatenate([image, image], axis=1)
    with FaceTracker(mode="image") as t:
        one = t.track(image)
    lm = one.landmarks[0]
    both = Faces.from_landmarks(np.stack([lm, lm + (512, 0, 0)]), wide.shape)
    out = pf.ThatcherIllusion().apply(wide.copy(), both, 0.0, None)
    assert np.array_equal(out[:, :512], out[:, 512:]) and not np.array_equal(out, wide)
