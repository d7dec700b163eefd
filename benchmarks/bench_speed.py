"""Time PyFAME against the speed targets of issue 9 and print a table.

Generates a 1280x720, 29.97 fps talking-face clip with AAC audio (100 frames, and 10 s and
60 s versions for memory), then times, each in a fresh process (so peak RSS is its own):

* decode + track + encode with a layer that changes nothing (the floor);
* one colour shift; five layers (colour, saturation, blur, noise, bubbles) in one pass;
* a second run of the colour shift on the same file (landmark cache);
* colour-mean extraction (every frame sampled);
* peak memory of a colour shift over 10 s and 60 s;
* a folder of 8 clips (640x360, 5 s each) on 1 and on 2 worker processes.

Each run also records the CPU time it used (its own and its worker processes'), so the table
can say how many cores a run kept busy and what that allows: a run that already keeps ``u``
of the 2 cores busy can be made at most ``2 / u`` times faster by running two of them side by
side.

    python benchmarks/bench_speed.py [--repeat 3] [--skip-long]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from machine_info import machine


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished worker processes."""
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def _layers(kind: str) -> list:
    import numpy as np

    import pyfame as pf
    from pyfame.pipeline.layer import Layer

    class Unchanged(Layer):
        name = "unchanged"

        def apply(self, frame: np.ndarray, faces, t, rng):  # noqa: ANN001
            return frame

    if kind == "none":
        return [Unchanged()]
    if kind == "one":
        return [pf.ColorShift(shift_color="red")]
    return [pf.ColorShift(shift_color="red"), pf.SaturationShift(), pf.Blur("gaussian", 9),
            pf.Noise("gaussian", standard_dev=8), pf.Bubbles(12)]


def _task(name: str, video: str, work: str, q: mp.Queue) -> None:
    import pyfame as pf

    out = Path(work) / f"out-{name}-{os.getpid()}"
    out.mkdir()
    frames = 0
    t0, c0 = time.perf_counter(), _cpu_seconds()
    if name in ("floor", "one", "five", "long10", "long60"):
        kind = {"floor": "none", "five": "five"}.get(name, "one")
        (r,) = pf.apply_layers(video, out, _layers(kind), landmark_cache=False, seed=1)
        frames = r.frames
    elif name == "cached":
        cache = Path(work) / f"cache-{os.getpid()}"
        pf.apply_layers(video, out, _layers("one"), landmark_cache=cache, seed=1)  # fill the cache
        shutil.rmtree(out)
        out.mkdir()
        t0, c0 = time.perf_counter(), _cpu_seconds()
        (r,) = pf.apply_layers(video, out, _layers("one"), landmark_cache=cache, seed=1)
        frames = r.frames
    elif name == "color_means":
        (r,) = pf.extract_face_color_means(video, out, sampling_frequency=1000 / 30, landmark_cache=False)
        frames = r.frames
    elif name.startswith("folder"):
        workers = int(name[-1])
        results = pf.apply_layers(video, out, _layers("one"), landmark_cache=False, seed=1, workers=workers)
        frames = sum(r.frames for r in results)
    q.put((frames, time.perf_counter() - t0, _peak_mb(), _cpu_seconds() - c0))


def measure(name: str, video: Path, work: Path) -> tuple[float, float, float, float]:
    """(frames per second, seconds, peak RSS in MB, cores busy on average) of one run."""
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_task, args=(name, str(video), str(work), q))
    p.start()
    frames, seconds, peak, cpu = q.get()
    p.join()
    return frames / seconds, seconds, peak, cpu / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-long", action="store_true", help="skip the 10 s / 60 s memory runs")
    args = parser.parse_args()
    from pyfame.samples import write_moving_face_video

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        clip = work / "talk720.mp4"
        write_moving_face_video(clip, n_frames=100, fps=30000 / 1001, size=(1280, 720), motion="talk", audio=True)
        folder = work / "folder"
        folder.mkdir()
        for i in range(8):
            write_moving_face_video(folder / f"clip{i}.mp4", n_frames=150, fps=30, size=(640, 360), motion="talk",
                                    audio=True, seed=i)
        rows: dict[str, tuple[float, float, float, float]] = {}

        def run(name: str, video: Path, repeat: int) -> None:
            runs = [measure(name, video, work) for _ in range(repeat)]
            rows[name] = (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs),
                          max(r[2] for r in runs), statistics.median(r[3] for r in runs))
            print(f"  {name}: {rows[name][0]:.1f} fps, {rows[name][1]:.2f} s, {rows[name][2]:.0f} MB, "
                  f"{rows[name][3]:.2f} cores busy", file=sys.stderr)

        for name in ("floor", "one", "five", "cached", "color_means", "folder1", "folder2"):
            run(name, folder if name.startswith("folder") else clip, args.repeat)
        if not args.skip_long:
            for seconds in (10, 60):
                long_clip = work / f"long{seconds}.mp4"
                write_moving_face_video(long_clip, n_frames=int(seconds * 30), fps=30, size=(1280, 720),
                                        motion="talk", audio=True)
                run(f"long{seconds}", long_clip, 1)

    r = rows
    print(f"\nMachine: {machine()}; clip 1280x720, 29.97 fps, 100 frames, AAC audio; median of {args.repeat}\n")
    print("| target | achieved | goal | met |")
    print("|---|---:|---:|:-:|")

    def line(what: str, value: str, goal: str, ok: bool) -> None:
        print(f"| {what} | {value} | {goal} | {'yes' if ok else 'no'} |")

    line("one colour shift, end to end", f"{r['one'][0]:.1f} fps", ">= 40 fps", r["one"][0] >= 40)
    share = r["one"][0] / r["floor"][0]
    line("… share of decode + track + encode, no layer", f"{share:.0%} ({r['floor'][0]:.1f} fps floor)", ">= 60%",
         share >= 0.6)
    ratio = r["five"][1] / r["one"][1]
    line("five layers vs one, time", f"{ratio:.2f}x ({r['five'][0]:.1f} fps)", "<= 1.5x", ratio <= 1.5)
    speedup = r["one"][1] / r["cached"][1]
    line("second run (landmark cache) vs first", f"{speedup:.2f}x ({r['cached'][0]:.1f} fps)", ">= 2x", speedup >= 2)
    line("colour means, every frame", f"{r['color_means'][0]:.1f} fps", ">= 50 fps", r["color_means"][0] >= 50)
    if "long60" in r:
        mem = r["long60"][2] / r["long10"][2]
        line("peak RSS, 60 s vs 10 s clip", f"{mem:.2f}x ({r['long10'][2]:.0f} → {r['long60'][2]:.0f} MB)",
             "<= 1.2x", mem <= 1.2)
    scale = r["folder2"][0] / r["folder1"][0]
    line("8 clips, 2 workers vs 1", f"{scale:.2f}x ({r['folder1'][0]:.0f} → {r['folder2'][0]:.0f} fps)", ">= 1.7x",
         scale >= 1.7)
    cores = os.cpu_count() or 1
    print(f"\nCores busy on average (of {cores}): " + ", ".join(f"{k} {v[3]:.2f}" for k, v in r.items()))
    print(f"One worker keeps {r['folder1'][3]:.2f} cores busy, so {cores} workers can be at most "
          f"{cores / r['folder1'][3]:.2f}x faster than one on this machine.")


if __name__ == "__main__":
    main()
