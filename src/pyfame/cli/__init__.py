"""The ``pyfame`` command line: one subcommand per operation."""

from pyfame.cli.main import main
from pyfame.cli import coloring as _coloring  # noqa: F401 - registers its subcommands
from pyfame.cli import occlusion as _occlusion  # noqa: F401
from pyfame.cli import analysis as _analysis  # noqa: F401
from pyfame.cli import filler_modules as _filler_modules  # noqa: F401
from pyfame.cli import experiment_commands as _experiment_commands  # noqa: F401

__all__ = ["main"]
