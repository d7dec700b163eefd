"""What the benchmark scripts share: a CPU clock, and a clip decoded and tracked into memory.

    from bench_common import cpu_seconds, tracked_frames
"""

from __future__ import annotations

import resource
from pathlib import Path


def cpu_seconds(children: bool = True) -> float:
    """CPU time (user + system) of this process, all its threads, and with ``children`` also of
    its finished child processes (worker processes, a benchmark's own subprocesses)."""
    usages = [resource.getrusage(resource.RUSAGE_SELF)]
    if children:
        usages.append(resource.getrusage(resource.RUSAGE_CHILDREN))
    return sum(u.ru_utime + u.ru_stime for u in usages)


def tracked_frames(clip: Path) -> tuple[list, list]:
    """Every frame of ``clip`` (RGB arrays) and its tracked faces (VIDEO mode), in memory, so
    that a layer can be timed alone."""
    from pyfame.face.tracker import FaceTracker
    from pyfame.io import open_source

    frames, faces = [], []
    with open_source(clip) as source, FaceTracker(mode="video") as tracker:
        for frame in source:
            frames.append(frame.pixels)
            faces.append(tracker.track(frame.pixels, frame.t))
    return frames, faces
