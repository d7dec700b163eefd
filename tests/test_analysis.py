"""Analysis: colour means equal known colours, flow reports a known motion, head pose a known roll."""

from __future__ import annotations

import cv2
import numpy as np
import pandas as pd
import pytest

import pyfame.core as pf
from pyfame.errors import PyfameValueError
from pyfame.face.faces import Faces
from pyfame.face.region_mask import region_mask
from pyfame.face.tracker import FaceTracker
from pyfame.io import read_image, write_image
from pyfame.pipeline.layer import SourceInfo
from pyfame.provenance import read_sidecar
from pyfame.samples import moving_face_transforms, sample_face, write_moving_face_video
from pyfame.samples.moving_face import render_frame

from .conftest import listing


@pytest.fixture(scope="module")
def translating_video(tmp_path_factory):
    path = tmp_path_factory.mktemp("flow") / "translate.mp4"
    write_moving_face_video(path, n_frames=24, fps=24, size=(320, 240), motion="translate", audio=False,
                            dx_per_frame=2.0, dy_per_frame=1.0, crf=4)
    return path


def test_color_means_of_flat_colours(face_image, tmp_path):
    face = read_image(face_image)
    with FaceTracker(mode="image") as tracker:
        faces = tracker.track(face)
    painted = face.copy()
    colours = {"cheeks": (214, 150, 128), "chin": (190, 140, 115)}  # flat skin tones: still a face
    for region, colour in ((pf.CHEEKS_PATH, colours["cheeks"]), (pf.CHIN_PATH, colours["chin"])):
        m = region_mask(faces, region, face.shape).full() > 0
        m = cv2.dilate(m.astype(np.uint8), np.ones((9, 9), np.uint8)).astype(bool)
        painted[m] = colour
    path = write_image(tmp_path / "flat.png", painted)
    (tmp_path / "out").mkdir()
    (r,) = pf.extract_face_color_means(path, tmp_path / "out", landmark_regions=[pf.CHEEKS_PATH, pf.CHIN_PATH])
    table = pd.read_csv(r.output)
    assert r.output == tmp_path / "out" / "Color_Channel_Means" / "flat.csv"
    assert list(table["region"]) == ["cheeks", "chin"] and table["face_detected"].all()
    for _, row in table.iterrows():
        assert (row["mean_r"], row["mean_g"], row["mean_b"]) == pytest.approx(colours[row["region"]], abs=0.5)
        assert max(row["std_r"], row["std_g"], row["std_b"]) < 1.0
    assert read_sidecar(r.output)["operation"] == "extract_face_color_means"


@pytest.mark.parametrize("space, channels", [("hsv", "hsv"), ("grayscale", ["gray"]), ("lab", "lab"),
                                             ("ycrcb", ["y", "cr", "cb"])])
def test_color_spaces_and_sampling(talking_video, tmp_path, space, channels):
    path, _ = talking_video
    (r,) = pf.extract_face_color_means(path, tmp_path, color_space=space, sampling_frequency=250)
    table = pd.read_csv(r.output)
    assert {f"mean_{c}" for c in channels} <= set(table.columns)
    times = sorted(table["timestamp_s"].unique())
    assert len(times) == 8 and np.diff(times) == pytest.approx(0.25, abs=0.05)  # 2 s sampled every 250 ms
    assert set(table["region"]) == {"face_oval", "cheeks", "nose", "chin"}


def test_frames_without_a_face_say_so(media_dir, tmp_path):
    path = media_dir / "leaves.mp4"
    if not path.exists():
        write_moving_face_video(path, n_frames=40, fps=20, size=(320, 240), motion="translate", audio=False,
                                dx_per_frame=12.0, dy_per_frame=0.0)
    (r,) = pf.extract_face_color_means(path, tmp_path, sampling_frequency=50)
    table = pd.read_csv(r.output)
    missing = table[~table["face_detected"]]
    assert len(missing) > 0 and missing["mean_r"].isna().all()
    assert (table[table["face_detected"]]["mean_r"] > 0).all()


@pytest.mark.parametrize("kind", ["sparse", "dense"])
def test_flow_reports_a_known_translation(translating_video, tmp_path, kind):
    (r,) = pf.get_optical_flow(translating_video, tmp_path, optical_flow_type=kind, csv_sample_freq=40)
    assert r.output.parent.name == "Optical_Flow" and r.output.is_file()
    table = pd.read_csv(r.output.with_name("translate_optical_flow.csv"))
    if kind == "sparse":
        assert len(table) > 10
        assert table["dx"].median() == pytest.approx(2.0, abs=0.5)
        assert table["dy"].median() == pytest.approx(1.0, abs=0.5)
        assert table["direction_deg"].median() == pytest.approx(np.degrees(np.arctan2(1, 2)), abs=10)
    else:
        face = table[table["region"] == "face_oval"]
        assert face["mean_dx"].median() == pytest.approx(2.0, abs=0.5)
        assert face["mean_dy"].median() == pytest.approx(1.0, abs=0.5)
        assert face["mean_magnitude"].median() == pytest.approx(np.hypot(2, 1), abs=0.5)


@pytest.fixture(scope="module")
def sample_landmarks():
    """The sample face's landmarks, tracked once, in the sample image's pixels."""
    with FaceTracker(mode="image") as tracker:
        return tracker.track(sample_face()).landmarks[0]


def _synthetic_clip(landmarks, motion, n_frames, size=(400, 300), **motion_kw):
    """Frames of the sample face moved by known affine maps, with the landmarks moved by the
    same maps (exact: no tracker jitter), and the maps."""
    transforms = moving_face_transforms(n_frames, size, motion, **motion_kw)
    frames = [render_frame(m, size) for m in transforms]
    faces = []
    for m in transforms:
        lm = landmarks.copy()
        lm[:, :2] = landmarks[:, :2] @ m[:, :2].T + m[:, 2]
        faces.append(Faces.from_landmarks(lm[None], frames[0].shape))
    return frames, faces, transforms


def _run_layer(layer, frames, faces):
    """The layer's drawings and, per frame, its rows (all computed)."""
    h, w = frames[0].shape[:2]
    layer.start(SourceInfo("video", w, h, 10.0, len(frames), len(frames) / 10.0))
    drawn, rows = [], []
    for i, (frame, f) in enumerate(zip(frames, faces)):
        drawn.append(layer.apply(frame.copy(), f, i / 10.0, None))
        rows.append(layer.latest)
    return drawn, rows


def _true_mean_flow(transforms, i, mask):
    """The mask-weighted mean displacement from frame i - 1 to frame i of the known maps."""
    step = np.vstack([transforms[i], [0, 0, 1]]) @ np.linalg.inv(np.vstack([transforms[i - 1], [0, 0, 1]]))
    x0, y0, x1, y1 = mask.box
    ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float64)
    w = mask.alpha / mask.alpha.sum()
    return (float(((step[0, 0] * xs + step[0, 1] * ys + step[0, 2] - xs) * w).sum()),
            float(((step[1, 0] * xs + step[1, 1] * ys + step[1, 2] - ys) * w).sum()))


@pytest.mark.parametrize("motion, motion_kw", [
    ("translate", {"dx_per_frame": 2.3, "dy_per_frame": -1.4}),
    ("translate", {"dx_per_frame": 9.0, "dy_per_frame": 4.0}),  # beyond a patch: needs the pyramid, and the union box
    ("scale", {}),  # the face's box changes size from frame to frame
    ("rotate", {"degrees_per_frame": 2.0}),  # a flow that differs across the face: the area must line up
])
@pytest.mark.parametrize("method", [{}, {"dis_preset": "medium"}, {"dense_method": "farneback"}],
                         ids=["dis-fast", "dis-medium", "farneback"])
def test_dense_flow_in_the_face_box_recovers_known_motion(sample_landmarks, motion, motion_kw, method):
    n = 12 if motion == "scale" else 5
    frames, faces, transforms = _synthetic_clip(sample_landmarks, motion, n, **motion_kw)
    _, rows = _run_layer(pf.OpticalFlow("dense", **method), frames, faces)
    assert rows[0] == []  # nothing measured on the first frame
    for i in range(1, n):
        oval = rows[i][0]
        assert oval["region"] == "face_oval" and oval["face_detected"]
        # the flow is indexed by the previous frame's pixels: the truth is averaged over where the face was
        tx, ty = _true_mean_flow(transforms, i, region_mask(faces[i - 1], pf.FACE_OVAL_MASK, frames[0].shape))
        assert oval["mean_dx"] == pytest.approx(tx, abs=0.15) and oval["mean_dy"] == pytest.approx(ty, abs=0.15)


def test_dense_flow_is_drawn_only_where_it_was_computed(sample_landmarks):
    """A textured patch moves far from a still face: with the default face area, the drawing
    shows no flow there (the frame in dimmed grey: not measured); with the whole frame, it does."""
    frames, faces, _ = _synthetic_clip(sample_landmarks, "still", 4, size=(480, 360))
    patch = cv2.GaussianBlur(np.random.default_rng(1).integers(0, 256, (60, 60, 3), dtype=np.uint8), (0, 0), 1.5)
    for i, frame in enumerate(frames):
        frame[280:340, 380 + 3 * i:440 + 3 * i] = patch  # 3 px/frame to the right, bottom-right corner
    drawn, rows = _run_layer(pf.OpticalFlow("dense"), frames, faces)
    x0, y0, x1, y1 = faces[0].union_box()
    grow = round(0.3 * max(x1 - x0, y1 - y0))  # the face's box with generous padding
    x0, y0, x1, y1 = x0 - grow, y0 - grow, x1 + grow, y1 + grow
    assert x1 < 380  # the patch is outside it
    for frame, out in zip(frames, drawn):
        grey = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY) // 2
        outside = np.ones(out.shape[:2], bool)
        outside[y0:y1, x0:x1] = False
        outside[:72, :72] = False  # the legend
        assert np.array_equal(out[outside], np.repeat(grey[outside][:, None], 3, axis=1))
    assert not np.array_equal(drawn[2][y0:y1, x0:x1], drawn[0][y0:y1, x0:x1])  # the face's box shows flow
    assert np.isfinite(rows[2][0]["mean_dx"]) and abs(rows[2][0]["mean_dx"]) < 0.1  # the face is still
    whole, _ = _run_layer(pf.OpticalFlow("dense", dense_area="frame"), frames, faces)
    spread = whole[2][290:330, 400:440].astype(int)
    assert (spread.max(axis=2) - spread.min(axis=2)).mean() > 50  # saturated flow colours on the patch


def test_dense_flow_is_deterministic_across_thread_counts_and_pickling(sample_landmarks):
    import pickle

    frames, faces, _ = _synthetic_clip(sample_landmarks, "talk", 6)
    layer = pf.OpticalFlow("dense")
    first, rows = _run_layer(layer, frames, faces)
    again, rows_again = _run_layer(pickle.loads(pickle.dumps(layer)), frames, faces)  # a used layer pickles
    threads = cv2.getNumThreads()
    try:
        cv2.setNumThreads(1)  # a worker process's thread budget
        single, rows_single = _run_layer(pf.OpticalFlow("dense"), frames, faces)
    finally:
        cv2.setNumThreads(threads)
    for other in (again, single):
        assert all(np.array_equal(a, b) for a, b in zip(first, other))
    assert rows == rows_again == rows_single and len(rows[-1]) == 4


def test_dense_flow_on_a_frame_smaller_than_a_flow_area(sample_landmarks):
    frames = [np.roll(cv2.resize(sample_face(), (24, 20)), i, axis=1) for i in range(3)]
    drawn, rows = _run_layer(pf.OpticalFlow("dense", dense_area="frame"), frames, [Faces.empty()] * 3)
    assert [d.shape for d in drawn] == [(20, 24, 3)] * 3
    assert all(r["face_detected"] is False and np.isnan(r["mean_dx"]) for r in rows[2])


def test_farneback_parameters_ask_for_farneback():
    with pytest.raises(PyfameValueError, match="dense_method='farneback'") as caught:
        pf.OpticalFlow("dense", pyr_scale=0.4)
    assert caught.value.param == "pyr_scale"
    assert pf.OpticalFlow("dense", dense_method="farneback", pyr_scale=0.4).pyr_scale == 0.4
    assert pf.OpticalFlow("sparse", win_size=(21, 21)).win_size == (21, 21)  # the sparse flow uses it
    with pytest.raises(PyfameValueError) as caught:
        pf.OpticalFlow("dense", dense_method="farneback", dis_preset="medium")
    assert caught.value.param == "dis_preset"


def test_dense_flow_choices_are_recorded(translating_video, tmp_path):
    (r,) = pf.get_optical_flow(translating_video, tmp_path, optical_flow_type="dense", dis_preset="medium")
    params = read_sidecar(r.output)["layers"][0]["params"]
    assert (params["dense_method"], params["dis_preset"], params["dense_area"]) == ("dis", "medium", "face")


def test_sparse_flow_on_landmarks(translating_video, tmp_path):
    (r,) = pf.get_optical_flow(translating_video, tmp_path, landmarks_to_track=[1, 4, 152, 33, 263],
                               csv_sample_freq=100, point_color=(0, 0, 255), plot=True)
    table = pd.read_csv(r.output.with_name("translate_optical_flow.csv"))
    assert set(table["point"]) <= set(range(5))
    assert table["dx"].median() == pytest.approx(2.0, abs=0.5)
    assert r.output.with_name("translate_optical_flow.png").is_file()


def test_head_pose_roll_follows_an_in_plane_rotation(tmp_path):
    path = tmp_path / "rotate.mp4"
    transforms = write_moving_face_video(path, n_frames=30, fps=15, size=(320, 240), motion="rotate", audio=False,
                                         degrees_per_frame=1.5, max_degrees=20.0)
    (tmp_path / "out").mkdir()
    (r,) = pf.extract_face_landmarks(path, tmp_path / "out", plot=True)
    table = pd.read_csv(r.output)
    assert len(table) == 30 and {"yaw_deg", "pitch_deg", "roll_deg", "jawOpen", "x477_norm"} <= set(table.columns)
    applied = np.degrees(np.arctan2(-transforms[:, 1, 0], transforms[:, 0, 0]))  # ccw angle of each frame
    roll = table["roll_deg"].to_numpy()
    change = (roll - roll[0]) - (applied - applied[0])
    assert np.abs(change).max() < 3.0, np.c_[applied, roll]
    assert r.output.with_suffix(".png").is_file()


def test_parquet_landmarks(talking_video, tmp_path):
    path, _ = talking_video
    (r,) = pf.extract_face_landmarks(path, tmp_path, table_format="parquet", blendshapes=False, head_pose=False)
    table = pd.read_parquet(r.output)
    assert len(table) == 48 and "roll_deg" not in table.columns


def test_probe_with_layer_in_one_pass_is_a_manipulation_check(face_image, tmp_path):
    probe = pf.ColorMeansProbe("lab", [pf.CHEEKS_PATH])
    (before,) = pf.apply_layers(face_image, tmp_path, [], [probe], subfolder="plain")
    (after,) = pf.apply_layers(face_image, tmp_path, [pf.ColorShift(shift_magnitude=8, landmark_regions=pf.CHEEKS_PATH)],
                               [probe], subfolder="red")
    rise = after.tables["color_means"]["mean_a"].iloc[0] - before.tables["color_means"]["mean_a"].iloc[0]
    assert rise == pytest.approx(8.0, abs=1.5)
    assert (tmp_path / "red" / "astronaut_color_means.csv").is_file()


def test_plot_each_table(talking_video, tmp_path):
    path, _ = talking_video
    (r,) = pf.extract_face_color_means(path, tmp_path, sampling_frequency=200, plot=True)
    assert r.output.with_suffix(".png").stat().st_size > 5000
    (tmp_path / "bad.csv").write_text("a,b\n1,2\n")
    with pytest.raises(PyfameValueError, match="not a PyFAME"):
        pf.plot_table(tmp_path / "bad.csv")


@pytest.mark.parametrize(
    "func, kwargs, name",
    [
        (pf.extract_face_color_means, {"color_space": "cmyk"}, "color_space"),
        (pf.extract_face_color_means, {"sampling_frequency": 0}, "sampling_frequency"),
        (pf.get_optical_flow, {"optical_flow_type": "medium"}, "optical_flow_type"),
        (pf.get_optical_flow, {"win_size": (1, 1)}, "win_size"),
        (pf.get_optical_flow, {"pyr_scale": 1.5}, "pyr_scale"),
        (pf.get_optical_flow, {"max_corners": 0}, "max_corners"),
        (pf.get_optical_flow, {"landmarks_to_track": [500]}, "landmarks_to_track"),
        (pf.get_optical_flow, {"csv_sample_freq": -5}, "csv_sample_freq"),
        (pf.get_optical_flow, {"optical_flow_type": "dense", "poly_sigma": 1.5}, "poly_sigma"),
        (pf.get_optical_flow, {"dense_method": "lucas"}, "dense_method"),
        (pf.get_optical_flow, {"dense_area": "head"}, "dense_area"),
        (pf.extract_face_landmarks, {"table_format": "xlsx"}, "table_format"),
    ],
)
def test_bad_arguments(talking_video, tmp_path, func, kwargs, name):
    path, _ = talking_video
    with pytest.raises((PyfameValueError, TypeError), match=name):
        func(path, tmp_path, **kwargs)
    assert listing(tmp_path) == []


def test_flow_needs_a_video(face_image, tmp_path):
    with pytest.raises(PyfameValueError, match="video"):
        pf.get_optical_flow(face_image, tmp_path)


def test_colour_means_of_a_folder_on_two_workers_equal_serial(talking_video, face_image, tmp_path):
    import shutil

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(talking_video[0], folder / "a.mp4")
    shutil.copy(face_image, folder / "b.png")
    tables = {}
    for workers in (None, 2):
        out = tmp_path / f"out{workers}"
        out.mkdir()
        results = pf.extract_face_color_means(folder, out, sampling_frequency=250, workers=workers)
        assert [r.error for r in results] == [None, None]
        tables[workers] = {p.name: p.read_text() for p in (out / "Color_Channel_Means").glob("*.csv")}
    assert tables[None] == tables[2] and len(tables[2]) == 2
