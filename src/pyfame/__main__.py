"""``python -m pyfame``: the command line."""

from pyfame.cli import main

main(prog_name="pyfame")
