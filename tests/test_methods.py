"""``pyfame methods``: a methods paragraph from the sidecars, in three markups."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import pyfame as pf
from pyfame.cli import main
from pyfame.errors import PyfameValueError
from pyfame.methods import methods_paragraph
from pyfame.models import MODEL_SHA256


@pytest.fixture(scope="module")
def made(tmp_path_factory, face_image):
    out = tmp_path_factory.mktemp("methods")
    pf.face_color_shift(face_image, out, shift_magnitude=10, timing_func="sigmoid", seed=4)
    pf.occlude_face_region(face_image, out, occlusion_fill="bubbles", rand_seed=2)
    return out


def test_a_folder_gives_every_operation_with_units_versions_and_references(made):
    text = methods_paragraph(made)
    assert "color_shift" in text and "10 CIELAB units" in text and "sigmoid" in text
    assert "bubbles" in text and "Gosselin" in text  # the method's reference, from the layer's declaration
    assert MODEL_SHA256 in text and "Kartynnik" in text
    assert "2 seeds" in text and "byte-identical" in text


def test_one_output_and_each_format(made):
    (output,) = (made / "Color_Shifted").glob("*.png")
    text = methods_paragraph(output, "text")
    assert "bubbles" not in text and "color_shift" in text and "`" not in text
    latex = methods_paragraph(output, "latex")
    assert r"color\_shift" in latex and r"\begin{thebibliography}" in latex
    result = CliRunner().invoke(main, ["methods", str(output), "--format", "markdown"])
    assert result.exit_code == 0 and "**References**" in result.output


def test_an_experiment_manifest(tmp_path, face_image):
    from pyfame.experiment import Experiment

    (tmp_path / "exp.yaml").write_text(f"inputs: [{face_image}]\noutput_dir: out\nseed: 9\n"
                                       "conditions: [{name: blurred, layers: [{type: blur, k_size: 9}]}]\n")
    Experiment.from_yaml(tmp_path / "exp.yaml").run(executor="serial")
    text = methods_paragraph(tmp_path / "out" / "manifest.csv")
    assert "blur" in text and "9 px" in text


def test_no_sidecar_is_a_typed_error(tmp_path):
    with pytest.raises(PyfameValueError, match="sidecar"):
        methods_paragraph(tmp_path)
    with pytest.raises(PyfameValueError, match="format"):
        methods_paragraph(tmp_path, "html")


@pytest.fixture(scope="module")
def timed_video(tmp_path_factory):
    from pyfame.samples import write_moving_face_video

    folder = tmp_path_factory.mktemp("timed")
    write_moving_face_video(folder / "clip.mp4", n_frames=30, fps=15, size=(320, 240), motion="talk", audio=False,
                            seed=1)  # 2 s
    out = folder / "out"
    out.mkdir()
    pf.face_color_shift(folder / "clip.mp4", out, timing_func="linear", onset_t=0.5, seed=1)
    return out


def test_the_timing_curve_is_told_with_its_shape_and_the_ramps_used(timed_video):
    text = methods_paragraph(timed_video, "text")
    assert ("Its strength followed a linear curve from 0.5 s to the end of the video (2 s): rising in a straight "
            "line from 0 to full strength over 0.375 s, held, and falling back to 0 over 0.375 s") in text
    assert "0: the end of the video" not in text and "how the strength rises and falls" not in text


def test_every_timing_curve_in_words():
    from pyfame.methods import timing_sentence

    assert "over 0.2 s" in timing_sentence({"timing_func": "sigmoid", "onset_t": 0.0, "offset_t": 2.0,
                                            "ramp_in": 0.2, "ramp_out": 0.2, "k": 3}, [4.0])
    assert "steepness k = 3" in timing_sentence({"timing_func": "sigmoid", "k": 3}, [4.0])
    assert "peaking at 2 s with a standard deviation of 0.667 s" in timing_sentence({"timing_func": "gaussian"}, [4.0])
    assert "constant (full strength) from 0 s to 3 s" in timing_sentence({"timing_func": "constant",
                                                                          "offset_t": 3.0}, [4.0])
    assert "the end of the videos (1-3 s)" in timing_sentence({"timing_func": "linear"}, [1.0, 3.0])
    assert "full strength" in timing_sentence({"timing_func": "linear"}, [None])


def test_a_reference_file_is_named_relative_to_the_output_not_by_an_absolute_path(tmp_path):
    from pyfame.face.geometry import example_face
    from pyfame.face.geometry.alignment import canvas_eye_positions  # noqa: F401 - the canvas the template is on
    from pyfame.core.face_geometry.geometry_media import template_table
    from pyfame.samples import write_sample_image

    (tmp_path / "faces").mkdir()
    write_sample_image(tmp_path / "faces" / "face.png")
    reference = tmp_path / "templates" / "average_template.csv"
    reference.parent.mkdir()
    template_table(example_face().landmarks).to_csv(reference, index=False)
    (tmp_path / "out").mkdir()
    pf.caricature_faces(tmp_path / "faces", tmp_path / "out", reference=str(reference))
    text = methods_paragraph(tmp_path / "out")
    assert str(tmp_path) not in text and "../../templates/average_template.csv" in text


def test_versions_that_differ_between_sidecars_are_said(made, tmp_path):
    import json
    import shutil

    copy = tmp_path / "made"
    shutil.copytree(made, copy)
    (sidecar,) = (copy / "Color_Shifted").glob("*.pyfame.json")
    record = json.loads(sidecar.read_text())
    record["pyfame"] = "0.2.0"
    record["packages"]["mediapipe"] = "0.10.9"
    sidecar.write_text(json.dumps(record))
    text = methods_paragraph(copy, "text")
    assert "not all made with the same software" in text
    assert "PyFAME 0.3.0 (1 output), 0.2.0 (1 output)" in text.replace(f"{pf.__version__}", "0.3.0") or \
        "0.2.0 (1 output)" in text
    assert "MediaPipe" in text.split("not all made with the same software")[1]
    assert "not all made" not in methods_paragraph(made, "text")
