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
