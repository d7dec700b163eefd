"""A third-party layer, installed as a package, joins PyFAME with no change to PyFAME.

The example plugin in ``examples/pyfame-example-plugin`` (one module, one entry point in the
group ``pyfame.layers``) is installed into a folder of its own (offline, no build isolation)
and used from fresh processes: ``pyfame layers``, its generated command, an experiment file,
``pyfame verify``, and the layer contract suite, which picks it up like any other layer.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).parent.parent / "examples" / "pyfame-example-plugin"


@pytest.fixture(scope="module")
def plugin_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    work = tmp_path_factory.mktemp("plugin")
    source = work / "source"
    shutil.copytree(EXAMPLE, source)  # building writes into the source tree: keep the repository clean
    target = work / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                    "--no-index", "--target", str(target), str(source)], check=True)
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(target), os.environ.get("PYTHONPATH", "")])}


def pyfame(env: dict[str, str], *args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pyfame", "-q", *map(str, args)], env=env, capture_output=True,
                          text=True, timeout=300)


def test_plugin_layer_is_listed_with_its_parameters(plugin_env):
    listed = pyfame(plugin_env, "layers")
    assert listed.returncode == 0 and "sepia" in listed.stdout
    one = pyfame(plugin_env, "layers", "sepia")
    assert one.returncode == 0 and "amount" in one.stdout and "OUT/Sepia/" in one.stdout
    # and it is absent without the plugin
    assert "sepia" not in pyfame({**os.environ}, "layers").stdout


def test_plugin_layer_runs_from_the_command_line_yaml_and_verifies(plugin_env, face_image, tmp_path):
    made = pyfame(plugin_env, "sepia", face_image, tmp_path / "cli", "--amount", "0.8")
    assert made.returncode == 0, made.stderr
    output = tmp_path / "cli" / "Sepia" / "astronaut.png"
    assert output.is_file()
    bad = pyfame(plugin_env, "sepia", face_image, tmp_path / "cli2", "--amount", "2")
    assert bad.returncode == 2 and "amount" in bad.stderr + bad.stdout
    verified = pyfame(plugin_env, "verify", output)
    assert verified.returncode == 0 and verified.stdout.startswith("OK"), verified.stdout + verified.stderr

    experiment = tmp_path / "exp.yaml"
    experiment.write_text(f"inputs: [{face_image}]\noutput_dir: stimuli\nconditions:\n"
                          "  - name: toned\n    layers: [{type: sepia, amount: 0.5}]\n")
    ran = pyfame(plugin_env, "run", experiment, "--executor", "serial")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert (tmp_path / "stimuli" / "toned" / "astronaut.png").is_file()
    assert pyfame(plugin_env, "verify", tmp_path / "stimuli" / "toned" / "astronaut.png").returncode == 0


def test_the_contract_suite_tests_the_plugin_layer(plugin_env):
    suite = Path(__file__).parent / "test_layer_contract.py"
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=",
                             str(suite), "-k", "sepia"], env=plugin_env, capture_output=True, text=True,
                            timeout=600, cwd=Path(__file__).parent.parent)
    assert result.returncode == 0, result.stdout[-2000:]
    assert " passed" in result.stdout and "sepia" in subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-o", "addopts=", str(suite), "-k", "sepia"],
        env=plugin_env, capture_output=True, text=True, cwd=Path(__file__).parent.parent).stdout
