"""The ``pyfame`` command line: hand-written commands plus one per registered class."""

from pyfame.cli.main import main
from pyfame.cli import declarations as _declarations  # noqa: F401 - registers its commands
from pyfame.cli import experiment_commands as _experiment_commands  # noqa: F401
from pyfame.cli import media_commands as _media_commands  # noqa: F401

__all__ = ["main"]
