"""Tables people load in pandas and R: the manifest's factor columns and relative paths,
landmarks as float32 (Parquet), in long form, with OpenFace's column names."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from pyfame.cli import main
from pyfame.experiment import Experiment, ExperimentError
from pyfame.samples import write_sample_image


def test_manifest_has_a_column_per_factor_and_paths_relative_to_it(tmp_path):
    (tmp_path / "in").mkdir()
    write_sample_image(tmp_path / "in" / "face.png")
    (tmp_path / "exp.yaml").write_text(textwrap.dedent("""\
        inputs: [in/*.png]
        output_dir: out
        conditions:
          - name: shift
            vary: {color: [red, green], magnitude: [4, 8]}
            layers: [{type: color_shift, shift_color: "{color}", shift_magnitude: "{magnitude}"}]
        """))
    Experiment.from_yaml(tmp_path / "exp.yaml").run(executor="serial")
    manifest = pd.read_csv(tmp_path / "out" / "manifest.csv")
    assert "factors" not in manifest
    assert sorted(zip(manifest["color"], manifest["magnitude"])) == [("green", 4), ("green", 8), ("red", 4),
                                                                       ("red", 8)]
    assert set(manifest["input"]) == {"../in/face.png"}
    assert all((tmp_path / "out" / p).is_file() for p in manifest["output"])


def test_a_factor_named_like_a_manifest_column_is_refused(tmp_path):
    (tmp_path / "in").mkdir()
    write_sample_image(tmp_path / "in" / "face.png")
    (tmp_path / "exp.yaml").write_text(
        "inputs: [in/*.png]\noutput_dir: out\nconditions:\n  - name: s\n    vary: {seed: [1, 2]}\n"
        "    layers: [{type: blur}]\n")
    with pytest.raises(ExperimentError, match="seed"):
        Experiment.from_yaml(tmp_path / "exp.yaml")


@pytest.mark.parametrize("layout, columns", [("wide", "pyfame"), ("long", "pyfame"), ("long", "openface"),
                                             ("wide", "openface")])
def test_landmark_tables_as_parquet(tmp_path, talking_video, layout, columns):
    path, _ = talking_video
    out = tmp_path / "lm.parquet"
    result = CliRunner().invoke(main, ["-q", "landmarks", str(path), "-o", str(out), "--layout", layout,
                                       "--columns", columns])
    assert result.exit_code == 0, result.output
    table = pd.read_parquet(out)
    x = "x" if layout == "long" else ("x_0" if columns == "openface" else "x0")
    assert table[x].dtype == np.float32
    if layout == "long":
        assert len(table) == 48 * 478 and set(table["landmark"]) == set(range(478))
    if columns == "openface":
        assert {"frame", "face_id", "timestamp", "confidence", "success"} <= set(table.columns)
        assert table["success"].isin([0, 1]).all()
    again = CliRunner().invoke(main, ["-q", "landmarks", str(path), "-o", str(out)])
    assert again.exit_code == 2 and "OutputExistsError" in again.output  # -o names a file: refused unless --overwrite


def test_every_table_command_writes_parquet(tmp_path, talking_video):
    path, _ = talking_video
    result = CliRunner().invoke(main, ["-q", "color-means", str(path), str(tmp_path), "--table-format", "parquet",
                                       "--every", "500"])
    assert result.exit_code == 0, result.output
    table = pd.read_parquet(tmp_path / "Color_Channel_Means" / "talking.parquet")
    assert {"region", "mean_r"} <= set(table.columns)
