"""One executor for every batch entry point: operations run their independent jobs on it (the
same bytes whichever executor), experiments run their operations on theirs, a scheduler or
SLURM options choose the executor instead of being ignored; each operation output records the
inputs it was made from; the public surface and the list view of ``pyfame layers``."""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path

import cv2
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import pyfame.core as pf
from pyfame.errors import PyfameValueError
from pyfame.pipeline.executors import (
    DaskExecutor,
    ProcessExecutor,
    SerialExecutor,
    SlurmExecutor,
    make_executor,
)
from pyfame.provenance import read_sidecar
from pyfame.samples import sample_face


class RoundTripExecutor:
    """A real executor that runs each job as another process would get it: the function and the
    item pickled and unpickled (so a job has only what travels: a fresh context, no tracker of
    the caller's), the result pickled back. It records every map it is given."""

    def __init__(self) -> None:
        self.calls: list[int] = []

    def map(self, func, items, on_done=None):
        self.calls.append(len(items))
        out = []
        for item in items:
            job, arg = pickle.loads(pickle.dumps((func, item)))
            out.append(pickle.loads(pickle.dumps(job(arg))))
            if on_done is not None:
                on_done()
        return out


def _write(path: Path, rgb: np.ndarray) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    return path


@pytest.fixture(scope="module")
def faces(tmp_path_factory) -> Path:
    """Three stills of the sample face, moved and scaled, 256 px."""
    folder = tmp_path_factory.mktemp("faces")
    face = cv2.resize(sample_face(), (256, 256), interpolation=cv2.INTER_AREA)
    for i, (dx, scale) in enumerate([(0, 1.0), (12, 0.92), (-10, 1.06)]):
        m = cv2.getRotationMatrix2D((128, 128), 4.0 * i, scale)
        m[0, 2] += dx
        _write(folder / "set" / f"f{i}.png", cv2.warpAffine(face, m, (256, 256), borderMode=cv2.BORDER_REFLECT))
    return folder / "set"


@pytest.fixture(scope="module")
def rc_set(tmp_path_factory, faces) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("rc")
    pf.generate_rc_stimuli(faces / "f0.png", out, n_trials=40, seed=3, square_px=64)
    rng = np.random.default_rng(0)
    responses = pd.DataFrame({"trial": np.tile(np.arange(1, 41), 2), "response": rng.choice([-1, 1], 80),
                              "participant": np.repeat(["p1", "p2"], 40)})
    table = out / "responses.csv"
    responses.to_csv(table, index=False)
    return out / "RC_Stimuli", table


def _calls(name: str, faces: Path, rc_set: tuple[Path, Path]) -> tuple[tuple, dict, int]:
    """How each operation is called on the test set, and how many jobs its work splits into
    at least (per input, pair, step or group)."""
    a, b = faces / "f0.png", faces / "f1.png"
    return {
        "align_faces": ((faces,), {"size": (128, 128), "method": "mesh"}, 3),
        "average_faces": ((faces,), {"size": (128, 128)}, 3),
        "caricature_faces": ((faces,), {"reference": str(a), "strength": 1.2}, 3),
        "composite_faces": ((faces, faces), {"size": (128, 128)}, 9),
        "morph_faces": ((a, b), {"size": (128, 128), "weights": [0.25, 0.75]}, 2),
        "match_face_statistics": ((faces,), {"method": "histogram"}, 3),
        "hybrid_faces": ((a, b), {"cutoff_cpf": 6.0}, 2),
        "classification_image": ((rc_set[0], rc_set[1]), {"by": "participant", "zmap": "permutation",
                                                          "n_permutations": 20}, 2),
    }[name]


def _digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.endswith(".pyfame.json")}


OPERATIONS = ["align_faces", "average_faces", "caricature_faces", "composite_faces", "morph_faces",
              "match_face_statistics", "hybrid_faces", "classification_image"]


@pytest.mark.parametrize("name", OPERATIONS)
def test_an_operation_runs_its_jobs_on_the_executor_and_makes_the_same_bytes(name, faces, rc_set, tmp_path):
    args, kwargs, jobs = _calls(name, faces, rc_set)
    func = getattr(pf, name)
    (tmp_path / "serial").mkdir()
    (tmp_path / "other").mkdir()
    func(*args, tmp_path / "serial", seed=2, executor="serial", **kwargs)
    spy = RoundTripExecutor()
    func(*args, tmp_path / "other", seed=2, executor=spy, **kwargs)
    assert spy.calls and max(spy.calls) >= jobs, spy.calls  # the work was split and given to the executor
    serial, other = _digests(tmp_path / "serial"), _digests(tmp_path / "other")
    assert serial and serial == other


def test_processes_make_the_same_bytes_as_serial(faces, tmp_path):
    """Real processes, kept to one operation and two jobs (a still, refined by re-tracking in
    its worker, and a short clip): the pickling executor above covers every operation."""
    from pyfame.samples import write_moving_face_video

    folder = tmp_path / "in"
    folder.mkdir()
    for p in sorted(faces.iterdir())[:1]:
        (folder / p.name).write_bytes(p.read_bytes())
    write_moving_face_video(folder / "clip.mp4", n_frames=6, fps=12, size=(240, 200), motion="talk", audio=False,
                            seed=1)
    (tmp_path / "serial").mkdir()
    (tmp_path / "processes").mkdir()
    pf.align_faces(folder, tmp_path / "serial", size=(96, 96), seed=1)
    pf.align_faces(folder, tmp_path / "processes", size=(96, 96), seed=1, executor="processes",
                   workers=2)
    serial = _digests(tmp_path / "serial")
    assert len(serial) == 3 and serial == _digests(tmp_path / "processes")


# ---- main's alpha channels and table formats, through the jobs --------------------------------------


@pytest.fixture(scope="module")
def rgba_faces(tmp_path_factory, faces) -> Path:
    """Two of the stills as RGBA PNGs whose alpha is a copy of their green channel."""
    folder = tmp_path_factory.mktemp("rgba")
    for p in sorted(faces.iterdir())[:2]:
        bgr = cv2.imread(str(p))
        cv2.imwrite(str(folder / p.name), np.dstack([bgr, bgr[..., 1]]))
    return folder


_ALPHA_CALLS = {
    "align_faces": lambda d, out, **kw: pf.align_faces(d, out, size=(128, 128), **kw),
    "average_faces": lambda d, out, **kw: pf.average_faces(d, out, size=(128, 128), **kw),
    "caricature_faces": lambda d, out, **kw: pf.caricature_faces(d, out, reference=str(d / "f1.png"), strength=1.4,
                                                                 **kw),
    "composite_faces": lambda d, out, **kw: pf.composite_faces(d, d, out, size=(128, 128), misalign=0.2, **kw),
    "morph_faces": lambda d, out, **kw: pf.morph_faces(d / "f0.png", d / "f1.png", out, size=(128, 128),
                                                       weights=[0.5], **kw),
    "match_face_statistics": lambda d, out, **kw: pf.match_face_statistics(d, out, method="luminance", **kw),
}


@pytest.mark.parametrize("name", list(_ALPHA_CALLS))
def test_an_operations_jobs_carry_the_alpha_channel_and_its_record(name, rgba_faces, tmp_path):
    """Stills with an alpha channel read in jobs on another executor: the same RGBA bytes as
    serial, and every output's sidecar still says what became of the alpha (the job's record
    of the stills read with one comes back)."""
    from pyfame.io import read_image_with_alpha

    made = {}
    for kind, executor in (("serial", "serial"), ("other", RoundTripExecutor())):
        (tmp_path / kind).mkdir()
        made[kind] = _ALPHA_CALLS[name](rgba_faces, tmp_path / kind, seed=2, executor=executor)
    assert _digests(tmp_path / "serial") == _digests(tmp_path / "other")
    stills = [r.output for r in made["other"] if r.output.suffix == ".png"]
    assert stills
    for still in stills:
        assert read_image_with_alpha(still)[1] is not None, still.name
    for r in made["other"]:
        assert read_sidecar(r.output)["made"]["alpha"], r.output.name


def test_tables_in_the_runs_format_keep_their_own_inputs(faces, tmp_path):
    """With table_format='parquet' an operation's tables are renamed as they are written; the
    inputs each was made from still follow it, and a lazy output mapping is not made twice."""
    spy = RoundTripExecutor()
    results = pf.average_faces(faces, tmp_path, size=(128, 128), seed=1, table_format="parquet", executor=spy)
    names = sorted(r.output.name for r in results)
    assert names == ["average.png", "average_template.parquet"]
    for r in results:
        assert [Path(i["path"]).name for i in read_sidecar(r.output)["made_from"]] == ["f0.png", "f1.png", "f2.png"]
    again = pf.average_faces(faces, tmp_path, size=(128, 128), seed=1, table_format="parquet", executor=spy)
    assert all(r.skipped for r in again) and spy.calls == [3]  # the same request: skipped, no work


# ---- experiments: operations on the experiment's executor, each output with its own inputs -----------


EXPERIMENT = """\
inputs: [in/*]
output_dir: out
seed: 1
operations:
  - {type: align_faces, size: [128, 128]}
  - {type: average_faces, name: average, output_filename: prototype, size: [128, 128]}
"""


@pytest.fixture
def experiment(tmp_path, faces) -> Path:

    (tmp_path / "in").mkdir()
    for p in sorted(faces.iterdir())[:2]:
        (tmp_path / "in" / p.name).write_bytes(p.read_bytes())
    path = tmp_path / "exp.yaml"
    path.write_text(EXPERIMENT)
    return path


def test_an_experiments_operations_run_on_its_executor(experiment):
    from pyfame.experiment import Experiment

    spy = RoundTripExecutor()
    report = Experiment.from_yaml(experiment).run(executor=spy)
    assert report.count("failed") == 0
    assert spy.calls == [2, 2], spy.calls  # align: a job per input; average: a job per still


def test_each_operation_output_records_the_inputs_it_was_made_from(experiment):
    from pyfame.experiment import Experiment

    root = experiment.parent
    Experiment.from_yaml(experiment).run(executor="serial")
    manifest = pd.read_csv(root / "out" / "manifest.csv").set_index("output")
    row = manifest.loc["Aligned/f1.png"]
    assert row["input"] == "../in/f1.png" and row["frames"] == 1 and row["frames_with_face"] == 1
    assert manifest.loc["Aligned/f0.png", "input"] == "../in/f0.png"
    average = manifest.loc["average/prototype.png"]
    assert average["input"] == "../in/f0.png;../in/f1.png" and average["frames"] == 2
    side = read_sidecar(root / "out" / "Aligned" / "f1.png")
    assert Path(side["input"]["path"]).name == "f1.png"
    assert [Path(i["path"]).name for i in side["made_from"]] == ["f1.png"]
    assert side["made_from"][0]["frames"] == 1 and side["frames"] == {"decoded": 1, "with_face": 1}
    assert len(side["inputs"]) == 2  # the whole set the operation read, for verify
    table = read_sidecar(root / "out" / "Aligned" / "alignment_transforms.csv")
    assert [Path(i["path"]).name for i in table["made_from"]] == ["f0.png", "f1.png"]
    again = Experiment.from_yaml(experiment).run(executor="serial")  # skipped: the record from the sidecar
    rows = {Path(r["output"]).name: r for r in again.records}
    assert rows["f1.png"]["status"] == "skipped" and Path(rows["f1.png"]["input"]).name == "f1.png"
    assert rows["f1.png"]["frames"] == 1


# ---- the executor a batch runs on: settings imply it, or are refused -----------------------------------


def test_a_scheduler_or_slurm_options_choose_the_executor():
    assert isinstance(make_executor(scheduler="tcp://127.0.0.1:1"), DaskExecutor)
    assert isinstance(make_executor(jobs=4, cores=2, memory="8GB"), SlurmExecutor)
    assert isinstance(make_executor(dashboard=True), DaskExecutor)
    assert isinstance(make_executor(workers=2, n_items=3), ProcessExecutor)
    assert isinstance(make_executor(), SerialExecutor)


@pytest.mark.parametrize("executor, settings, param", [
    ("processes", {"scheduler": "tcp://127.0.0.1:1"}, "scheduler"),
    ("serial", {"scheduler": "tcp://127.0.0.1:1"}, "scheduler"),
    ("dask", {"jobs": 3}, "jobs"),
    ("processes", {"memory": "8GB"}, "memory"),
    ("serial", {"dashboard": True}, "dashboard"),
    ("slurm", {"workers": 4}, "workers"),
])
def test_a_setting_the_executor_would_ignore_is_an_error(executor, settings, param):
    with pytest.raises(PyfameValueError) as info:
        make_executor(executor, **settings)
    assert info.value.param == param


def test_an_experiment_refuses_settings_its_executor_ignores_before_any_work(experiment):
    from pyfame.cli import main
    from pyfame.experiment import Experiment

    with pytest.raises(PyfameValueError) as info:
        Experiment.from_yaml(experiment).run(executor="processes", scheduler="tcp://127.0.0.1:1")
    assert info.value.param == "scheduler"
    result = CliRunner().invoke(main, ["-q", "run", str(experiment), "--executor", "serial", "--jobs", "2"])
    assert result.exit_code != 0 and "jobs" in result.output and "slurm" in result.output
    assert not (experiment.parent / "out").exists()


# ---- the public surface and the list view ---------------------------------------------------------------


def test_the_public_surface_is_the_api():
    import types

    public = {n for n in dir(pf) if not n.startswith("_")}
    assert public == set(pf.__all__)
    assert "path_loop" not in public and {"face_geometry", "stimulus_control"} <= public
    modules = {n for n in public if isinstance(getattr(pf, n), types.ModuleType)}
    assert modules == {"analysis", "coloring", "face_geometry", "occlusion", "point_light_display", "scrambling",
                       "stimulus_control", "temporal_transforms"}


def test_the_layer_list_shows_every_parameter_with_type_default_and_unit():
    from pyfame.cli import main
    from pyfame.cli.declarations import short_type
    from pyfame.pipeline.params import REQUIRED
    from pyfame.pipeline.registry import registered

    result = CliRunner().invoke(main, ["layers"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    for family in ("layer", "probe", "frame_plan", "operation"):
        for cls in registered(family).values():
            start = next(i for i, line in enumerate(lines) if line.split()[:1] == [cls.name])
            shown = lines[start + 1:start + 1 + len(cls.parameters)]
            for line, p in zip(shown, cls.parameters.values()):
                words = line.split()
                assert words[0] == p.name, (cls.name, line)
                assert short_type(p.kind) in line
                assert ("required" if p.default is REQUIRED else f"= {p.default_data()!r}") in line
                if p.unit:
                    assert line.endswith(f"[{p.unit}]"), line


# ---- the experiment file's JSON Schema, from the declarations -------------------------------------------


DOCS = Path(__file__).resolve().parent.parent / "docs"


def _validator():
    import jsonschema

    from pyfame.pipeline.schema import experiment_schema

    schema = experiment_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _doc_experiments() -> list[tuple[str, dict]]:
    import re

    import yaml

    found = []
    for page in sorted(DOCS.glob("*.md")):
        for block in re.findall(r"```yaml\n(.*?)```", page.read_text(), flags=re.S):
            data = yaml.safe_load(block)
            if isinstance(data, dict) and "output_dir" in data:
                found.append((page.name, data))
    return found


def _example_value(param):
    """A value a required parameter takes (tried from a few plain ones)."""
    for value in ("face.png", 1, 0.5, True, "face_oval", [1, 2]):
        try:
            param.check(value)
            return value
        except Exception:  # noqa: BLE001 - not this one: try the next
            continue
    raise AssertionError(f"no example value for {param.name}")


def test_every_example_experiment_in_the_docs_and_tests_validates():
    import yaml

    from pyfame.experiment import experiment as ex

    validator = _validator()
    schema = validator.schema  # every key the experiment reads, and no other
    assert set(schema["properties"]) == ex.TOP_KEYS
    assert set(schema["properties"]["conditions"]["items"]["properties"]) == ex.CONDITION_KEYS
    assert set(schema["properties"]["executor"]["properties"]) == ex.EXECUTOR_KEYS
    assert set(schema["properties"]["limits"]["properties"]) == ex.LIMIT_KEYS
    examples = _doc_experiments()
    assert {name for name, _ in examples} >= {"experiments.md", "face_geometry.md", "stimulus_control.md"}
    import textwrap

    from tests import test_clusters

    examples += [("tests", yaml.safe_load(text)) for text in (EXPERIMENT, textwrap.dedent(test_clusters.EXPERIMENT))]
    for name, data in examples:
        errors = [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]
        assert not errors, (name, errors)


def test_every_registered_class_round_trips_through_the_schema():
    from pyfame.pipeline.params import REQUIRED
    from pyfame.pipeline.registry import FAMILIES, build, registered

    validator = _validator()
    for family in FAMILIES:
        for name, cls in registered(family).items():
            required = {p.name: _example_value(p) for p in cls.parameters.values() if p.default is REQUIRED}
            spec = build({"type": name, **required}, family).to_dict()
            if family == "operation":
                spec.update({n: "faces/a.png" for n in cls.inputs if len(cls.inputs) > 1})
            data = {"inputs": "faces/*.png", "output_dir": "out",
                    **({"conditions": [{"name": "c", "layers": [spec]}]} if family == "layer" else
                       {"conditions": [{"name": "c", "frame_plan": spec}]} if family == "frame_plan" else
                       {"operations": [spec]} if family == "operation" else
                       {"probes": [spec], "conditions": [{"name": "c", "layers": [{"type": "blur"}]}]})}
            errors = [e.message for e in validator.iter_errors(data)]
            assert not errors, (family, name, spec, errors)


@pytest.mark.parametrize("layer, where", [
    ({"type": "blur", "k_size": 1000}, "k_size"),  # above the declared bound
    ({"type": "blur", "k_sise": 9}, ""),  # not a parameter of blur
    ({"type": "blur", "blur_method": "box"}, "blur_method"),  # not one of the choices
    ({"type": "blurr"}, "type"),  # not a registered layer
    ({"type": "color_shift", "shift_magnitude": "{strength}"}, None),  # a factor placeholder is fine
])
def test_the_schema_refuses_what_the_declarations_refuse(layer, where):
    validator = _validator()
    data = {"inputs": "a.png", "output_dir": "out", "conditions": [{"name": "c", "layers": [layer]}]}
    errors = list(validator.iter_errors(data))
    if where is None:
        assert not errors, [e.message for e in errors]
        return
    assert errors
    paths = {".".join(map(str, p)) for e in errors for p in [e.absolute_path, *(c.absolute_path for c in e.context)]}
    assert any(p.endswith(where) for p in paths), paths


def test_pyfame_schema_writes_the_schema(tmp_path):
    import json

    from pyfame.cli import main
    from pyfame.pipeline.schema import experiment_schema

    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0 and json.loads(result.output) == experiment_schema()
    result = CliRunner().invoke(main, ["schema", "-o", str(tmp_path / "experiment.schema.json")])
    assert result.exit_code == 0
    schema = json.loads((tmp_path / "experiment.schema.json").read_text())
    blur = schema["$defs"]["layer.blur"]["properties"]["k_size"]  # a number or a "{factor}" placeholder
    assert blur["default"] == 15 and "px" in blur["description"] and blur["anyOf"][0]["minimum"] == 1
