"""What an experiment run made: the manifest CSV and a contact sheet of every output."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pandas as pd

from pyfame.io.atomic_write import atomic_output

#: The files every run writes in the experiment's output folder (rewritten by each run).
MANIFEST_NAME = "manifest.csv"
CONTACT_SHEET_NAME = "contact_sheet.png"
#: The mark (PNG text) of an experiment's contact sheet.
CONTACT_SHEET_MARK = "contact sheet"


@dataclass
class RunReport:
    """Records of every job of a run (``status``: made, skipped or failed)."""

    records: list[dict[str, Any]]

    #: Every status a job ends with, and how the summary names it.
    STATUSES = {"made": "made", "remade": "made again (--overwrite)", "skipped": "already made", "failed": "failed"}

    def count(self, status: str) -> int:
        """How many jobs ended with ``status``."""
        return sum(r["status"] == status for r in self.records)

    @property
    def failed(self) -> list[dict[str, Any]]:
        """The failed jobs' records."""
        return [r for r in self.records if r["status"] == "failed"]

    def summary(self) -> str:
        """One line counting every status (the counts add up to the number of outputs).

        Examples
        --------
        >>> RunReport([{"status": "made"}, {"status": "remade"}, {"status": "skipped"}]).summary()
        '3 outputs: 1 made, 1 made again (--overwrite), 1 already made, 0 failed'
        """
        counts = {status: self.count(status) for status in self.STATUSES}
        others = sorted({r["status"] for r in self.records} - set(self.STATUSES))
        parts = [f"{n} {self.STATUSES[status]}" for status, n in counts.items()
                 if n or status in ("made", "skipped", "failed")]
        parts += [f"{self.count(status)} {status}" for status in others]
        return f"{len(self.records)} outputs: " + ", ".join(parts)


#: The manifest's own columns (factor names must differ from these).
MANIFEST_COLUMNS = ("input", "condition", "output", "status", "seed", "sha256", "frames", "frames_with_face",
                    "layers", "error")


def _relative(path: str, folder: Path) -> str:
    try:
        return os.path.relpath(path, folder)
    except ValueError:  # another drive
        return path


def _inputs(value: str | list[str], folder: Path) -> str:
    """An output's input, or its inputs joined by ``;`` (an operation's output made from
    several: an average, a morph), relative to ``folder``."""
    items = [value] if isinstance(value, str) else list(value)
    return ";".join(_relative(v, folder) for v in items)


def is_manifest(path: Path) -> bool:
    """Whether ``path`` is an experiment's manifest (a CSV or Parquet table whose columns hold
    every manifest column, ``input`` and ``condition`` first), which the next run may rewrite.

    Examples
    --------
    >>> is_manifest(Path("no-such-manifest.csv"))
    False
    """
    try:
        if Path(path).suffix == ".parquet":
            import pyarrow.parquet as pq

            header = list(pq.read_schema(path).names)
        else:
            with open(path, encoding="utf-8") as handle:
                header = handle.readline().strip().split(",")
    except (OSError, UnicodeDecodeError, ValueError):  # pyarrow: ArrowInvalid is a ValueError
        return False
    return header[:2] == ["input", "condition"] and set(MANIFEST_COLUMNS) <= set(header)


def is_contact_sheet(path: Path) -> bool:
    """Whether ``path`` is a contact sheet an experiment drew (its PNG mark says so).

    Examples
    --------
    >>> is_contact_sheet(Path("no-such-sheet.png"))
    False
    """
    from pyfame.pipeline.output_policy import MARK_KEY, png_mark

    return png_mark(path).get(MARK_KEY) == CONTACT_SHEET_MARK


def write_manifest(report: RunReport, target: Path) -> Path:
    """One row per output: input and output (relative to the manifest; an operation's output
    made from several inputs lists them all, joined by ``;``), condition, one column per
    factor, seed, sha256, frames and frames with a face (summed over the inputs), status,
    error, the layers (JSON), and the probe results (means per region, e.g.
    ``color_means.cheeks.mean_a``); CSV or Parquet as ``target``'s suffix says."""
    rows = []
    for r in report.records:
        row = {"input": _inputs(r.get("inputs") or r["input"], target.parent), "condition": r["condition"],
               **{name: value for name, value in sorted(r["factors"].items())},
               "output": _relative(r["output"], target.parent), "status": r["status"], "seed": r["seed"],
               "sha256": r["sha256"], "frames": r["frames"], "frames_with_face": r["frames_with_face"],
               "layers": json.dumps(r["layers"], sort_keys=True), "error": r["error"]}
        row.update(r.get("probes") or {})
        rows.append(row)
    from pyfame.io.table_sink import write_table

    table = pd.DataFrame(rows)
    if target.suffix.lower() == ".parquet":  # a column of one type each (a factor may mix numbers and words)
        for column in [c for c in table.columns if table[c].dtype.kind == "O"]:
            kinds = {type(v) for v in table[column] if v is not None and v == v}
            if len(kinds) > 1:
                table[column] = [None if v is None or v != v else str(v) for v in table[column]]
    return write_table(table, target)  # .csv or .parquet, from the name


def peak_time(layers: list[dict[str, Any]], duration: float) -> float:
    """When the first timed layer is strongest (the middle of the clip if none is timed)."""
    from pyfame.pipeline.layer import SourceInfo
    from pyfame.pipeline.registry import build

    for spec in layers:
        if "onset_t" in spec and "timing_func" in spec:
            layer = build(spec, "layer")
            layer.start(SourceInfo("video", 16, 16, 30.0, 0, duration))
            times = np.linspace(0, duration, 200)
            weights = [layer.weight(float(t)) for t in times]  # type: ignore[attr-defined]
            return float(times[int(np.argmax(weights))])
    return duration / 2


def thumbnail(output: Path, layers: list[dict[str, Any]], size: int = 160) -> np.ndarray:
    """The output at its peak (videos) or itself (stills), fit in ``size`` × ``size``."""
    from pyfame.io import open_source
    from pyfame.io.planned_video_source import PlannedVideoSource

    with open_source(output) as source:
        if source.kind == "image":
            pixels = next(iter(source)).pixels
        else:
            index = min(int(round(peak_time(layers, source.duration) * float(source.fps))),
                        max(source.frame_count - 1, 0))
            with PlannedVideoSource(output, [index]) as planned:
                pixels = next(iter(planned)).pixels
    h, w = pixels.shape[:2]
    scale = size / max(h, w)
    small = cv2.resize(pixels, (max(1, int(w * scale)), max(1, int(h * scale))), interpolation=cv2.INTER_AREA)
    tile = np.full((size, size, 3), 255, np.uint8)
    y, x = (size - small.shape[0]) // 2, (size - small.shape[1]) // 2
    tile[y:y + small.shape[0], x:x + small.shape[1]] = small
    return tile


def write_contact_sheet(report: RunReport, target: Path, size: int = 160) -> Path | None:
    """A PNG grid of thumbnails: conditions as rows, inputs as columns, labelled; marked as a
    contact sheet in its PNG text, so the next run knows it as its own."""
    conditions = list(dict.fromkeys(r["condition"] for r in report.records))
    inputs = list(dict.fromkeys(r["input"] for r in report.records))
    if not conditions or not inputs:
        return None
    label_w, head_h = 200, 24
    sheet = np.full((head_h + len(conditions) * size, label_w + len(inputs) * size, 3), 255, np.uint8)
    for j, name in enumerate(inputs):
        cv2.putText(sheet, Path(name).name[:22], (label_w + j * size + 4, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.4,
                    (0, 0, 0), 1, cv2.LINE_AA)
    for i, cond in enumerate(conditions):
        y = head_h + i * size
        for k, part in enumerate([cond[n:n + 26] for n in range(0, len(cond), 26)][:6]):
            cv2.putText(sheet, part, (4, y + 18 + 16 * k), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (0, 0, 0), 1, cv2.LINE_AA)
    for r in report.records:
        i, j = conditions.index(r["condition"]), inputs.index(r["input"])
        y, x = head_h + i * size, label_w + j * size
        from pyfame.io.media_kinds import IMAGE_EXTENSIONS, VIDEO_EXTENSIONS

        if r["status"] != "failed" and Path(r["output"]).suffix.lower() not in IMAGE_EXTENSIONS | VIDEO_EXTENSIONS:
            cv2.putText(sheet, Path(r["output"]).suffix.lstrip(".") or "output", (x + 50, y + size // 2),
                        cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 1, cv2.LINE_AA)
            continue
        if r["status"] == "failed":
            cv2.putText(sheet, "failed", (x + 50, y + size // 2), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (200, 0, 0), 1,
                        cv2.LINE_AA)
            continue
        sheet[y:y + size, x:x + size] = thumbnail(Path(r["output"]), r["layers"], size)
    from PIL import Image, PngImagePlugin

    from pyfame.pipeline.output_policy import mark_metadata

    info = PngImagePlugin.PngInfo()
    for key, value in mark_metadata(CONTACT_SHEET_MARK).items():
        info.add_text(key, value)
    with atomic_output(target) as tmp:
        Image.fromarray(sheet).save(tmp, format="PNG", pnginfo=info, compress_level=1)
    return target
