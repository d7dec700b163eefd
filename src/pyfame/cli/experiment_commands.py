"""``pyfame run`` (experiment files) and ``pyfame verify``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from pyfame.cli.main import main


@main.command("run")
@click.argument("experiment", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and list what would be made; make nothing.")
@click.option("--executor", type=click.Choice(["serial", "processes", "dask"]), default=None,
              help="Default: processes for more than one output.")
@click.option("--workers", type=int, default=None, help="Processes or Dask workers (default: CPU count).")
@click.option("--scheduler", default=None, help="Dask scheduler address (default: a LocalCluster).")
@click.pass_context
def run(ctx: click.Context, experiment: Path, dry_run: bool, executor: str | None, workers: int | None,
        scheduler: str | None) -> None:
    """Make a whole stimulus set from an EXPERIMENT file (YAML)."""
    from pyfame.experiment import Experiment

    exp = Experiment.from_yaml(experiment)
    jobs = exp.jobs()
    if dry_run:
        for job in jobs:
            click.echo(f"{job.condition:32s} {Path(job.input).name:24s} → {job.output}")
        click.echo(f"{len(jobs)} outputs ({len(exp.inputs)} inputs × {len(exp.conditions)} conditions)")
        return
    report = exp.run(executor, workers, scheduler, progress=ctx.obj["progress"])
    for r in report.failed:
        click.echo(f"FAILED  {r['input']} [{r['condition']}]: {r['error']}", err=True)
    click.echo(report.summary())
    click.echo(f"manifest: {exp.output_dir / 'manifest.csv'}")
    click.echo(f"contact sheet: {exp.output_dir / 'contact_sheet.png'}")
    if report.failed:
        sys.exit(1)


@main.command("verify")
@click.argument("outputs", nargs=-1, required=True, type=click.Path(path_type=Path))
def verify(outputs: tuple[Path, ...]) -> None:
    """Re-create each OUTPUT from its sidecar and check the bytes match."""
    from pyfame.verify import verify_output

    bad = 0
    for output in outputs:
        report = verify_output(output)
        click.echo(("OK      " if report.identical else "DIFFERS ") + report.message)
        bad += not report.identical
    if bad:
        sys.exit(1)
