"""Clusters: Dask runs quietly (no INFO lines, no shutdown tracebacks, no dashboard unless
asked) and takes a Client; the SLURM executor starts a cluster, runs and tears it down in one
command (against a LocalCluster stand-in: CI has no SLURM)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("dask.distributed")

EXPERIMENT = """\
    inputs: [in/*.png]
    output_dir: out
    seed: 3
    conditions:
      - name: blurred
        layers: [{type: blur, k_size: 9}]
    """


@pytest.fixture
def experiment(tmp_path):
    from pyfame.samples import write_sample_image

    (tmp_path / "in").mkdir()
    write_sample_image(tmp_path / "in" / "a.png")
    write_sample_image(tmp_path / "in" / "b.png")
    path = tmp_path / "exp.yaml"
    path.write_text(textwrap.dedent(EXPERIMENT))
    return path


def test_dask_is_quiet_with_q(experiment):
    result = subprocess.run([sys.executable, "-m", "pyfame", "-q", "run", str(experiment), "--executor", "dask",
                             "--workers", "2"], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "INFO" not in result.stderr and "Traceback" not in result.stderr and "distributed" not in result.stderr
    assert "2 made" in result.stdout


def test_a_dask_client_can_be_given_in_python(experiment):
    from dask.distributed import Client, LocalCluster

    from pyfame.experiment import Experiment

    from dask.distributed import get_task_stream

    with LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=None) as cluster, Client(cluster) as client:
        report = Experiment.from_yaml(experiment).run(executor=client)
        assert report.count("made") == 2
        assert client.status == "running"  # a Client the caller gave is left open for the caller
        with get_task_stream(client) as stream:  # a scheduler alone means Dask, not local processes
            again = Experiment.from_yaml(experiment).run(scheduler=client)
        assert again.count("skipped") == 2 and len(stream.data) == 2


def slurm_stand_in():
    """A LocalCluster behind SLURMCluster's interface: what the tests can run without SLURM."""
    from dask.distributed import LocalCluster

    class SlurmStandIn(LocalCluster):
        made: list[dict] = []

        def __init__(self, cores, processes, memory, walltime, scheduler_options=None, **options):
            SlurmStandIn.made.append({"cores": cores, "processes": processes, "memory": memory,
                                      "walltime": walltime, **options})
            super().__init__(n_workers=0, threads_per_worker=1, processes=True, dashboard_address=None)

        def scale(self, n=0, jobs=None, **kwargs):
            if jobs is not None:
                SlurmStandIn.made[-1]["jobs"] = jobs
            return super().scale(jobs if jobs is not None else n)

        def close(self, *args, **kwargs):
            SlurmStandIn.made[-1]["closed"] = True
            return super().close(*args, **kwargs)

    return SlurmStandIn


def test_slurm_executor_starts_runs_and_tears_down(experiment, monkeypatch):
    import dask_jobqueue
    from click.testing import CliRunner

    from pyfame.cli import main

    stand_in = slurm_stand_in()
    monkeypatch.setattr(dask_jobqueue, "SLURMCluster", stand_in)
    result = CliRunner().invoke(main, ["-q", "run", str(experiment), "--jobs", "2", "--cores",  # --jobs: slurm
                                       "4", "--memory", "16GB", "--walltime", "01:00:00"])
    assert result.exit_code == 0, result.output
    assert "2 made" in result.output
    (made,) = stand_in.made
    assert made == {"cores": 4, "processes": 1, "memory": "16GB", "walltime": "01:00:00", "jobs": 2, "closed": True}
