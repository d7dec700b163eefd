"""``python -m pyfame``: the command line."""

if __name__ == "__main__":
    from pyfame.cli import main

    main(prog_name="pyfame")
