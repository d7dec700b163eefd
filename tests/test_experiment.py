"""Experiment files: expansion, validation naming the key, executors, resume, manifest, verify."""

from __future__ import annotations

import shutil
import textwrap

import pandas as pd
import pytest

import pyfame as pf
from pyfame.experiment import Experiment, ExperimentError
from pyfame.samples import write_moving_face_video, write_sample_image
from pyfame.verify import verify_output

EXPERIMENT = """\
inputs: [in/*]
output_dir: out
seed: 11
conditions:
  - name: colour
    vary:
      color: [red, green]
    layers:
      - type: color_shift
        shift_color: "{color}"
        shift_magnitude: 10
        landmark_regions: cheeks
  - name: eyebar
    layers:
      - type: occlusion
        occlusion_fill: bar
  - name: bubbles
    layers:
      - type: bubbles
        n_bubbles: 6
probes:
  - type: color_means
    color_space: lab
    landmark_regions: [cheeks]
"""


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("experiment_inputs")
    write_sample_image(folder / "face.png")
    write_moving_face_video(folder / "talk.mp4", n_frames=12, fps=12, size=(160, 120), motion="talk")
    write_moving_face_video(folder / "turn.mp4", n_frames=12, fps=12, size=(160, 120), motion="rotate")
    return folder


def make(tmp_path, inputs, text=EXPERIMENT, name="exp.yaml"):
    if not (tmp_path / "in").exists():
        shutil.copytree(inputs, tmp_path / "in")
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def outputs(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.suffix in (".png", ".mp4") and p.name != "contact_sheet.png"}


def test_expansion_and_seeds(tmp_path, inputs):
    exp = Experiment.from_yaml(make(tmp_path, inputs))
    jobs = exp.jobs()
    assert len(jobs) == 12 and {j.condition for j in jobs} == {"colour_color-red", "colour_color-green", "eyebar",
                                                               "bubbles"}
    assert len({j.seed for j in jobs}) == 12  # every (input, condition) its own seed
    assert jobs[0].layers[0]["shift_color"] == "red" and jobs[3].layers[0]["shift_color"] == "green"


def test_processes_resume_and_serial_identity(tmp_path, inputs):
    path = make(tmp_path, inputs)
    report = Experiment.from_yaml(path).run(executor="processes", workers=2)
    assert report.count("made") == 12 and not report.failed
    out = tmp_path / "out"
    made = outputs(out)
    assert len(made) == 12
    manifest = pd.read_csv(out / "manifest.csv")
    assert len(manifest) == 12 and {"sha256", "seed", "frames_with_face", "color_means.cheeks.mean_a"} <= set(manifest)
    assert (out / "contact_sheet.png").stat().st_size > 10_000
    red = manifest[manifest["condition"] == "colour_color-red"]["color_means.cheeks.mean_a"].mean()
    green = manifest[manifest["condition"] == "colour_color-green"]["color_means.cheeks.mean_a"].mean()
    assert red > green + 5  # the manipulation check, from the probes run in the same pass

    again = Experiment.from_yaml(path).run(executor="processes", workers=2)
    assert again.count("skipped") == 12 and outputs(out) == made
    (out / "eyebar" / "talk.mp4").unlink()
    third = Experiment.from_yaml(path).run(executor="serial")
    assert third.count("made") == 1 and third.count("skipped") == 11
    assert outputs(out) == made  # the re-made output is byte-identical

    serial_dir = tmp_path / "serial"
    serial_dir.mkdir()
    path2 = make(serial_dir, inputs)
    Experiment.from_yaml(path2).run(executor="serial")
    assert outputs(serial_dir / "out") == made

    for name in ("colour_color-red/talk.mp4", "bubbles/face.png"):
        assert verify_output(out / name).identical
    tampered = out / "eyebar" / "face.png"
    from pyfame.io import read_image, write_image

    pixels = read_image(tampered)
    pixels[10:20, 10:20] = 0
    write_image(tampered, pixels)
    report = verify_output(tampered)
    assert not report.identical and report.differing_pixels > 0 and "differ" in report.message


def test_dask_local_cluster_gives_the_same_bytes(tmp_path, inputs):
    pytest.importorskip("dask.distributed")
    small = EXPERIMENT.replace("[in/*]", "[in/face.png, in/talk.mp4]")
    path = make(tmp_path, inputs, small)
    Experiment.from_yaml(path).run(executor="serial")
    made = outputs(tmp_path / "out")
    shutil.rmtree(tmp_path / "out")
    report = Experiment.from_yaml(path).run(executor="dask", workers=2)
    assert report.count("made") == 8
    assert outputs(tmp_path / "out") == made


def test_a_broken_input_is_reported_and_the_rest_made(tmp_path, inputs):
    path = make(tmp_path, inputs, EXPERIMENT.replace("[in/*]", "[in/*.png, in/*.mp4]"))
    (tmp_path / "in" / "broken.mp4").write_bytes(b"not a video" * 20)
    report = Experiment.from_yaml(path).run(executor="serial")
    assert len(report.failed) == 4 and all("broken.mp4" in r["input"] for r in report.failed)
    assert report.count("made") == 12
    assert not any((tmp_path / "out").rglob("broken*"))


@pytest.mark.parametrize(
    "change, key, line",
    [
        (("seed: 11", "seeed: 11"), "seeed", 3),
        (("        shift_magnitude: 10", "        shift_magnitude: 500"), "shift_magnitude", 11),
        (("        shift_magnitude: 10", "        shift_magnitude: ten"), "shift_magnitude", 11),
        (("        n_bubbles: 6", "        n_bubles: 6"), "n_bubles", 20),
        (("      - type: occlusion", "      - type: occlusionn"), "type", 15),
        (("inputs: [in/*]", "inputs: [missing/*.mp4]"), "inputs[0]", 1),
        (("    color_space: lab", "    color_space: cmyk"), "color_space", 23),
        (("  - name: eyebar", "  - nam: eyebar"), "nam", 13),
    ],
)
def test_bad_experiment_files_name_the_line_and_key(tmp_path, inputs, change, key, line):
    path = make(tmp_path, inputs, EXPERIMENT.replace(*change))
    with pytest.raises(ExperimentError) as err:
        Experiment.from_yaml(path)
    message = str(err.value)
    assert key in message and f"line {line}" in message, message
    assert not (tmp_path / "out").exists()


def test_cli_run_dry_run_and_verify(tmp_path, inputs):
    from click.testing import CliRunner

    from pyfame.cli import main

    path = make(tmp_path, inputs, EXPERIMENT.replace("[in/*]", "[in/face.png]"))
    runner = CliRunner()
    dry = runner.invoke(main, ["-q", "run", str(path), "--dry-run"])
    assert dry.exit_code == 0 and "4 outputs (1 inputs × 4 conditions)" in dry.output
    assert not (tmp_path / "out").exists()
    made = runner.invoke(main, ["-q", "run", str(path), "--executor", "serial"])
    assert made.exit_code == 0 and "4 made" in made.output
    ok = runner.invoke(main, ["verify", str(tmp_path / "out" / "eyebar" / "face.png")])
    assert ok.exit_code == 0 and ok.output.startswith("OK")
    bad = runner.invoke(main, ["-q", "run", str(make(tmp_path, inputs, "inputs: [in/face.png]\n", "bad.yaml"))])
    assert bad.exit_code == 2 and "output_dir" in bad.output


def test_verify_on_a_seed_function_output(face_image, tmp_path):
    (r,) = pf.face_color_shift(face_image, tmp_path, shift_color="yellow", landmark_regions=pf.CHIN_PATH)
    assert verify_output(r.output).identical


def test_verify_names_the_software_that_changed_when_bytes_differ(face_image, tmp_path):
    import json

    from pyfame.hashing import file_sha256
    from pyfame.io import read_image, write_image
    from pyfame.provenance import sidecar_path

    (r,) = pf.face_color_shift(face_image, tmp_path, shift_color="yellow", landmark_regions=pf.CHIN_PATH)
    pixels = read_image(r.output)
    pixels[0, 0] = 255 - pixels[0, 0]
    write_image(r.output, pixels)  # as if an older version had made it differently
    side = sidecar_path(r.output)
    record = json.loads(side.read_text())
    record["pyfame"] = "0.0.1"
    record["output"]["sha256"] = file_sha256(r.output)  # the older version's record of its own bytes
    side.write_text(json.dumps(record))
    report = verify_output(r.output)
    assert not report.identical and report.differing_pixels == 1
    assert "pyfame 0.0.1 -> " in report.message
