"""Every seed function's outputs against the golden record: byte for byte, or, where another CPU's
floating point rounds an edge pixel of a tracked region the other way, by what they show
(pictures within half a level on an 8x8 grid, tables by what they say; see
``tests/seed_output_hashes.py``).

The record (``tests/data/seed_outputs_0.3.0.json``) was made by ``tests/seed_output_hashes.py``.
Its 0.2.0 predecessor, made before the single-declaration redesign, showed that the redesign
by itself changed no output byte; 0.3.0's quality fixes (faces to the hairline, soft edges that
scale with the face, new scrambles, visible defaults, dense flow by DIS, portable x264 bytes)
changed every case on purpose, and the record was made again with them. A deliberate change of
an output re-records the cases it changes, in the same commit, and says so in the message.

Encoded bytes depend on the codec and numeric libraries: when the installed versions differ
from the recorded ones, the comparison cannot mean anything and the test says so (skip).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .seed_output_hashes import run_cases, same_output

RECORD = Path(__file__).parent / "data" / "seed_outputs_0.3.0.json"


def test_every_seed_function_makes_the_recorded_bytes(tmp_path: Path) -> None:
    from pyfame.provenance import environment

    record = json.loads(RECORD.read_text())
    now = environment()
    if now["packages"] != record["environment"]["packages"] or now["model"] != record["environment"]["model"]:
        pytest.skip(f"recorded with {record['environment']['packages']}, running with {now['packages']}")
    made = run_cases(tmp_path)
    assert set(made) == set(record["outputs"])
    for case, files in record["outputs"].items():
        assert set(made[case]) == set(files), case
        for name, recorded in files.items():
            assert same_output(made[case][name], recorded), f"{case}: {name}"

