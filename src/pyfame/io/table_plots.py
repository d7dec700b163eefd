"""Plots of PyFAME's tables: colour means, optical flow and landmarks/blendshapes over time."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from pyfame.errors import FileReadError, PyfameValueError
from pyfame.face.tracker import blendshape_names


def _table(path: Path) -> pd.DataFrame:
    if not path.is_file():
        from pyfame.errors import PyfamePathError

        raise PyfamePathError(f"table: {path} does not exist")
    try:
        return pd.read_parquet(path) if path.suffix.lower() == ".parquet" else pd.read_csv(path)
    except Exception as exc:  # pandas raises many kinds for a bad file
        raise FileReadError(f"table: {path} is not a readable CSV or Parquet table ({exc})") from exc


def table_kind(table: pd.DataFrame) -> str:
    """``color_means``, ``sparse_flow``, ``dense_flow`` or ``landmarks``, by the columns."""
    cols = set(table.columns)
    if "region" in cols and any(c.startswith("mean_") for c in cols) and "mean_magnitude" not in cols:
        return "color_means"
    if "mean_magnitude" in cols:
        return "dense_flow"
    if {"point", "magnitude"} <= cols:
        return "sparse_flow"
    if "x0" in cols:
        return "landmarks"
    raise PyfameValueError("table: not a PyFAME colour-means, optical-flow or landmark table")


def plot_table(table_path: str | os.PathLike[str], output: str | os.PathLike[str] | None = None, *,
               overwrite: bool = False) -> Path:
    """Plot a table written by PyFAME over time; returns the PNG's path (``TABLE.png`` by default).

    The plot is checked like every output before it is drawn
    (:func:`~pyfame.pipeline.output_policy.claim_output`): it is never the table itself, and
    a file already at its path is replaced only when it is PyFAME's plot of a table of the
    same name (the plot's PNG text records its table's name and sha256), or with
    ``overwrite=True``; any other file (a photo named like the table) is refused with
    ``OutputExistsError``. A plot already drawn from these very bytes is kept as it is.

    Examples
    --------
    >>> # plot_table("out/Color_Channel_Means/clip.csv")
    """
    from pyfame.hashing import file_sha256
    from pyfame.pipeline.output_policy import MARK_KEY, claim_output, mark_metadata, plot_of, plot_path, png_mark
    from pyfame.validation import check_bool

    check_bool(overwrite, "overwrite")
    path = Path(table_path)
    target = Path(output) if output else plot_path(path)
    claim_output(target, target.parent, inputs=[path], overwrite=overwrite, ours=plot_of(path), param="output")
    table = _table(path)
    kind = table_kind(table)
    digest = file_sha256(path)
    mark = png_mark(target) if target.is_file() else {}
    if mark.get(MARK_KEY) == "plot" and mark.get("Source") == path.name and mark.get("Source-SHA256") == digest:
        return target  # drawn from these very bytes already

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from pyfame.io.atomic_write import atomic_output

    if kind == "color_means":
        channels = [c[5:] for c in table.columns if c.startswith("mean_")]
        fig, axes = plt.subplots(len(channels), 1, figsize=(9, 2.4 * len(channels)), sharex=True, squeeze=False)
        for ax, ch in zip(axes[:, 0], channels):
            for region, part in table.groupby("region", sort=False):
                ax.plot(part["timestamp_s"], part[f"mean_{ch}"], marker=".", label=region)
            ax.set_ylabel(f"mean {ch}")
        axes[0, 0].legend(fontsize=8, ncol=4)
        axes[-1, 0].set_xlabel("time (s)")
        fig.suptitle(f"Colour means per region — {path.name}")
    elif kind == "dense_flow":
        fig, ax = plt.subplots(figsize=(9, 3.5))
        for region, part in table.groupby("region", sort=False):
            ax.plot(part["timestamp_s"], part["mean_magnitude"], marker=".", label=region)
        ax.set_xlabel("time (s)")
        ax.set_ylabel("mean flow magnitude (px/frame)")
        ax.legend(fontsize=8)
        fig.suptitle(f"Dense optical flow — {path.name}")
    elif kind == "sparse_flow":
        fig, ax = plt.subplots(figsize=(9, 3.5))
        summary = table.groupby("timestamp_s")["magnitude"].agg(["mean", "max"])
        ax.plot(summary.index, summary["mean"], marker=".", label="mean over points")
        ax.plot(summary.index, summary["max"], ls="--", label="max over points")
        ax.set_xlabel("time (s)")
        ax.set_ylabel("flow magnitude (px/frame)")
        ax.legend(fontsize=8)
        fig.suptitle(f"Sparse optical flow — {path.name}")
    else:
        shapes = [c for c in blendshape_names()[1:] if c in table.columns]
        pose = [c for c in ("yaw_deg", "pitch_deg", "roll_deg") if c in table.columns]
        rows = (1 if shapes else 0) + (1 if pose else 0) or 1
        fig, axes = plt.subplots(rows, 1, figsize=(9, 3.2 * rows), sharex=True, squeeze=False)
        i = 0
        if shapes:
            top = table[shapes].var().sort_values(ascending=False).index[:8]
            for c in top:
                axes[i, 0].plot(table["timestamp_s"], table[c], label=c)
            axes[i, 0].set_ylabel("blendshape score (0-1)")
            axes[i, 0].legend(fontsize=7, ncol=4)
            i += 1
        if pose:
            for c in pose:
                axes[i, 0].plot(table["timestamp_s"], table[c], label=c)
            axes[i, 0].set_ylabel("head pose (degrees)")
            axes[i, 0].legend(fontsize=8)
        if not shapes and not pose:
            axes[0, 0].plot(table["timestamp_s"], table["x1"], label="nose tip x (px)")
            axes[0, 0].plot(table["timestamp_s"], table["y1"], label="nose tip y (px)")
            axes[0, 0].set_ylabel("pixels")
            axes[0, 0].legend(fontsize=8)
        axes[-1, 0].set_xlabel("time (s)")
        fig.suptitle(f"Landmarks — {path.name}")
    fig.tight_layout()
    with atomic_output(target) as tmp:
        fig.savefig(tmp, dpi=100, format="png",
                    metadata=mark_metadata("plot", {"Source": path.name, "Source-SHA256": digest}))
    plt.close(fig)
    return target
