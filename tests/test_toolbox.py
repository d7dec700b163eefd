"""The researcher's toolbox (issues 17-19): commands show only the run options that apply,
colours are checked in the order the caller wrote them, rcicr's response coding is enforced,
and the command line's small habits (``-h``, a trailing ``-q``, a missing output folder,
colour names and hex, Dask retries) hold."""

from __future__ import annotations

from pathlib import Path

import click
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import pyfame.core as pf
from pyfame.cli import main
from pyfame.cli.generated import build_command, generated_commands
from pyfame.cli.param_options import option_name
from pyfame.errors import PyfamePathError, PyfameValueError
from pyfame.pipeline.params import Color
from pyfame.pipeline.registry import lookup
from pyfame.pipeline.run_options import RunSettings
from pyfame.samples import write_sample_image

# ---------------------------------------------------------------------------- options that apply

#: The run options that belong to what a command does (what its class declares; all of them).
OPTIONS_OF = {("writes_video",): {"--crf", "--preset"},
              ("tracks",): {"--min-detection-confidence", "--min-tracking-confidence", "--num-faces"},
              ("tracks", "reads_video"): {"--smoothing"},
              ("tracks", "per_file"): {"--no-cache"},
              ("walks_folders",): {"--with-sub-dirs"},
              ("per_file",): {"--no-face", "--image-format"},
              ("reads_video",): {"--allow-truncated"},
              ("writes_tables",): {"--table-format"},
              ("plots",): {"--plot"}}


def _options(command: click.Command) -> set[str]:
    return {name for p in command.params if isinstance(p, click.Option) for name in p.opts if name.startswith("--")}


@pytest.mark.parametrize("name", sorted(generated_commands()))
def test_every_command_shows_the_run_options_of_what_it_does_and_no_other(name):
    cls, _ = generated_commands()[name]
    shown = _options(build_command(cls, name))
    for aspects, options in OPTIONS_OF.items():
        if set(aspects) <= cls.does:
            assert options <= shown, (name, aspects, options - shown)
        else:
            assert not options & shown, (name, aspects, options & shown)
    # the seed-style functions take the same settings (one place decides)
    assert {option_name(n) for n in RunSettings.applying_to(cls) if RunSettings.parameters[n].cli} <= shown


def test_the_face_geometry_and_stimulus_control_commands_offer_only_what_applies():
    runner = CliRunner()
    help_text = runner.invoke(main, ["classification-image", "-h"]).output
    for option in ("--crf", "--preset", "--no-face", "--min-detection-confidence", "--smoothing", "--with-sub-dirs"):
        assert option not in help_text, option
    assert "--table-format" in help_text and "--zmap" in help_text
    for stills_only in ("average-faces", "composite-faces", "hybrid-faces", "generate-rc-stimuli"):
        text = runner.invoke(main, [stills_only, "-h"]).output
        assert "--crf" not in text and "--preset" not in text and "--smoothing" not in text, stills_only
        assert "--no-cache" not in text  # operations track without the per-file landmark cache
    assert "--crf" in runner.invoke(main, ["align-faces", "-h"]).output  # videos are aligned into clips
    assert "with_sub_dirs" not in pf.classification_image.__signature__.parameters
    assert "crf" not in pf.average_faces.__signature__.parameters
    assert "crf" in pf.align_faces.__signature__.parameters


# ---------------------------------------------------------------------------- colours


@pytest.fixture(scope="module")
def stills(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("stills")
    write_sample_image(folder / "face.png")
    return folder


def test_seed_function_colour_errors_speak_bgr_with_the_callers_index(stills, tmp_path):
    with pytest.raises(PyfameValueError, match=r"background_color\[0\] \(B of B, G, R\) must be in \[0, 255\], "
                                               r"got 300") as info:
        pf.mask_face_region(stills, tmp_path, background_color=(300, 0, 0))
    assert info.value.param == "background_color"
    with pytest.raises(PyfameValueError, match=r"background_color\[2\] \(R of B, G, R\)"):
        pf.mask_face_region(stills, tmp_path, background_color=(0, 0, 256))
    with pytest.raises(PyfameValueError, match=r"must have 3 values \(B, G, R\), got 2"):
        pf.mask_face_region(stills, tmp_path, background_color=(1, 2))
    with pytest.raises(PyfameValueError, match=r"background_color\[0\] \(R of R, G, B\)"):
        pf.mask_face_region(stills, tmp_path, background_color=(300, 0, 0), color_order="rgb")
    assert not any(tmp_path.iterdir())  # refused before any work
    doc = pf.mask_face_region.__doc__
    assert "colour: B,G,R (0-255)" in doc and "R,G,B" not in doc


def test_layer_and_command_line_colour_errors_speak_rgb(stills, tmp_path):
    with pytest.raises(PyfameValueError, match=r"color\[0\] \(R of R, G, B\) must be in \[0, 255\]"):
        lookup("mask")(background_color=(300, 0, 0))
    result = CliRunner().invoke(main, ["mask", str(stills), str(tmp_path), "--background-color", "1,2"])
    assert result.exit_code == 2 and "3 values (R, G, B)" in result.output
    assert "R,G,B" in CliRunner().invoke(main, ["mask", "-h"]).output


def test_colour_names_and_hex_mean_the_same_in_both_orders(stills, tmp_path):
    assert Color().check("#ff8000", "c") == Color().check("#ff8000", "c", order="bgr") == (255, 128, 0)
    assert Color().check("dodger blue", "c") == (30, 144, 255)
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    pf.mask_face_region(stills, a, background_color="#1e90ff")
    pf.mask_face_region(stills, b, background_color=(255, 144, 30))  # BGR
    result = CliRunner().invoke(main, ["-q", "mask", str(stills), str(tmp_path / "c"), "--background-color",
                                       "dodgerblue", "--seed", "1"])
    assert result.exit_code == 0, result.output
    bytes_a = next((a / "Masked").glob("*.png")).read_bytes()
    assert bytes_a == next((b / "Masked").glob("*.png")).read_bytes()
    assert bytes_a == next((tmp_path / "c" / "Masked").glob("*.png")).read_bytes()


# ---------------------------------------------------------------------------- command-line habits


def test_h_is_help_everywhere_and_q_works_after_the_subcommand(stills, tmp_path):
    runner = CliRunner()
    for call in (["-h"], ["run", "-h"], ["mask", "-h"], ["align-faces", "-h"], ["apply", "-h"]):
        result = runner.invoke(main, call)
        assert result.exit_code == 0 and "Usage:" in result.output, call
    result = runner.invoke(main, ["mask", str(stills), str(tmp_path / "o"), "-q"])
    assert result.exit_code == 0, result.output


def test_the_command_line_creates_a_missing_output_folder(stills, tmp_path):
    out = tmp_path / "not" / "yet"
    result = CliRunner().invoke(main, ["-q", "mask", str(stills), str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "Masked" / "face.png").is_file()
    with pytest.raises(PyfamePathError):  # the seed API keeps requiring an existing folder
        pf.mask_face_region(stills, tmp_path / "missing")


def _fails_once(marker: str) -> str:
    path = Path(marker)
    if not path.exists():
        path.write_text("tried")
        raise RuntimeError("a preempted worker")
    return "done"


def test_dask_retries_a_failed_task(tmp_path):
    pytest.importorskip("dask.distributed")
    from dask.distributed import Client, LocalCluster

    from pyfame.pipeline.executors import DaskExecutor

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0") as cluster, \
            Client(cluster) as client:
        assert DaskExecutor(client, retries=1).map(_fails_once, [str(tmp_path / "a")]) == ["done"]
        with pytest.raises(RuntimeError, match="preempted"):
            DaskExecutor(client, retries=0).map(_fails_once, [str(tmp_path / "b")])


# ---------------------------------------------------------------------------- rcicr's response coding


@pytest.fixture(scope="module")
def stimuli():
    from pyfame.stimulus_control import generate_rc_stimuli

    return generate_rc_stimuli(np.full((32, 32), 128, np.uint8), n_trials=6, seed=1, n_scales=3)


@pytest.mark.parametrize(("codes", "says"), [
    ([1, 0, 1, 0, 1, 0], r"coded 0/1 must be recoded as -1/1 \(e\.g\. response = 2 \* response - 1"),
    ([True, False] * 3, "coded 0/1 must be recoded"),
    ([1, 2, 1, 2, 1, 2], "coded 1/2 must be recoded as 1/-1"),
    ([1, -1, 0.5, 1, -1, 1], r"row 2 has 0\.5"),
    ([1, -1, np.nan, 1, -1, 1], "row 2 has nan"),
    ([1, -1, 2, 1, -1, 1], "row 2 has 2"),
    (["ori", "inv"] * 3, "row 0 has 'ori'.*recode each response as 1"),
])
def test_responses_other_than_minus_one_and_one_are_refused_with_how_to_recode(stimuli, codes, says, monkeypatch):
    from pyfame.stimulus_control import reverse_correlation as rc

    def no_work(*args, **kwargs):
        raise AssertionError("noise was computed before the responses were checked")

    monkeypatch.setattr(rc._NoiseSource, "weighted_sum", no_work)
    table = pd.DataFrame({"trial": range(1, 7), "response": codes})
    with pytest.raises(PyfameValueError, match=says) as info:
        rc.classification_image(stimuli, table)
    assert info.value.param == "responses"


def test_a_0_1_response_table_is_refused_by_the_command_before_anything_is_written(tmp_path):
    runner = CliRunner()
    write_sample_image(tmp_path / "face.png")
    result = runner.invoke(main, ["-q", "generate-rc-stimuli", str(tmp_path / "face.png"), str(tmp_path / "rc"),
                                  "--n-trials", "2", "--n-scales", "3", "--seed", "1"])
    assert result.exit_code == 0, result.output
    (tmp_path / "resp01.csv").write_text("trial,response\n1,0\n2,1\n")
    result = runner.invoke(main, ["classification-image", str(tmp_path / "rc" / "RC_Stimuli"),
                                  str(tmp_path / "resp01.csv"), str(tmp_path / "ci")])
    assert result.exit_code == 2 and "recoded as -1/1" in result.output, result.output
    assert not (tmp_path / "ci" / "CI").exists() or not any((tmp_path / "ci" / "CI").iterdir())


# ---------------------------------------------------------------------------- citing


def test_citation_matches_the_package_and_the_changelog():
    import re
    from importlib.metadata import version

    root = Path(__file__).resolve().parents[1]
    citation = (root / "CITATION.cff").read_text()
    cited = re.search(r"^version: (\S+)$", citation, re.M).group(1)
    assert cited == version("pyfame")
    heading = re.search(rf"^## \[{re.escape(cited)}\] — (.+)$", (root / "CHANGELOG.md").read_text(), re.M)
    assert heading, "CHANGELOG.md has no section for the cited version"
    released = re.search(r"^date-released: (\S+)$", citation, re.M)
    if heading.group(1).strip() == "unreleased":
        assert released is None, "CITATION.cff gives a release date for an unreleased version"
    else:
        assert released and released.group(1).strip("'\"") == heading.group(1).strip()
