"""Time the landmark scramble (issue 16: at least 30 fps at 720p on 2 cores, cached landmarks).

Reads the real talking-face clip ``../shared/media/talking_face_a.mp4`` when present (its
licence keeps it out of the project; the table says which clip was used), else makes a
1280x720 clip of the sample face. Two measurements, each the best of ``--repeat`` runs:

- *layer*: ``LandmarkScramble.apply`` on every decoded frame with the faces tracked once
  beforehand: CPU time per frame of this process, all threads (``time.process_time``), the
  median frame of the best run and its mean;
- *pipeline*: ``facial_scramble(..., scramble_method=LANDMARK_SCRAMBLE)`` end to end on the
  file (decode, cached landmarks, layer, H.264 encode, sidecar), with the landmark cache
  filled by a first run: frames per second of wall-clock time and CPU time per frame (this
  process and its workers, all threads). On a shared machine the wall-clock figure says as
  much about the other load as about PyFAME; the CPU figure does not.

The grid scramble is timed the same way as the floor (decode, cache, encode and a layer
that only copies squares).

    python benchmarks/bench_landmark_scramble.py [--clip PATH] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from bench_common import cpu_seconds, tracked_frames
from machine_info import machine

REAL_CLIP = Path(__file__).resolve().parents[2] / "shared" / "media" / "talking_face_a.mp4"


def time_layer(clip: Path, repeat: int) -> tuple[float, float, int]:
    """(median, mean) CPU milliseconds per frame of the layer alone, best run; frames."""
    import numpy as np

    import pyfame as pf
    from pyfame.pipeline.layer import SourceInfo

    frames, faces = tracked_frames(clip)
    h, w = frames[0].shape[:2]
    best: list[float] | None = None
    for _ in range(repeat):
        layer = pf.LandmarkScramble()
        layer.start(SourceInfo("video", w, h, 30.0, len(frames), len(frames) / 30.0))
        rng = np.random.default_rng(1)
        times = []
        for pixels, found in zip(frames, faces):
            work = pixels.copy()
            start = time.process_time()
            if found:
                layer.apply(work, found, 0.0, rng)
            times.append(time.process_time() - start)
        if best is None or sum(times) < sum(best):
            best = times
    assert best is not None
    return statistics.median(best[1:]) * 1e3, statistics.fmean(best[1:]) * 1e3, len(frames)


def time_pipeline(clip: Path, method: str, repeat: int, work: Path) -> tuple[float, float, int]:
    """(best fps of wall-clock time, best CPU ms per frame) of facial_scramble with cached landmarks."""
    import pyfame as pf

    cache = work / "cache"
    walls, cpus, frames = [], [], 0
    for i in range(repeat + 1):
        out = work / f"out-{method.replace(' ', '-')}-{i}"
        out.mkdir()
        start, cpu = time.perf_counter(), cpu_seconds()
        (result,) = pf.facial_scramble(clip, out, scramble_method=method, rand_seed=1, landmark_cache=cache)
        wall, used = time.perf_counter() - start, cpu_seconds() - cpu
        shutil.rmtree(out)
        frames = result.frames
        if i:  # the first run fills the landmark cache
            walls.append(wall)
            cpus.append(used)
    return frames / min(walls), min(cpus) / frames * 1e3, frames


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clip", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        clip = args.clip or (REAL_CLIP if REAL_CLIP.exists() else None)
        if clip is None:
            from pyfame.samples import write_moving_face_video

            clip = work / "talking_720p.mp4"
            write_moving_face_video(clip, n_frames=100, fps=30, size=(1280, 720), motion="talk", audio=True, seed=3)
        median_ms, mean_ms, frames = time_layer(clip, args.repeat)
        print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f}")
        print(f"clip: {clip.name} ({frames} frames)\n")
        print("| measurement | result |")
        print("|---|---|")
        print(f"| layer alone, CPU per frame (median / mean of the best of {args.repeat}) | "
              f"{median_ms:.1f} / {mean_ms:.1f} ms |")
        for method in ("landmark", "high level grid"):
            fps, cpu_ms, _ = time_pipeline(clip, method, args.repeat, work)
            print(f"| facial_scramble {method}, cached landmarks: wall-clock, CPU per frame | "
                  f"{fps:.1f} fps, {cpu_ms:.1f} ms ({1000 / cpu_ms:.1f} frames per CPU-second) |")


if __name__ == "__main__":
    main()
