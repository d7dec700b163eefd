"""Peak memory and speed of frame shuffling on 10 s and 60 s 720p clips.

Shuffled blocks are read by seeking, never held, so peak RSS should not grow with the clip.

    python benchmarks/bench_shuffle_memory.py
"""

from __future__ import annotations

import multiprocessing as mp
import resource
import tempfile
import time
from pathlib import Path

from machine_info import machine


def _run(clip: str, out: str, q: mp.Queue) -> None:
    import pyfame as pf

    t0 = time.perf_counter()
    (r,) = pf.shuffle_frame_order(clip, out, "random", rand_seed=1, block_duration=1000)
    q.put((r.frames, time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def main() -> None:
    from pyfame.samples import write_moving_face_video

    print(f"Machine: {machine()}\n")
    print("| clip (1280x720, 30 fps) | frames | frames/s | peak RSS (MB) |")
    print("|---|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for seconds in (10, 60):
            clip = Path(tmp) / f"clip{seconds}.mp4"
            write_moving_face_video(clip, n_frames=seconds * 30, fps=30, size=(1280, 720), motion="talk")
            out = Path(tmp) / f"out{seconds}"
            out.mkdir()
            ctx = mp.get_context("spawn")
            q = ctx.Queue()
            p = ctx.Process(target=_run, args=(str(clip), str(out), q))
            p.start()
            frames, seconds_taken, peak = q.get()
            p.join()
            print(f"| {seconds} s, random 1 s blocks | {frames} | {frames / seconds_taken:.1f} | {peak:.0f} |")


if __name__ == "__main__":
    main()
