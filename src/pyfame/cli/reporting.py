"""How commands report what they made."""

from __future__ import annotations

from typing import Any

import click


def report(results: list[Any]) -> None:
    """Print where each output (or table) went; exit 1 if any file failed."""
    failed = 0
    for r in results:
        if r.error is not None:
            failed += 1
            click.echo(f"FAILED  {r.input}: {type(r.error).__name__}: {r.error}", err=True)
            continue
        made = [r.output] if r.output is not None else []
        made += [t for t in r.tables_written if t not in made]
        for path in made:
            click.echo(f"{'skipped ' if r.skipped else ''}{path}")
    if failed:
        click.echo(f"{failed} of {len(results)} files failed", err=True)
        raise SystemExit(1)
