"""Every table the command line writes can be Parquet, by the one run setting
``table_format`` (``--table-format``, an experiment file's ``table_format:``, ``-o x.parquet``),
and ``pyfame verify`` verifies the Parquet tables it wrote."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from pyfame.cli import main
from pyfame.cli.generated import command_name
from pyfame.pipeline.registry import registered
from pyfame.samples import sample_face

pytest.importorskip("pyarrow")


@pytest.fixture(scope="module")
def faces(tmp_path_factory) -> Path:
    """Two 256x256 faces (the sample face and its mirror image, darker)."""
    folder = tmp_path_factory.mktemp("faces")
    face = cv2.resize(sample_face(), (256, 256), interpolation=cv2.INTER_AREA)
    cv2.imwrite(str(folder / "a.png"), cv2.cvtColor(face, cv2.COLOR_RGB2BGR))
    cv2.imwrite(str(folder / "b.png"), cv2.cvtColor((face[:, ::-1] * 0.8).astype(np.uint8), cv2.COLOR_RGB2BGR))
    return folder


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    """A short video of the moving sample face (optical flow needs motion)."""
    from pyfame.samples import write_moving_face_video

    path = tmp_path_factory.mktemp("clip") / "clip.mp4"
    write_moving_face_video(path, n_frames=8, fps=8, size=(192, 144), motion="translate", audio=False, seed=1)
    return path


@pytest.fixture(scope="module")
def rc_set(faces, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("rc")
    result = CliRunner().invoke(main, ["-q", "generate-rc-stimuli", str(faces / "a.png"), str(out), "--n-trials", "4",
                                       "--n-scales", "3", "--seed", "1"])
    assert result.exit_code == 0, result.output
    (out / "responses.csv").write_text("trial,response\n1,1\n2,-1\n3,1\n4,-1\n")
    return out


def _table_writing_commands() -> set[str]:
    """The generated commands of every class that declares it writes tables (the probe
    ``landmarks`` is the hand-written ``pyfame landmarks FILE -o OUT``, tested as such)."""
    return {command_name(cls) for family in ("layer", "probe", "frame_plan", "operation")
            for cls in registered(family).values()
            if "writes_tables" in cls.does and cls.__module__.startswith("pyfame.")} - set(main.commands)


def _arguments(command: str, faces: Path, rc_set: Path, clip: Path) -> list[str]:
    """The inputs of each table-writing command (a new one fails the test until added)."""
    a, b = str(faces / "a.png"), str(faces / "b.png")
    return {
        "align-faces": [str(faces), "--size", "128", "--refine-passes", "0"],
        "average-faces": [str(faces), "--size", "128"],
        "morph-faces": [a, b, "--weights", "0.5", "--size", "128"],
        "match-face-statistics": [str(faces)],
        "generate-rc-stimuli": [a, "--n-trials", "2", "--n-scales", "3"],
        "classification-image": [str(rc_set / "RC_Stimuli"), str(rc_set / "responses.csv"), "--zmap", "none"],
        "color-means": [str(faces)],
        "optical-flow": [str(clip)],
        "point-light-display": [a],
    }[command]


COMMANDS = sorted(_table_writing_commands()) + ["apply", "landmarks", "run"]
#: Verified again from their sidecars: an operation's table, a probe's, a layer's companion
#: table and an experiment's (the others take the same paths; `landmarks -o` writes no sidecar).
VERIFIED = {"classification-image", "average-faces", "color-means", "point-light-display", "run"}


def test_the_list_is_every_table_writing_command():
    assert _table_writing_commands() == {"align-faces", "average-faces", "morph-faces", "match-face-statistics",
                                         "generate-rc-stimuli", "classification-image", "color-means",
                                         "point-light-display", "optical-flow"}


def _tables(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in (".csv", ".parquet"))


@pytest.mark.parametrize("command", COMMANDS)
def test_every_table_writing_command_writes_parquet_and_verify_checks_it(command, faces, rc_set, clip, tmp_path):
    runner = CliRunner()
    out = tmp_path / "out"
    if command == "apply":
        call = ["apply", str(faces / "a.png"), str(out), "--probe", "color_means", "--table-format", "parquet"]
    elif command == "landmarks":
        call = ["landmarks", str(faces / "a.png"), "-o", str(out / "a.parquet")]
    elif command == "run":
        spec = {"inputs": [str(faces / "a.png")], "output_dir": str(out), "seed": 1, "table_format": "parquet",
                "probes": [{"type": "color_means"}],
                "conditions": [{"name": "masked", "layers": [{"type": "mask"}]}],
                "operations": [{"type": "generate_rc_stimuli", "n_trials": 2, "n_scales": 3}]}
        (tmp_path / "exp.yaml").write_text(yaml.safe_dump(spec))
        call = ["run", str(tmp_path / "exp.yaml"), "--executor", "serial"]
    else:
        call = [command, *_arguments(command, faces, rc_set, clip), str(out), "--table-format", "parquet", "--seed", "1"]
    result = runner.invoke(main, ["-q", *call])
    assert result.exit_code == 0, result.output
    tables = _tables(out)
    assert tables and all(p.suffix == ".parquet" for p in tables), tables
    for table in tables:
        assert len(pd.read_parquet(table)) > 0, table
    if command == "run":
        assert (out / "manifest.parquet").is_file() and not (out / "manifest.csv").exists()
        assert set(pd.read_parquet(out / "manifest.parquet")["status"]) == {"made"}
    if command not in VERIFIED:
        return
    # a table with its own sidecar; a layer's table beside its video is the video's (verify that)
    checked = [p for p in tables if Path(f"{p}.pyfame.json").is_file()][:1] or \
        [p for p in out.rglob("*") if Path(f"{p}.pyfame.json").is_file()][:1]
    result = runner.invoke(main, ["verify", *map(str, checked)])
    assert result.exit_code == 0 and result.output.startswith("OK"), result.output
