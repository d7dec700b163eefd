"""``pyfame run`` (experiment files) and ``pyfame verify``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from pyfame.cli.main import main


@main.command("run")
@click.argument("experiment", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and list what would be made; make nothing.")
@click.option("--executor", type=click.Choice(["serial", "processes", "dask", "slurm"]), default=None,
              help="Default: processes for more than one output. slurm starts a dask-jobqueue cluster for the run "
                   "and tears it down after it.")
@click.option("--workers", type=int, default=None, help="Processes or Dask workers (default: CPU count).")
@click.option("--scheduler", default=None, help="Dask scheduler address (default: a LocalCluster).")
@click.option("--overwrite", is_flag=True,
              help="Make again outputs that exist made with other parameters (or not by PyFAME); default: refuse.")
@click.option("--allow-truncated", "allow_truncated", is_flag=True, default=None,
              help="Accept a video cut short (frames missing against its own index), recorded in the sidecar "
                   "(default: the file's allow_truncated, else refuse).")
@click.option("--max-pixels", type=int, default=None,
              help="Largest input image or frame, in pixels, refused from the header above it (default: the "
                   "file's max_pixels, else 100,000,000).")
@click.option("--jobs", "n_jobs", type=int, default=None, help="slurm: number of batch jobs (one Dask worker each).")
@click.option("--cores", type=int, default=None, help="slurm: cores per job.")
@click.option("--memory", default=None, help="slurm: memory per job, e.g. 16GB.")
@click.option("--walltime", default=None, help="slurm: time limit per job, e.g. 01:00:00.")
@click.option("--dashboard", is_flag=True, help="Dask: start the web dashboard (off by default).")
@click.pass_context
def run(ctx: click.Context, experiment: Path, dry_run: bool, executor: str | None, workers: int | None,
        scheduler: str | None, overwrite: bool, allow_truncated: bool | None, max_pixels: int | None,
        n_jobs: int | None, cores: int | None, memory: str | None, walltime: str | None, dashboard: bool) -> None:
    """Make a whole stimulus set from an EXPERIMENT file (YAML)."""
    from pyfame.experiment import Experiment

    exp = Experiment.from_yaml(experiment)
    jobs = exp.jobs()
    if dry_run:
        for job in jobs:
            click.echo(f"{job.condition:32s} {Path(job.input).name:24s} → {job.output}")
        click.echo(f"{len(jobs)} outputs ({len(exp.inputs)} inputs × {len(exp.conditions)} conditions)")
        return
    cluster = {k: v for k, v in (("jobs", n_jobs), ("cores", cores), ("memory", memory), ("walltime", walltime))
               if v is not None}
    if dashboard:
        cluster["dashboard"] = True
    report = exp.run(executor, workers, scheduler, progress=ctx.obj["progress"], overwrite=overwrite,
                     allow_truncated=allow_truncated, max_pixels=max_pixels, **cluster)
    for r in report.failed:
        click.echo(f"FAILED  {r['input']} [{r['condition']}]: {r['error']}", err=True)
    click.echo(report.summary())
    for name, path in exp.report_files().items():
        click.echo(f"{name.split('.')[0].replace('_', ' ')}: {path}")
    if report.failed:
        sys.exit(1)


@main.command("verify")
@click.argument("outputs", nargs=-1, required=True, type=click.Path(path_type=Path))
def verify(outputs: tuple[Path, ...]) -> None:
    """Check each OUTPUT (media or table) against its sidecar and re-create it to compare.

    Exit code 0: all identical; 1: some differ; 3: some cannot be verified (input missing or
    changed) and none differ.
    """
    from pyfame.verify import EXIT_CODES, verify_output

    labels = {"identical": "OK      ", "differs": "DIFFERS ", "cannot verify": "CANNOT  "}
    worst = 0
    for output in outputs:
        report = verify_output(output)
        click.echo(labels[report.status] + report.message)
        code = EXIT_CODES[report.status]
        worst = code if worst == 0 or code == 1 else worst
    if worst:
        sys.exit(worst)


@main.command("methods")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["markdown", "latex", "text"]), default="markdown",
              show_default=True, help="Markup of the paragraph and its references.")
def methods(path: Path, fmt: str) -> None:
    """A ready-to-paste methods paragraph for PATH: an output, a folder of outputs, or an
    experiment's manifest.csv (operations and parameters in words, seeds, versions, the
    model's sha256, encoder settings, and the works to cite)."""
    from pyfame.methods import methods_paragraph

    click.echo(methods_paragraph(path, fmt))
