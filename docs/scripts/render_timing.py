"""Plot each timing function over a 5 s clip: docs/timing_functions.png.

    python docs/scripts/render_timing.py   (needs matplotlib)
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from pyfame.core.coloring import ColorShift  # noqa: E402
from pyfame.pipeline.layer import SourceInfo  # noqa: E402
from pyfame.utils import timing_functions as tf  # noqa: E402


def main() -> None:
    t = np.linspace(0, 5, 501)
    fig, axes = plt.subplots(2, 2, figsize=(10, 6), sharex=True, sharey=True)
    cases = [
        ("constant", tf.constant, {}),
        ("linear (ramps = window/4)", tf.linear, {}),
        ("sigmoid k=1 and k=3", tf.sigmoid, {}),
        ("gaussian (mean = centre, sigma = window/6)", tf.gaussian, {}),
    ]
    for ax, (title, func, kw) in zip(axes.ravel(), cases):
        for k in ([1.0, 3.0] if func is tf.sigmoid else [None]):
            extra = dict(kw, **({"k": k} if k else {}))
            layer = ColorShift(onset_t=1.0, offset_t=4.0, timing_func=func, **extra)
            layer.start(SourceInfo("video", 64, 64, 30.0, 150, 5.0))
            ax.plot(t, [layer.weight(x) for x in t], label=f"k={k}" if k else None)
        ax.axvline(1.0, color="grey", ls=":", lw=1)
        ax.axvline(4.0, color="grey", ls=":", lw=1)
        ax.set_title(title, fontsize=10)
        ax.set_ylim(-0.05, 1.05)
        if func is tf.sigmoid:
            ax.legend(fontsize=8)
    for ax in axes[1]:
        ax.set_xlabel("time (s)  — onset_t = 1 s, offset_t = 4 s (dotted)")
    for ax in axes[:, 0]:
        ax.set_ylabel("weight (× shift_magnitude)")
    fig.suptitle("PyFAME timing functions over a 5 s clip")
    fig.tight_layout()
    target = Path(__file__).resolve().parents[1] / "timing_functions.png"
    fig.savefig(target, dpi=110)
    print(target)


if __name__ == "__main__":
    main()
