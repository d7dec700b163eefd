"""``python -m pyfame.cli``."""

from pyfame.cli import main

main()
