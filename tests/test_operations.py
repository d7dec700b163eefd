"""Operations over a set of inputs get what layers get from their declaration: a command, a
seed-style function, experiment files, sidecars, skip/refuse, and verify."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from pyfame.cli import main
from pyfame.errors import PyfameError, PyfamePathError, PyfameTypeError, PyfameValueError
from pyfame.experiment import Experiment
from pyfame.pipeline.operation import Operation, run_operation
from pyfame.pipeline.output_policy import OutputExistsError
from pyfame.pipeline.params import Kind, Number, Param
from pyfame.pipeline.run_options import RunSettings
from pyfame.pipeline.seed_function import seed_function
from pyfame.provenance import read_sidecar
from pyfame.samples import sample_face
from pyfame.verify import verify_output


class MeanOfSet(Operation):
    """Test operation: the mean image of a set of stills, and a table of their means."""

    name = "test_mean_of_set"
    subfolder = "Mean"
    gain: float = Param(Number(0.0, 2.0), default=1.0, help="Multiply the mean by this.")

    def check_sources(self, sources):
        if len(sources["input_dir"]) < 2:
            raise PyfameValueError("input_dir: a set needs at least two images", param="input_dir")

    def output_names(self, sources):
        return ["mean.png", "means.csv"]

    def make(self, sources, context):
        images = [context.read_image(p).astype(np.float32) for p in sources["input_dir"]]
        mean = np.clip(np.mean(images, axis=0) * self.gain, 0, 255).astype(np.uint8)
        return {"mean.png": mean, "means.csv": pd.DataFrame({"image": [p.name for p in sources["input_dir"]],
                                                              "mean": [float(i.mean()) for i in images]})}


mean_of_set = seed_function("mean_of_set", MeanOfSet, signature=("gain",), summary="Test: the mean image.",
                            example='mean_of_set("faces/", "out/")', module=__name__)


@pytest.fixture
def stills(tmp_path):
    import cv2

    folder = tmp_path / "in"
    folder.mkdir()
    face = sample_face()
    for i in range(3):
        cv2.imwrite(str(folder / f"f{i}.png"), cv2.cvtColor(np.roll(face, 20 * i, axis=1), cv2.COLOR_RGB2BGR))
    return folder


def test_outputs_sidecars_skip_refuse_overwrite_verify(tmp_path, stills):
    out = tmp_path / "out"
    out.mkdir()
    made = run_operation(MeanOfSet(), {"input_dir": stills}, out, RunSettings(seed=1))
    assert sorted(r.output.name for r in made) == ["mean.png", "means.csv"]
    record = read_sidecar(out / "Mean" / "mean.png")
    assert record["operation"] == "test_mean_of_set" and len(record["inputs"]) == 3
    again = run_operation(MeanOfSet(), {"input_dir": stills}, out, RunSettings(seed=1))
    assert all(r.skipped for r in again)
    with pytest.raises(OutputExistsError):
        run_operation(MeanOfSet(gain=0.5), {"input_dir": stills}, out, RunSettings(seed=1))
    run_operation(MeanOfSet(gain=0.5), {"input_dir": stills}, out, RunSettings(seed=1, overwrite=True))
    for name in ("mean.png", "means.csv"):
        assert verify_output(out / "Mean" / name).identical


def test_a_set_of_one_is_refused_before_any_work(tmp_path, stills):
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(PyfameValueError, match="two"):
        mean_of_set(stills / "f0.png", out)
    assert not (out / "Mean").exists()


def test_seed_function_command_and_experiment(tmp_path, stills):
    out = tmp_path / "out"
    out.mkdir()
    assert len(mean_of_set(stills, out, 0.8)) == 2
    result = CliRunner().invoke(main, ["-q", "test-mean-of-set", str(stills), str(tmp_path / "cli"), "--gain", "1.5"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "cli" / "Mean" / "mean.png").is_file()
    (tmp_path / "exp.yaml").write_text("inputs: [in/*.png]\noutput_dir: stimuli\noperations:\n"
                                       "  - {type: test_mean_of_set, name: average, gain: 0.9}\n")
    report = Experiment.from_yaml(tmp_path / "exp.yaml").run(executor="serial")
    assert report.count("made") == 2 and (tmp_path / "stimuli" / "average" / "mean.png").is_file()
    manifest = pd.read_csv(tmp_path / "stimuli" / "manifest.csv")
    assert set(manifest["condition"]) == {"average"}


class _FileName(Kind):
    """Test kind: a file name, as text."""

    annotation = str

    def check(self, value, name):
        if not isinstance(value, (str, os.PathLike)):
            raise PyfameTypeError(f"{name} must be a path, got {value!r}", param=name)
        return str(value)


class OffsetByReference(Operation):
    """Test operation: each image plus the mean grey of a reference image named by a parameter."""

    name = "test_offset_by_reference"
    subfolder = "Offset"
    reference: str = Param(_FileName(), default="", help="A reference image.")

    def param_inputs(self):
        return {"reference": [Path(self.reference)]}

    def make(self, sources, context):
        level = int(context.read_image(sources["reference"][0]).mean())
        return {p.name: np.clip(context.read_image(p).astype(int) + level // 8, 0, 255).astype(np.uint8)
                for p in sources["input_dir"]}


def test_files_named_by_parameters_are_inputs_of_the_request(tmp_path, stills):
    import cv2

    out = tmp_path / "out"
    out.mkdir()
    reference = tmp_path / "ref.png"
    cv2.imwrite(str(reference), np.full((8, 8, 3), 200, np.uint8))
    with pytest.raises(PyfamePathError) as caught:
        run_operation(OffsetByReference(reference=str(tmp_path / "none.png")), {"input_dir": stills}, out,
                      RunSettings(seed=1))
    assert caught.value.param == "reference" and not (out / "Offset").exists()
    run_operation(OffsetByReference(reference=str(reference)), {"input_dir": stills}, out, RunSettings(seed=1))
    record = read_sidecar(out / "Offset" / "f0.png")
    assert [i["name"] for i in record["inputs"]].count("reference") == 1
    assert verify_output(out / "Offset" / "f0.png").identical
    again = run_operation(OffsetByReference(reference=str(reference)), {"input_dir": stills}, out, RunSettings(seed=1))
    assert all(r.skipped for r in again)
    cv2.imwrite(str(reference), np.full((8, 8, 3), 100, np.uint8))  # same parameters, another reference
    with pytest.raises(OutputExistsError):
        run_operation(OffsetByReference(reference=str(reference)), {"input_dir": stills}, out, RunSettings(seed=1))
    assert verify_output(out / "Offset" / "f0.png").status == "cannot verify"


def test_an_input_of_an_operation_is_named_in_errors(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "empty").mkdir()
    with pytest.raises(PyfameError) as caught:
        run_operation(MeanOfSet(), {"input_dir": tmp_path / "empty"}, out, RunSettings(seed=1))
    assert caught.value.param == "input_dir"
    with pytest.raises(PyfameError) as caught:
        OffsetByReference(reference="x.png").expand_input("low_face", tmp_path / "empty")
    assert caught.value.param == "low_face" and "low_face" in str(caught.value)


def test_operations_read_with_the_runs_pixel_limit(tmp_path, stills):
    from pyfame.errors import ImageShapeError

    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ImageShapeError):
        run_operation(MeanOfSet(), {"input_dir": stills}, out, RunSettings(seed=1, max_pixels=1000))
    assert not (out / "Mean").exists()
