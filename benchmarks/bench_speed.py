"""Time PyFAME: the speed targets of issue 9, one row per seed function, and a folder of stills.

Every measurement runs in a fresh spawned process, so its peak RSS and CPU time (its own, its
threads' and its worker processes') are its own. Three sections (``--only`` picks some):

``targets`` (issue 9), on a generated 1280x720, 29.97 fps, 100-frame talking-face clip with
AAC audio (and 10 s and 60 s versions for memory): decode + track + encode with a layer that
changes nothing (the floor); one colour shift; five layers in one pass; a second run of the
colour shift (landmark cache); colour means; peak memory over 10 s and 60 s; a folder of 8
clips (640x360, 5 s) on 1 and 2 worker processes. Medians of ``--repeat`` runs.

``seeds`` (issue 16): every seed function of the seed overview (each method of those that
have several) at 720p, on ``../shared/media/talking_face_a.mp4`` (a real camera clip, read
where it is, never copied) when present, else on the generated clip; the first run with an
empty landmark cache and the second with the cache the first filled. The call is timed
(not importing PyFAME). Best of ``--repeat`` runs.

``stills`` (issue 16): a folder of ``--stills`` generated 1024x1024 JPEG stills (quality 90,
one face each: the sample face moved, scaled, rotated and tinted per image) through a colour
shift, end to end (importing PyFAME and MediaPipe, starting the tracker, decoding, tracking,
the layer, encoding, sidecars), with an empty landmark cache: ``face_color_shift`` in one
process and on 2 worker processes, the ``pyfame color-shift`` command, and a second run
(cache). Best of ``--repeat`` runs.

Each table gives frames (or images) per second of wall time, CPU seconds per frame (all
threads and processes), cores busy (CPU over wall) and peak RSS. On a shared machine wall
time depends on the neighbours; CPU time much less: ``2 / CPU per frame`` is what two cores
could give if the work were spread perfectly, and the stills section prints it.

    python benchmarks/bench_speed.py [--repeat 3] [--skip-long] [--only seeds,stills] [--quick]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_common import cpu_seconds
from machine_info import machine

#: The real clip the seed table uses when the shared media folder sits beside the repository.
SHARED_CLIP = Path(__file__).resolve().parents[1] / ".." / "shared" / "media" / "talking_face_a.mp4"

#: (row label, seed function, keyword arguments): every seed function of the seed overview,
#: each method of those with several, at their defaults otherwise.
SEED_ROWS: list[tuple[str, str, dict[str, Any]]] = [
    ("face_color_shift", "face_color_shift", {}),
    ("face_saturation_shift", "face_saturation_shift", {}),
    ("face_brightness_shift", "face_brightness_shift", {}),
    ("mask_face_region", "mask_face_region", {}),
    ("occlude_face_region, black", "occlude_face_region", {"occlusion_fill": "black"}),
    ("occlude_face_region, bar", "occlude_face_region", {"occlusion_fill": "bar"}),
    ("occlude_face_region, bubbles", "occlude_face_region", {"occlusion_fill": "bubbles"}),
    ("blur_face_region", "blur_face_region", {}),
    ("apply_noise, pixelate", "apply_noise", {"noise_method": "pixelate"}),
    ("apply_noise, salt and pepper", "apply_noise", {"noise_method": "salt and pepper"}),
    ("apply_noise, gaussian", "apply_noise", {"noise_method": "gaussian"}),
    ("generate_point_light_display", "generate_point_light_display", {}),
    ("facial_scramble, high level grid", "facial_scramble", {"scramble_method": "high level grid"}),
    ("facial_scramble, low level grid", "facial_scramble", {"scramble_method": "low level grid"}),
    ("facial_scramble, landmark", "facial_scramble", {"scramble_method": "landmark"}),
    ("facial_scramble, phase", "facial_scramble", {"scramble_method": "phase"}),
    ("get_optical_flow, sparse", "get_optical_flow", {"optical_flow_type": "sparse"}),
    ("get_optical_flow, dense", "get_optical_flow", {"optical_flow_type": "dense"}),
    ("extract_face_color_means", "extract_face_color_means", {}),
    ("extract_face_landmarks", "extract_face_landmarks", {}),
    ("shuffle_frame_order", "shuffle_frame_order", {}),
]


def _peak_mb() -> float:
    """Peak RSS of this process or of any of its finished child processes."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return max(own.ru_maxrss, children.ru_maxrss) / 1024.0


def _layers(kind: str) -> list:
    import numpy as np

    import pyfame as pf
    from pyfame.pipeline.layer import Layer

    class Unchanged(Layer, register=False):
        name = "unchanged"

        def apply(self, frame: np.ndarray, faces, t, rng):  # noqa: ANN001
            return frame

    if kind == "none":
        return [Unchanged()]
    if kind == "one":
        return [pf.ColorShift(shift_color="red")]
    return [pf.ColorShift(shift_color="red"), pf.SaturationShift(), pf.Blur("gaussian", 9),
            pf.Noise("gaussian", standard_dev=8), pf.Bubbles(12)]


def _fresh(work: str, name: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"{name}-", dir=work))


# ---- the measurements, each run in a spawned process ----------------------------------------


def _target_task(name: str, video: str, work: str) -> tuple[int, float, float]:
    """(frames, wall seconds, CPU seconds) of one issue-9 target run."""
    import pyfame as pf

    out = _fresh(work, f"out-{name}")
    t0, c0 = time.perf_counter(), cpu_seconds()
    if name in ("floor", "one", "five", "long10", "long60"):
        kind = {"floor": "none", "five": "five"}.get(name, "one")
        (r,) = pf.apply_layers(video, out, _layers(kind), landmark_cache=False, seed=1)
        frames = r.frames
    elif name == "cached":
        cache = _fresh(work, "cache")
        pf.apply_layers(video, out, _layers("one"), landmark_cache=cache, seed=1)  # fill the cache
        out = _fresh(work, "out-cached")
        t0, c0 = time.perf_counter(), cpu_seconds()
        (r,) = pf.apply_layers(video, out, _layers("one"), landmark_cache=cache, seed=1)
        frames = r.frames
    elif name == "color_means":
        (r,) = pf.extract_face_color_means(video, out, sampling_frequency=1000 / 30, landmark_cache=False)
        frames = r.frames
    else:  # folder1, folder2
        results = pf.apply_layers(video, out, _layers("one"), landmark_cache=False, seed=1, workers=int(name[-1]))
        frames = sum(r.frames for r in results)
    return frames, time.perf_counter() - t0, cpu_seconds() - c0


def _seed_task(func: str, kwargs: dict[str, Any], clip: str, work: str, cached: bool) -> tuple[int, float, float]:
    """(frames, wall seconds, CPU seconds) of one seed function call on ``clip``; ``cached``:
    a first call fills the landmark cache, the second is timed."""
    os.environ["PYFAME_CACHE_DIR"] = str(_fresh(work, "cache"))  # empty: this run's own
    import pyfame as pf

    function = getattr(pf, func)
    if cached:
        function(clip, _fresh(work, "fill"), seed=1, **kwargs)
    out = _fresh(work, "out")
    t0, c0 = time.perf_counter(), cpu_seconds()
    results = function(clip, out, seed=1, **kwargs)
    seconds, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    if any(r.error is not None for r in results):
        raise RuntimeError(f"{func}: {[str(r.error) for r in results if r.error is not None]}")
    if cached and not all(r.cache_hit for r in results):
        return 0, seconds, cpu  # nothing cached: the function does not track
    return sum(r.frames for r in results), seconds, cpu


def _stills_task(how: str, folder: str, work: str) -> tuple[int, float, float]:
    """(images, wall seconds, CPU seconds) of a colour shift over a folder of stills, end to
    end: the clock starts before PyFAME is imported (or before the command starts)."""
    cache = _fresh(work, "cache")
    os.environ["PYFAME_CACHE_DIR"] = str(cache)
    n = len(list(Path(folder).glob("*.jpg")))
    if how == "cached":  # fill the cache in another process, so this one still imports everything
        subprocess.run([sys.executable, "-c", "import sys, pyfame as pf; pf.face_color_shift(*sys.argv[1:3], seed=1)",
                        folder, str(_fresh(work, "fill"))], check=True)
    out = _fresh(work, "out")
    t0, c0 = time.perf_counter(), cpu_seconds()
    if how == "cli":
        done = subprocess.run([sys.executable, "-m", "pyfame", "color-shift", folder, str(out), "--seed", "1"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if done.returncode:
            raise RuntimeError(f"pyfame color-shift failed: {done.stderr[-2000:]}")
    else:
        import pyfame as pf

        results = pf.face_color_shift(folder, out, seed=1, workers=2 if how == "workers2" else None)
        if any(r.error is not None for r in results):
            raise RuntimeError(f"stills: {[str(r.error) for r in results if r.error is not None]}")
    return n, time.perf_counter() - t0, cpu_seconds() - c0


def _child(task: str, args: tuple, q: mp.Queue) -> None:
    fn = {"target": _target_task, "seed": _seed_task, "stills": _stills_task}[task]
    try:
        frames, seconds, cpu = fn(*args)
        q.put((frames, seconds, cpu, _peak_mb()))
    except BaseException as exc:
        q.put(exc)
        raise


def measure(task: str, *args: Any) -> tuple[int, float, float, float]:
    """(frames, wall seconds, CPU seconds, peak RSS in MB) of one run in a fresh process."""
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_child, args=(task, args, q))
    p.start()
    got = q.get()
    p.join()
    if isinstance(got, BaseException):
        raise got
    return got


class Row:
    """Repeated runs of one measurement: frames, wall and CPU seconds, peak MB."""

    def __init__(self, runs: list[tuple[int, float, float, float]]) -> None:
        self.runs = runs
        self.frames = runs[0][0]

    def fps(self, best: bool = True) -> float:
        rates = [r[0] / r[1] for r in self.runs]
        return max(rates) if best else statistics.median(rates)

    def seconds(self, best: bool = True) -> float:
        values = [r[1] for r in self.runs]
        return min(values) if best else statistics.median(values)

    def cpu_per_frame(self) -> float:
        """CPU seconds per frame, the least of the runs."""
        return min(r[2] for r in self.runs) / max(self.frames, 1)

    def busy(self, best: bool = True) -> float:
        values = [r[2] / r[1] for r in self.runs]
        return statistics.median(values) if not best else values[min(range(len(values)),
                                                                     key=lambda i: self.runs[i][1])]

    def peak(self) -> float:
        return max(r[3] for r in self.runs)


def run_rows(task: str, args: tuple, repeat: int, label: str) -> Row:
    row = Row([measure(task, *args) for _ in range(repeat)])
    if row.frames:
        print(f"  {label}: {row.fps():.1f}/s best, {row.cpu_per_frame() * 1e3:.1f} ms CPU per frame, "
              f"{row.peak():.0f} MB", file=sys.stderr)
    else:
        print(f"  {label}: nothing cached (no tracking)", file=sys.stderr)
    return row


# ---- the sections ---------------------------------------------------------------------------


def section_targets(work: Path, repeat: int, skip_long: bool, quick: bool) -> None:
    from pyfame.samples import write_moving_face_video

    n = 30 if quick else 100
    clip = work / "talk720.mp4"
    write_moving_face_video(clip, n_frames=n, fps=30000 / 1001, size=(1280, 720), motion="talk", audio=True)
    folder = work / "folder"
    folder.mkdir()
    for i in range(8):
        write_moving_face_video(folder / f"clip{i}.mp4", n_frames=30 if quick else 150, fps=30, size=(640, 360),
                                motion="talk", audio=True, seed=i)
    rows: dict[str, Row] = {}
    for name in ("floor", "one", "five", "cached", "color_means", "folder1", "folder2"):
        rows[name] = run_rows("target", (name, str(folder if name.startswith("folder") else clip), str(work)),
                              repeat, name)
    if not skip_long and not quick:
        for seconds in (10, 60):
            long_clip = work / f"long{seconds}.mp4"
            write_moving_face_video(long_clip, n_frames=int(seconds * 30), fps=30, size=(1280, 720), motion="talk",
                                    audio=True)
            rows[f"long{seconds}"] = run_rows("target", (f"long{seconds}", str(long_clip), str(work)), 1,
                                              f"long{seconds}")

    r = rows
    print(f"\n### Speed targets (issue 9)\n\nClip 1280x720, 29.97 fps, {n} frames, AAC audio; median of {repeat}\n")
    print("| target | achieved | goal | met |")
    print("|---|---:|---:|:-:|")

    def line(what: str, value: str, goal: str, ok: bool) -> None:
        print(f"| {what} | {value} | {goal} | {'yes' if ok else 'no'} |")

    fps = {k: v.fps(best=False) for k, v in r.items()}
    secs = {k: v.seconds(best=False) for k, v in r.items()}
    line("one colour shift, end to end", f"{fps['one']:.1f} fps", ">= 40 fps", fps["one"] >= 40)
    share = fps["one"] / fps["floor"]
    line("… share of decode + track + encode, no layer", f"{share:.0%} ({fps['floor']:.1f} fps floor)", ">= 60%",
         share >= 0.6)
    ratio = secs["five"] / secs["one"]
    line("five layers vs one, time", f"{ratio:.2f}x ({fps['five']:.1f} fps)", "<= 1.5x", ratio <= 1.5)
    speedup = secs["one"] / secs["cached"]
    line("second run (landmark cache) vs first", f"{speedup:.2f}x ({fps['cached']:.1f} fps)", ">= 2x", speedup >= 2)
    line("colour means, every frame", f"{fps['color_means']:.1f} fps", ">= 50 fps", fps["color_means"] >= 50)
    if "long60" in r:
        mem = r["long60"].peak() / r["long10"].peak()
        line("peak RSS, 60 s vs 10 s clip", f"{mem:.2f}x ({r['long10'].peak():.0f} → {r['long60'].peak():.0f} MB)",
             "<= 1.2x", mem <= 1.2)
    scale = fps["folder2"] / fps["folder1"]
    line("8 clips, 2 workers vs 1", f"{scale:.2f}x ({fps['folder1']:.0f} → {fps['folder2']:.0f} fps)", ">= 1.7x",
         scale >= 1.7)
    cores = os.cpu_count() or 1
    busy = {k: v.busy(best=False) for k, v in r.items()}
    print(f"\nCores busy on average (of {cores}): " + ", ".join(f"{k} {v:.2f}" for k, v in busy.items()))
    print(f"One worker keeps {busy['folder1']:.2f} cores busy, so {cores} workers can be at most "
          f"{cores / busy['folder1']:.2f}x faster than one on this machine.")


def section_seeds(work: Path, repeat: int, quick: bool, clip_arg: str | None) -> None:
    from pyfame.samples import write_moving_face_video

    if clip_arg:
        clip, source = Path(clip_arg), f"`{Path(clip_arg).name}` (given with --clip)"
    elif SHARED_CLIP.is_file() and not quick:
        clip, source = SHARED_CLIP.resolve(), ("`talking_face_a.mp4` from `../shared/media/` (RAVDESS, a real "
                                               "1280x720 camera clip, read in place)")
    else:
        clip = work / "seed720.mp4"
        frames = 30 if quick else 100
        write_moving_face_video(clip, n_frames=frames, fps=30000 / 1001, size=(1280, 720), motion="talk",
                                audio=True)
        source = f"a generated 1280x720 talking-face clip ({frames} frames, AAC audio)"
    rows: dict[str, tuple[Row, Row]] = {}
    for label, func, kwargs in SEED_ROWS:
        first = run_rows("seed", (func, kwargs, str(clip), str(work), False), repeat, f"{label}, first run")
        again = run_rows("seed", (func, kwargs, str(clip), str(work), True), repeat, f"{label}, cached")
        rows[label] = (first, again)

    print(f"\n### Seed functions at 720p\n\nOn {source}; best of {repeat} runs, each in a fresh process; the call "
          "is timed (importing PyFAME is not). First run: empty landmark cache. Cached: the second run on the same "
          "file (— where the function does not track, so nothing is cached).\n")
    print("| seed function | first run (fps) | CPU per frame (ms) | cached (fps) | CPU per frame, cached (ms) "
          "| peak RSS (MB) |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, (first, again) in rows.items():
        cached = (f"{again.fps():.1f}", f"{again.cpu_per_frame() * 1e3:.1f}") if again.frames else ("—", "—")
        print(f"| `{label}` | {first.fps():.1f} | {first.cpu_per_frame() * 1e3:.1f} | {cached[0]} | {cached[1]} "
              f"| {max(first.peak(), again.peak()):.0f} |")
    slowest = min(rows, key=lambda k: rows[k][0].fps())
    costliest = max(rows, key=lambda k: rows[k][0].cpu_per_frame())
    print(f"\nSlowest first run: `{slowest}` at {rows[slowest][0].fps():.1f} fps; most CPU per frame: "
          f"`{costliest}` at {rows[costliest][0].cpu_per_frame() * 1e3:.1f} ms.")


def section_stills(work: Path, repeat: int, n: int) -> None:
    from pyfame.samples import write_sample_stills

    folder = work / "stills"
    write_sample_stills(folder, n=n, size=(1024, 1024), quality=90)
    rows = {how: run_rows("stills", (how, str(folder), str(work)), repeat, f"stills, {how}")
            for how in ("serial", "workers2", "cli", "cached")}
    labels = {"serial": "`face_color_shift(folder, out)`, one process",
              "workers2": "`face_color_shift(folder, out, workers=2)`",
              "cli": "`pyfame color-shift folder out`",
              "cached": "`face_color_shift(folder, out)`, second run (landmark cache)"}
    print(f"\n### A folder of stills\n\n{n} stills, 1024x1024 JPEG (quality 90), one face each; a colour shift, end "
          "to end (the clock starts before PyFAME is imported: imports, starting the tracker, decoding, "
          f"tracking, the layer, JPEG encoding, sidecars); first runs with an empty landmark cache; best of {repeat}. "
          "'2 cores could give' is 2 / CPU per image: the rate if two cores shared the work perfectly.\n")
    print("| run | images/s | CPU per image (ms) | 2 cores could give (images/s) | cores busy | peak RSS (MB) |")
    print("|---|---:|---:|---:|---:|---:|")
    for how, row in rows.items():
        cpu = row.cpu_per_frame()
        print(f"| {labels[how]} | {row.fps():.1f} | {cpu * 1e3:.1f} | {2 / cpu:.1f} | {row.busy():.2f} "
              f"| {row.peak():.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-long", action="store_true", help="skip the 10 s / 60 s memory runs")
    parser.add_argument("--only", default="targets,seeds,stills", help="sections, comma-separated")
    parser.add_argument("--stills", type=int, default=200, help="stills in the folder")
    parser.add_argument("--clip", help="the clip of the seed-function table (default: talking_face_a.mp4 "
                                       "from ../shared/media when present, else a generated one)")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: one repeat, 30-frame generated clips, 20 stills, no long runs")
    args = parser.parse_args()
    sections = {s.strip() for s in args.only.split(",") if s.strip()}
    unknown = sections - {"targets", "seeds", "stills"}
    if unknown:
        parser.error(f"unknown sections {sorted(unknown)}")
    repeat = 1 if args.quick else args.repeat
    n_stills = min(args.stills, 20) if args.quick else args.stills
    print(f"Machine: {machine()}; load average {os.getloadavg()[0]:.1f} at the start")
    work = Path(tempfile.mkdtemp(prefix="pyfame-bench-"))
    try:
        if "targets" in sections:
            (work / "targets").mkdir()
            section_targets(work / "targets", repeat, args.skip_long, args.quick)
        if "seeds" in sections:
            (work / "seeds").mkdir()
            section_seeds(work / "seeds", repeat, args.quick, args.clip)
        if "stills" in sections:
            (work / "stills_run").mkdir()
            section_stills(work / "stills_run", repeat, n_stills)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"\nLoad average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
