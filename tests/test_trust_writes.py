"""Outputs that never damage data or lie about themselves (issue 13: writes, experiments, verify).

Each test is one class of the bad-input sweep, checked at its root: every entry point plans
its outputs through one mechanism, so each class is tested on the entry points it concerns.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import pyfame as pf
from pyfame.cli import main
from pyfame.errors import FileWriteError, PyfameTypeError, PyfameValueError
from pyfame.experiment import Experiment, ExperimentError
from pyfame.hashing import file_sha256
from pyfame.io import read_image, write_image
from pyfame.pipeline.output_policy import OutputExistsError
from pyfame.provenance import read_sidecar, sidecar_path
from pyfame.samples import write_moving_face_video, write_sample_image
from pyfame.verify import SidecarError, verify_output

from .conftest import listing


@pytest.fixture
def stills(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    write_sample_image(folder / "a.png")
    write_sample_image(folder / "b.png")
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# ---- nothing outside the output folder, never an input -----------------------------------------

def _experiment(tmp_path, stills, body):
    path = tmp_path / "exp.yaml"
    path.write_text(textwrap.dedent(body))
    return path


@pytest.mark.parametrize("body, key", [
    ("""\
     inputs: [stimuli/red/*.png]
     output_dir: stimuli
     conditions: [{name: red, layers: [{type: color_shift}]}]
     """, "output_dir"),
    ("""\
     inputs: [in/*.png]
     output_dir: out
     conditions: [{name: "..", layers: [{type: color_shift}]}]
     """, "name"),
    ("""\
     inputs: [in/*.png]
     output_dir: out
     naming: "../{condition}/{stem}{ext}"
     conditions: [{name: red, layers: [{type: color_shift}]}]
     """, "naming"),
    ("""\
     inputs: [in/*.png]
     output_dir: out
     naming: "/tmp/pyfame-escape/{condition}{stem}{ext}"
     conditions: [{name: red, layers: [{type: color_shift}]}]
     """, "naming"),
], ids=["input-inside-output", "condition-dotdot", "naming-dotdot", "naming-absolute"])
def test_an_experiment_never_writes_over_its_inputs_or_outside_its_folder(tmp_path, stills, body, key):
    red = tmp_path / "stimuli" / "red"
    red.mkdir(parents=True)
    write_sample_image(red / "a.png")
    path = _experiment(tmp_path, stills, body)
    before = snapshot(tmp_path)
    with pytest.raises(ExperimentError, match=key):
        Experiment.from_yaml(path)
    assert snapshot(tmp_path) == before
    assert not Path("/tmp/pyfame-escape").exists()


def test_moviefy_and_normalize_stay_inside_their_output_folder(tmp_path, stills):
    out = tmp_path / "out"
    out.mkdir()
    before = snapshot(tmp_path)
    for name in ("../../x", "/tmp/x", "..", "sub/x"):
        with pytest.raises(PyfameValueError, match="output_filename"):
            pf.moviefy_images(stills, out, name)
    with pytest.raises(PyfameValueError, match="output_dir"):
        pf.normalize_image_sizes(stills)  # never into the input folder on its own
    assert snapshot(tmp_path) == before


def test_a_subfolder_cannot_leave_the_output_folder(tmp_path, stills):
    out = tmp_path / "out"
    out.mkdir()
    for sub in ("../escape", "/tmp/escape", ""):
        with pytest.raises(PyfameValueError, match="subfolder"):
            pf.apply_layers(stills, out, [pf.ColorShift()], subfolder=sub)
    assert listing(out) == [] and not (tmp_path / "escape").exists()


# ---- existing outputs: skipped when the same, refused when different -----------------------------

def test_seed_functions_skip_the_same_request_and_refuse_a_different_one(tmp_path, stills):
    out = tmp_path / "out"
    out.mkdir()
    first = pf.face_color_shift(stills, out, shift_magnitude=10, seed=1)
    made = snapshot(out)
    again = pf.face_color_shift(stills, out, shift_magnitude=10, seed=1)
    assert all(r.skipped for r in again) and not any(r.skipped for r in first)
    assert snapshot(out) == made
    with pytest.raises(OutputExistsError, match="a.png") as caught:
        pf.face_color_shift(stills, out, shift_magnitude=12, seed=1)
    assert caught.value.param == "overwrite"
    assert snapshot(out) == made  # refused before any work
    changed = pf.face_color_shift(stills, out, shift_magnitude=12, seed=1, overwrite=True)
    assert not any(r.skipped for r in changed) and snapshot(out) != made
    assert read_sidecar(out / "Color_Shifted" / "a.png")["request"]["layers"][0]["shift_magnitude"] == 12.0


def test_a_file_that_pyfame_did_not_make_is_never_replaced(tmp_path, stills):
    out = tmp_path / "out"
    (out / "Blurred").mkdir(parents=True)
    foreign = out / "Blurred" / "a.png"
    foreign.write_bytes(b"the user's own file")
    result = CliRunner().invoke(main, ["-q", "blur", str(stills), str(out)])
    assert result.exit_code == 2 and "OutputExistsError" in result.output and "a.png" in result.output
    assert foreign.read_bytes() == b"the user's own file"
    assert CliRunner().invoke(main, ["-q", "blur", str(stills), str(out), "--overwrite"]).exit_code == 0
    assert foreign.read_bytes() != b"the user's own file"


def test_different_manipulations_sharing_a_subfolder_do_not_collide(tmp_path, stills):
    out = tmp_path / "out"
    for args in (["occlude", "--fill", "bar"], ["bubbles", "--seed", "1"], ["occlude", "--fill", "bar"]):
        result = CliRunner().invoke(main, ["-q", args[0], str(stills / "a.png"), str(out), *args[1:]])
        assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (out / "Occluded").glob("*.png")) == ["a.png", "a_bubbles.png"]


# ---- interrupted re-runs and failing writes -----------------------------------------------------------

def test_an_interrupted_rerun_keeps_the_previous_complete_output(tmp_path):
    clip = tmp_path / "long.mp4"
    write_moving_face_video(clip, n_frames=480, fps=30, size=(480, 360), motion="talk")
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["-q", "blur", str(clip), str(out), "--k-size", "5"]).exit_code == 0
    before = snapshot(out)
    proc = subprocess.Popen([sys.executable, "-m", "pyfame", "-q", "blur", str(clip), str(out), "--k-size", "9",
                             "--overwrite"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not any("pyfame-tmp" in p.name for p in out.rglob("*")) and proc.poll() is None \
            and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "the re-run ended before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=60)
    assert snapshot(out) == before  # the old output and its sidecar, whole; no temporary file
    assert verify_output(out / "Blurred" / "long.mp4").identical


def test_a_table_that_cannot_be_written_fails_its_file_only_and_leaves_nothing(tmp_path, stills, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    real = pd.DataFrame.to_csv

    def disk_full(self, path, *args, **kwargs):
        if "a_color_means" in str(path) or (Path(str(path)).name.startswith(".a.") and "color" not in str(path)):
            raise OSError(28, "No space left on device")
        return real(self, path, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_csv", disk_full)
    results = pf.extract_face_color_means(stills, out)
    assert isinstance(results[0].error, FileWriteError) and "No space left" in str(results[0].error)
    assert results[1].error is None
    assert sorted(p.name for p in (out / "Color_Channel_Means").iterdir()) == ["b.csv", "b.csv.pyfame.json"]


# ---- experiments -----------------------------------------------------------------------------------

def test_a_typo_in_a_layer_parameter_names_the_layer_and_the_parameter(tmp_path, stills):
    path = _experiment(tmp_path, stills, """\
        inputs: [in/*.png]
        output_dir: out
        conditions:
          - name: red
            layers:
              - type: color_shift
                shift_colour: red
        """)
    with pytest.raises(ExperimentError) as caught:
        Experiment.from_yaml(path)
    text = str(caught.value)
    assert "line 7" in text and "color_shift" in text and "shift_colour" in text and "shift_color" in text
    with pytest.raises(PyfameTypeError) as caught:
        pf.ColorShift(shift_colour="red")
    assert caught.value.param == "shift_colour" and "color_shift" in str(caught.value)


def test_resume_redoes_a_job_whose_probe_table_is_missing(tmp_path, stills):
    path = _experiment(tmp_path, stills, """\
        inputs: [in/*.png]
        output_dir: out
        conditions: [{name: red, layers: [{type: color_shift}]}]
        probes: [{type: color_means, color_space: lab}]
        """)
    first = Experiment.from_yaml(path).run(executor="serial")
    assert first.count("made") == 2
    table = tmp_path / "out" / "red" / "a_color_means.csv"
    table.unlink()
    again = Experiment.from_yaml(path).run(executor="serial")
    assert again.count("made") == 1 and again.count("skipped") == 1 and table.is_file()
    manifest = pd.read_csv(tmp_path / "out" / "manifest.csv")
    assert "color_means.face_oval.mean_a" in manifest and manifest["color_means.face_oval.mean_a"].notna().all()


# ---- verify: no false failures, no false passes ------------------------------------------------------

def test_verify_finds_the_input_beside_a_moved_folder(tmp_path, stills):
    project = tmp_path / "project"
    (project / "out").mkdir(parents=True)
    shutil.copytree(stills, project / "in")
    pf.face_color_shift(project / "in", project / "out", seed=2)
    moved = tmp_path / "moved"
    project.rename(moved)
    report = verify_output(moved / "out" / "Color_Shifted" / "a.png")
    assert report.identical, report.message


def test_verify_recreates_shuffled_outputs_and_tables(tmp_path):
    clip = tmp_path / "clip.mp4"
    write_moving_face_video(clip, n_frames=40, fps=10, size=(160, 120), motion="talk")
    out = tmp_path / "out"
    out.mkdir()
    (r,) = pf.shuffle_frame_order(clip, out, "reverse", block_duration=1000)
    assert verify_output(r.output).identical
    (r,) = pf.shuffle_frame_order(clip, out, "random", rand_seed=3, block_duration=1000, overwrite=True)
    assert verify_output(r.output).identical
    (t,) = pf.extract_face_color_means(clip, out, sampling_frequency=200)
    assert t.output.suffix == ".csv" and verify_output(t.output).identical


def test_verify_never_passes_changed_bytes_and_says_when_it_cannot_verify(tmp_path, stills):
    out = tmp_path / "out"
    out.mkdir()
    pf.face_color_shift(stills, out, seed=2)
    a, b = out / "Color_Shifted" / "a.png", out / "Color_Shifted" / "b.png"
    data = bytearray(a.read_bytes())
    data[-20] ^= 1  # a damaged output that still decodes (or not): its bytes are not the recorded ones
    a.write_bytes(bytes(data))
    assert verify_output(a).status == "differs"
    (stills / "b.png").unlink()
    report = verify_output(b)
    assert report.status == "cannot verify" and "input missing" in report.message
    result = CliRunner().invoke(main, ["verify", str(b)])
    assert result.exit_code == 3 and result.output.startswith("CANNOT")


@pytest.mark.parametrize("content", ["[1, 2]", "{}", '{"input": 1, "output": {}, "tracker": {}, '
                                                  '"no_face_policy": "pass", "seed": 1}', "not json"])
def test_a_damaged_sidecar_is_a_typed_error(tmp_path, stills, content):
    out = tmp_path / "out"
    out.mkdir()
    (r,) = pf.face_color_shift(stills / "a.png", out, seed=2)
    sidecar_path(r.output).write_text(content)
    with pytest.raises(SidecarError):
        verify_output(r.output)
    result = CliRunner().invoke(main, ["verify", str(r.output)])
    assert result.exit_code == 2 and "SidecarError" in result.output


def test_sidecar_records_the_request_and_the_input_relative_to_the_output(tmp_path, stills):
    out = tmp_path / "out"
    out.mkdir()
    (r,) = pf.face_color_shift(stills / "a.png", out, seed=2)
    record = json.loads(sidecar_path(r.output).read_text())
    assert record["input"]["relative_path"] == "../../in/a.png"
    assert record["request"]["input_sha256"] == file_sha256(stills / "a.png")
    assert record["request"]["layers"] == [pf.ColorShift().to_dict()]


def test_a_signal_during_the_commit_waits_until_every_file_is_in_place(tmp_path, monkeypatch):
    import os
    import signal

    from pyfame.io import output_group

    real_replace = os.replace
    calls = []

    def replace_then_signal(src, dst):
        calls.append(dst)
        real_replace(src, dst)
        if len(calls) == 1:  # Ctrl-C between the media and its sidecar
            os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(output_group.os, "replace", replace_then_signal)
    with pytest.raises(KeyboardInterrupt), output_group.OutputGroup() as group:
        group.temp_for(tmp_path / "face.png").write_text("media")
        group.temp_for(tmp_path / "face.png.pyfame.json").write_text("{}")
        group.commit()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["face.png", "face.png.pyfame.json"]


# ---- one check for every output path: plots, utilities, reports (the gaps the audit found) ---------


def test_a_plot_never_replaces_an_input(tmp_path):
    """``--plot`` writes STEM.png beside STEM.csv: with the input photo there, it is refused before any work."""
    out = tmp_path / "out"
    folder = out / "Color_Channel_Means"
    folder.mkdir(parents=True)
    face = write_sample_image(folder / "face.png")
    before = face.read_bytes()
    result = CliRunner().invoke(main, ["-q", "color-means", str(face), str(out), "--plot"])
    assert result.exit_code == 2 and "PyfameValueError" in result.output and "face.png" in result.output
    assert face.read_bytes() == before and listing(out) == ["Color_Channel_Means/face.png"]


def test_a_plot_never_replaces_a_file_that_is_not_its_own(tmp_path, stills):
    out = tmp_path / "out"
    folder = out / "Color_Channel_Means"
    folder.mkdir(parents=True)
    photo = folder / "a.png"
    photo.write_bytes(b"the user's own picture")
    args = ["-q", "color-means", str(stills / "a.png"), str(out), "--plot"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and "OutputExistsError" in result.output and "a.png" in result.output
    assert photo.read_bytes() == b"the user's own picture" and listing(out) == ["Color_Channel_Means/a.png"]
    assert CliRunner().invoke(main, [*args, "--overwrite"]).exit_code == 0  # replaced only when asked
    plot = photo.read_bytes()
    assert plot.startswith(b"\x89PNG") and (folder / "a.csv").is_file()
    assert CliRunner().invoke(main, args).exit_code == 0  # PyFAME's own plot of that table: kept, not refused
    assert photo.read_bytes() == plot
    table = folder / "a.csv"
    with pytest.raises(PyfameValueError, match="would overwrite the input"):
        pf.plot_table(table, table)  # `pyfame plot a.csv -o a.csv` turned the table into a picture
    assert table.read_bytes().startswith(b"frame") or b"," in table.read_bytes()[:100]
    other = folder / "b.png"
    other.write_bytes(b"another picture")
    result = CliRunner().invoke(main, ["plot", str(table), "-o", str(other)])
    assert result.exit_code == 2 and "OutputExistsError" in result.output and other.read_bytes() == b"another picture"


def test_moviefy_and_normalize_never_replace_a_file_silently(tmp_path, stills):
    out = tmp_path / "out"
    (out / "Normalized").mkdir(parents=True)
    film, normalized = out / "film.mp4", out / "Normalized" / "a.png"
    film.write_bytes(b"the user's film")
    normalized.write_bytes(b"the user's picture")
    with pytest.raises(OutputExistsError, match="film.mp4") as caught:
        pf.moviefy_images(stills, out, "film", fps=5, repeat_duration=200)
    assert caught.value.param == "overwrite"
    result = CliRunner().invoke(main, ["-q", "moviefy", str(stills), str(out), "film", "--fps", "5", "--hold-ms", "200"])
    assert result.exit_code == 2 and "OutputExistsError" in result.output
    with pytest.raises(OutputExistsError, match="a.png"):
        pf.normalize_image_sizes(stills, output_dir=out)
    assert film.read_bytes() == b"the user's film" and normalized.read_bytes() == b"the user's picture"
    assert listing(out) == ["Normalized/a.png", "film.mp4"]  # refused before anything was written
    assert pf.moviefy_images(stills, out, "film", fps=5, repeat_duration=200, overwrite=True) == film
    assert pf.normalize_image_sizes(stills, output_dir=out, overwrite=True)[0] == normalized
    assert film.read_bytes() != b"the user's film" and normalized.read_bytes() != b"the user's picture"


def test_an_experiment_never_takes_its_contact_sheet_as_an_input_nor_writes_over_one(tmp_path):
    faces = tmp_path / "faces"
    faces.mkdir()
    face = write_sample_image(faces / "a.png")
    before = face.read_bytes()
    path = _experiment(tmp_path, None, """\
        inputs: [faces/*.png]
        output_dir: faces
        conditions: [{name: red, layers: [{type: color_shift}]}]
        """)
    assert Experiment.from_yaml(path).run(executor="serial").count("made") == 1
    sheet = (faces / "contact_sheet.png").read_bytes()
    again = Experiment.from_yaml(path)
    assert [Path(j.input).name for j in again.jobs()] == ["a.png"]  # its own contact sheet is no input
    assert again.run(executor="serial").count("skipped") == 1
    assert face.read_bytes() == before and not (faces / "red" / "contact_sheet.png").exists()
    assert (faces / "contact_sheet.png").read_bytes() == sheet  # rewritten: the same run, the same sheet
    # a user's own picture of that name is an input the contact sheet would overwrite: refused
    (faces / "contact_sheet.png").write_bytes(before)
    with pytest.raises(ExperimentError, match="contact_sheet.png"):
        Experiment.from_yaml(path)
    assert (faces / "contact_sheet.png").read_bytes() == before


def test_an_experiment_never_writes_over_a_manifest_or_sheet_it_did_not_make(tmp_path, stills):
    path = _experiment(tmp_path, stills, """\
        inputs: [in/a.png]
        output_dir: out
        conditions: [{name: red, layers: [{type: color_shift}]}]
        """)
    out = tmp_path / "out"
    out.mkdir()
    for name in ("manifest.csv", "contact_sheet.png"):
        (out / name).write_text("the user's notes\n")
        with pytest.raises(OutputExistsError, match=name):
            Experiment.from_yaml(path).run(executor="serial")
        assert listing(out) == [name] and (out / name).read_text() == "the user's notes\n"
        (out / name).unlink()
    Experiment.from_yaml(path).run(executor="serial")
    assert Experiment.from_yaml(path).run(executor="serial").count("skipped") == 1  # its own: rewritten


def test_run_refuses_outputs_made_with_other_parameters_and_counts_every_status(tmp_path, stills):
    text = """\
        inputs: [in/*.png]
        output_dir: out
        conditions: [{name: red, layers: [{type: color_shift, shift_magnitude: %s}]}]
        """
    path = _experiment(tmp_path, stills, text % 8)
    first = CliRunner().invoke(main, ["-q", "run", str(path), "--executor", "serial"])
    assert first.exit_code == 0 and "2 outputs: 2 made, 0 already made, 0 failed" in first.output
    out = tmp_path / "out"
    made = snapshot(out)
    path.write_text(textwrap.dedent(text % 12))
    refused = CliRunner().invoke(main, ["-q", "run", str(path), "--executor", "serial"])
    assert refused.exit_code == 2 and "OutputExistsError" in refused.output and "a.png" in refused.output
    assert "--overwrite" in refused.output and snapshot(out) == made  # before any work
    remade = CliRunner().invoke(main, ["-q", "run", str(path), "--executor", "serial", "--overwrite"])
    assert remade.exit_code == 0, remade.output
    assert "2 outputs: 0 made, 2 made again (--overwrite), 0 already made, 0 failed" in remade.output
    assert set(pd.read_csv(out / "manifest.csv")["status"]) == {"remade"}
    assert read_sidecar(out / "red" / "a.png")["request"]["layers"][0]["shift_magnitude"] == 12.0
    made = snapshot(out / "red")
    pixels = read_image(stills / "a.png")
    pixels[:8, :8] = 0
    write_image(stills / "a.png", pixels)  # the same name, other bytes: made from another request
    changed = CliRunner().invoke(main, ["-q", "run", str(path), "--executor", "serial"])
    assert changed.exit_code == 1 and "OutputExistsError" in changed.output and "red/a.png" in changed.output
    assert "2 outputs: 0 made, 1 already made, 1 failed" in changed.output and snapshot(out / "red") == made


@pytest.mark.parametrize("damage, key", [
    (lambda r: r.update(request=[1]), "request"),
    (lambda r: r.update(layers="x"), "layers"),
    (lambda r: r["input"].update(path=5), "input.path"),
    (lambda r: r.update(reviewed_by="me"), "reviewed_by"),
    (lambda r: r["output"].update(sha256=["x"]), "output.sha256"),
    (lambda r: r.update(tables=[1]), "tables"),
    (lambda r: r["request"].update(layers=[1]), r"request.layers\[0\]"),
    (lambda r: r.update(seed="1"), "seed"),
], ids=["request-list", "layers-string", "input-path-number", "unknown-key", "sha256-list", "tables-list",
        "request-layer-number", "seed-string"])
def test_a_damaged_sidecar_is_refused_naming_its_key(tmp_path, stills, damage, key):
    out = tmp_path / "out"
    out.mkdir()
    (r,) = pf.face_color_shift(stills / "a.png", out, seed=2)
    record = json.loads(sidecar_path(r.output).read_text())
    damage(record)
    sidecar_path(r.output).write_text(json.dumps(record))
    with pytest.raises(SidecarError, match=key):
        verify_output(r.output)
    result = CliRunner().invoke(main, ["verify", str(r.output)])
    assert result.exit_code == 2 and "SidecarError" in result.output and "Traceback" not in result.output
    # a run meeting that output: not PyFAME's as far as it can tell, so refused, never a crash
    with pytest.raises(OutputExistsError):
        pf.face_color_shift(stills / "a.png", out, seed=2)


def test_an_existing_input_path_is_taken_literally_not_as_a_glob(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    write_sample_image(folder / "face1.png")
    write_sample_image(folder / "face[1].png")
    path = _experiment(tmp_path, None, """\
        inputs: ["in/face[1].png"]
        output_dir: out
        conditions: [{name: red, layers: [{type: color_shift}]}]
        """)
    assert [Path(j.input).name for j in Experiment.from_yaml(path).jobs()] == ["face[1].png"]
