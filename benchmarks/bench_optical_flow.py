"""Time dense optical flow (issue 16): DIS against Farneback, in the face's box and on whole frames.

For each setting, in a fresh process (spawned) so CPU times are its own:

* end to end: ``get_optical_flow(clip, out, optical_flow_type="dense", ...)`` with the
  clip's landmarks already cached (the cache is filled once, before any timing): decode,
  flow, drawing, encoding, the table; best of ``--repeat`` runs;
* the flow layer alone: ``OpticalFlow.apply`` over the decoded frames with their tracked
  faces, CPU time (``time.process_time``: every thread of the process), best of
  ``--repeat`` passes, plus the rows of every frame (what a table sampled every frame costs).

CPU times are what to compare on a shared machine; wall-clock fps is printed too, for a
quiet one. Default clip: the generated 1280x720 talking face of ``bench_speed.py`` (100
frames); pass a path to time a real clip instead.

    python benchmarks/bench_optical_flow.py [clip.mp4] [--repeat 3]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench_common import cpu_seconds, tracked_frames
from machine_info import machine

SETTINGS: dict[str, dict] = {
    "DIS fast, face box (default)": {},
    "DIS ultrafast, face box": {"dis_preset": "ultrafast"},
    "DIS medium, face box": {"dis_preset": "medium"},
    "DIS fast, whole frame": {"dense_area": "frame"},
    "Farneback, face box": {"dense_method": "farneback"},
    "Farneback, whole frame (before)": {"dense_method": "farneback", "dense_area": "frame"},
}


def _task(setting: str, video: str, work: str, repeat: int, q: mp.Queue) -> None:
    os.environ["PYFAME_CACHE_DIR"] = str(Path(work) / "cache")
    import pyfame as pf
    from pyfame.pipeline.layer import SourceInfo

    kwargs = SETTINGS[setting]
    best_wall = best_cpu = float("inf")
    frames = 0
    for i in range(repeat):
        out = Path(work) / f"out-{os.getpid()}-{i}"
        out.mkdir()
        t0, c0 = time.perf_counter(), cpu_seconds(children=False)
        (r,) = pf.get_optical_flow(video, out, optical_flow_type="dense", **kwargs)
        best_wall, best_cpu = min(best_wall, time.perf_counter() - t0), min(best_cpu, cpu_seconds(children=False) - c0)
        frames = r.frames
        shutil.rmtree(out)
    pixels, faces = tracked_frames(Path(video))
    h, w = pixels[0].shape[:2]
    layer = pf.OpticalFlow("dense", **kwargs)
    layer_cpu = rows_cpu = float("inf")
    for _ in range(repeat):
        layer.start(SourceInfo("video", w, h, 30.0, len(pixels), len(pixels) / 30.0))
        c0 = time.process_time()
        for i, (p, f) in enumerate(zip(pixels, faces)):
            layer.apply(p, f, i / 30.0, None)
        layer_cpu = min(layer_cpu, time.process_time() - c0)
        layer.start(SourceInfo("video", w, h, 30.0, len(pixels), len(pixels) / 30.0))
        c0 = time.process_time()
        for i, (p, f) in enumerate(zip(pixels, faces)):
            layer.apply(p, f, i / 30.0, None)
            _ = layer.latest
        rows_cpu = min(rows_cpu, time.process_time() - c0)
    q.put((frames, best_wall, best_cpu, layer_cpu / len(pixels), rows_cpu / len(pixels)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clip", nargs="?", help="a video (default: a generated 1280x720 talking face)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if args.clip:
            clip = Path(args.clip).resolve()
        else:
            from pyfame.samples import write_moving_face_video

            clip = work / "talk720.mp4"
            write_moving_face_video(clip, n_frames=100, fps=30000 / 1001, size=(1280, 720), motion="talk", audio=True)
        os.environ["PYFAME_CACHE_DIR"] = str(work / "cache")
        import pyfame as pf

        fill = work / "fill"
        fill.mkdir()
        pf.get_optical_flow(clip, fill)  # tracks once and fills the landmark cache (same tracker settings)
        ctx = mp.get_context("spawn")
        print(f"Machine: {machine()}; clip {clip.name}; best of {args.repeat}; landmarks cached\n")
        print("| setting | end to end, wall | end to end, CPU per frame | flow layer alone, CPU per frame "
              "| … with every frame's rows |")
        print("|---|---:|---:|---:|---:|")
        for setting in SETTINGS:
            q = ctx.Queue()
            p = ctx.Process(target=_task, args=(setting, str(clip), str(work), args.repeat, q))
            p.start()
            frames, wall, cpu, layer, rows = q.get()
            p.join()
            print(f"| {setting} | {frames / wall:.1f} fps | {1000 * cpu / frames:.1f} ms | {1000 * layer:.1f} ms "
                  f"| {1000 * rows:.1f} ms |", flush=True)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
