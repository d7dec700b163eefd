"""The ``pyfame`` command line: one subcommand per operation."""

from pyfame.cli.main import main
from pyfame.cli import coloring as _coloring  # noqa: F401 - registers its subcommands

__all__ = ["main"]
