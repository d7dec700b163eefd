"""The command line: version, demo, info, landmarks, and clear errors."""

from __future__ import annotations

import pandas as pd
from click.testing import CliRunner

from pyfame.cli import main
from pyfame.io.media_info import media_info


def run(*args):
    return CliRunner().invoke(main, ["--quiet", *[str(a) for a in args]], catch_exceptions=False)


def test_version():
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0 and "pyfame" in result.output


def test_demo_writes_matching_video_and_still(tmp_path):
    result = run("demo", tmp_path / "demo")
    assert result.exit_code == 0, result.output
    out_video = tmp_path / "demo" / "outputs" / "sample_face.mp4"
    in_video = tmp_path / "demo" / "inputs" / "sample_face.mp4"
    assert str(out_video) in result.output
    a, b = media_info(in_video), media_info(out_video)
    for key in ("width", "height", "frame_count", "fps", "has_audio"):
        assert a[key] == b[key], key
    assert b["has_audio"]
    assert (tmp_path / "demo" / "outputs" / "sample_face.png").is_file()


def test_info_counts_faces(talking_video):
    path, _ = talking_video
    result = run("info", path)
    assert result.exit_code == 0, result.output
    assert "frames_with_face" in result.output
    facts = dict(line.split(maxsplit=1) for line in result.output.strip().splitlines())
    assert facts["frames_with_face"] == "48" and facts["frame_count"] == "48"


def test_landmarks_table(talking_video, tmp_path):
    path, _ = talking_video
    out = tmp_path / "lm.csv"
    result = run("landmarks", path, "-o", out)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert len(table) == 48 and {"frame", "timestamp_s", "x0", "y477", "z477"} <= set(table.columns)
    pq = tmp_path / "lm.parquet"
    assert run("landmarks", path, "-o", pq).exit_code == 0
    assert pd.read_parquet(pq).shape == table.shape


def test_errors_are_one_line_and_exit_2(tmp_path):
    result = run("info", tmp_path / "missing.mp4")
    assert result.exit_code == 2
    assert "missing.mp4" in result.output
    result = run("landmarks", tmp_path / "missing.mp4", "-o", tmp_path / "x.txt")
    assert result.exit_code == 2 and "x.txt" in result.output


def test_color_shift_command_on_a_folder(face_image, tmp_path):
    import shutil

    (tmp_path / "in").mkdir()
    shutil.copy(face_image, tmp_path / "in" / "a.png")
    (tmp_path / "out").mkdir()
    result = run("color-shift", tmp_path / "in", tmp_path / "out", "--color", "green", "--magnitude", "6",
                 "--region", "cheeks", "--region", "chin", "--seed", "3")
    assert result.exit_code == 0, result.output
    out = tmp_path / "out" / "Color_Shifted" / "a.png"
    assert str(out) in result.output and out.is_file()
    import json

    layer = json.loads((out.parent / "a.png.pyfame.json").read_text())["layers"][0]
    assert layer["params"]["shift_color"] == "green" and layer["params"]["landmark_regions"] == "cheeks+chin"


def test_saturation_and_brightness_commands(face_image, tmp_path):
    assert run("saturation-shift", face_image, tmp_path, "--magnitude", "-30").exit_code == 0
    assert (tmp_path / "Sat_Shifted" / "astronaut.png").is_file()
    assert run("brightness-shift", face_image, tmp_path, "--timing", "sigmoid", "--k", "2").exit_code == 0
    assert (tmp_path / "Brightness_Shifted" / "astronaut.png").is_file()


def test_command_errors_name_the_parameter(face_image, tmp_path):
    result = run("color-shift", face_image, tmp_path, "--onset", "-1")
    assert result.exit_code == 2 and "onset_t" in result.output
    assert not (tmp_path / "Color_Shifted").exists()


def test_occlusion_commands(face_image, tmp_path):
    for args, produced in [
        (["mask", "--region", "eyes", "--region", "mouth", "--background", "0,255,0"], "Masked/astronaut.png"),
        (["mask", "--transparent", "--overwrite"], "Masked/astronaut.png"),
        (["occlude", "--fill", "bar"], "Occluded/astronaut.png"),
        (["bubbles", "--n", "5", "--seed", "1"], "Occluded/astronaut_bubbles.png"),
        (["blur", "--method", "median", "--k-size", "9"], "Blurred/astronaut.png"),
        (["noise", "--method", "gaussian", "--sd", "20", "--mask-type", "none"], "Noise_Added/astronaut.png"),
    ]:
        result = run(args[0], face_image, tmp_path, *args[1:])
        assert result.exit_code == 0, (args, result.output)
        assert (tmp_path / produced).is_file()
    bad = run("blur", face_image, tmp_path, "--k-size", "8")
    assert bad.exit_code == 2 and "k_size" in bad.output


def test_analysis_commands(talking_video, tmp_path):
    path, _ = talking_video
    result = run("color-means", path, tmp_path, "--space", "lab", "--every", "500", "--plot")
    assert result.exit_code == 0, result.output
    table = tmp_path / "Color_Channel_Means" / "talking.csv"
    assert table.is_file() and table.with_suffix(".png").is_file()
    result = run("optical-flow", path, tmp_path, "--type", "dense", "--every", "500")
    assert result.exit_code == 0, result.output
    flow_table = tmp_path / "Optical_Flow" / "talking_optical_flow.csv"
    assert flow_table.is_file() and (tmp_path / "Optical_Flow" / "talking.mp4").is_file()
    assert run("plot", flow_table, "-o", tmp_path / "flow.png").exit_code == 0
    assert (tmp_path / "flow.png").is_file()
    lm = tmp_path / "lm.csv"
    assert run("landmarks", path, "-o", lm, "--head-pose", "--blendshapes").exit_code == 0
    assert {"roll_deg", "jawOpen"} <= set(pd.read_csv(lm).columns)


def test_filler_module_commands(talking_video, face_image, tmp_path):
    path, _ = talking_video
    assert run("pld", path, tmp_path, "--density", "0.5", "--history", "relative").exit_code == 0
    assert (tmp_path / "PLD" / "talking.mp4").is_file()
    for method in ("high", "landmark", "phase"):
        (tmp_path / method).mkdir()
        result = run("scramble", face_image, tmp_path / method, "--method", method, "--seed", "2")
        assert result.exit_code == 0, result.output
    result = run("shuffle-frames", path, tmp_path, "--method", "reverse", "--block-ms", "500")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "Shuffled" / "talking.mp4").is_file()
    assert run("transcode", path, tmp_path).exit_code == 0
    (tmp_path / "stills").mkdir()
    import shutil

    shutil.copy(face_image, tmp_path / "stills" / "a.png")
    shutil.copy(face_image, tmp_path / "stills" / "b.png")
    assert run("moviefy", tmp_path / "stills", tmp_path, "film", "--fps", "5").exit_code == 0
    assert (tmp_path / "film.mp4").is_file()


def test_workers_option_on_a_folder(face_image, tmp_path):
    import shutil

    (tmp_path / "in").mkdir()
    for name in ("a.png", "b.png"):
        shutil.copy(face_image, tmp_path / "in" / name)
    result = run("blur", tmp_path / "in", tmp_path, "--workers", "2")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "Blurred").glob("*.png")) == ["a.png", "b.png"]
