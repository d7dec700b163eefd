"""Time the foundation's stages on a generated 720p, 30 fps, 10 s moving-face video.

Prints a table of frames per second and peak memory for: decode only, decode + encode,
tracking only, and the full pipeline with a trivial layer (first run, and second run from
the landmark cache). Each stage runs in its own process so peak RSS is its own.

    python benchmarks/bench_foundation.py [--frames 300] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from machine_info import machine


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def stage_decode(video: Path, work: Path) -> int:
    from pyfame.io import open_source

    n = 0
    with open_source(video) as s:
        for _ in s:
            n += 1
    return n


def stage_decode_encode(video: Path, work: Path) -> int:
    from pyfame.io import open_source
    from pyfame.io.video_sink import VideoSink

    n = 0
    with open_source(video) as s:
        sink = VideoSink(work / "copy.mp4", s.width, s.height, s.fps, time_base=s.time_base, audio_from=video)
        for f in s:
            sink.write(f)
            n += 1
        sink.close()
    return n


def stage_track(video: Path, work: Path) -> int:
    from pyfame.face.tracker import FaceTracker
    from pyfame.io import open_source

    with open_source(video) as s:
        frames = [f for f in s]  # decoded up front: time tracking alone
    t0 = time.perf_counter()
    with FaceTracker(mode="video") as tr:
        for f in frames:
            tr.track(f.pixels, f.t)
    return -int((time.perf_counter() - t0) * 1e6)  # negative: own timing in µs


def _pipeline(video: Path, work: Path, cache: bool) -> int:
    import pyfame as pf
    from pyfame.core.analysis.landmark_overlay import LandmarkOverlay

    # a new folder each time: an output made by the same request would be skipped, not timed
    out = Path(tempfile.mkdtemp(prefix="cached" if cache else "first", dir=work))
    (r,) = pf.apply_layers(video, out, [LandmarkOverlay()], landmark_cache=work / "cache" if cache else False)
    return r.frames


def stage_pipeline(video: Path, work: Path) -> int:
    return _pipeline(video, work, cache=False)


def stage_pipeline_cached(video: Path, work: Path) -> int:
    _pipeline(video, work, cache=True)  # fill the cache (not timed: see run_stage)
    return -1


STAGES = {
    "decode only": stage_decode,
    "decode + encode (H.264 default settings, audio copied)": stage_decode_encode,
    "tracking only (frames in memory)": stage_track,
    "full pipeline, trivial layer": stage_pipeline,
    "full pipeline, second run (landmark cache)": stage_pipeline_cached,
}


def _child(name: str, video: str, work: str, q: mp.Queue) -> None:
    fn = STAGES[name]
    work_p = Path(work)
    if name.endswith("(landmark cache)"):
        fn(Path(video), work_p)  # warm the cache, then time the cached run
        t0 = time.perf_counter()
        n = _pipeline(Path(video), work_p, cache=True)
        q.put((n, time.perf_counter() - t0, _peak_mb()))
        return
    t0 = time.perf_counter()
    n = fn(Path(video), work_p)
    dt = time.perf_counter() - t0
    if n < 0 and name.startswith("tracking"):
        dt = -n / 1e6
        n = 0
        from pyfame.io.media_info import media_info

        n = media_info(Path(video))["frame_count"]
    q.put((n, dt, _peak_mb()))


def run_stage(name: str, video: Path, work: Path) -> tuple[float, float]:
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_child, args=(name, str(video), str(work), q))
    p.start()
    n, dt, peak = q.get()
    p.join()
    return n / dt, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    from pyfame.samples import write_moving_face_video

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        video = work / "bench_720p.mp4"
        write_moving_face_video(video, n_frames=args.frames, fps=30, size=(1280, 720), motion="talk", audio=True)
        rows = []
        for name in STAGES:
            runs = [run_stage(name, video, work) for _ in range(args.repeat)]
            fps = statistics.median(r[0] for r in runs)
            peak = max(r[1] for r in runs)
            rows.append((name, fps, peak))
            print(f"  {name}: {fps:.1f} fps", file=sys.stderr)
    stage_fps = {n: f for n, f, _ in rows}
    enc_dec = stage_fps["decode + encode (H.264 default settings, audio copied)"]
    trk = stage_fps["tracking only (frames in memory)"]
    # decode + track + encode run one after another: the time per frame of decode+encode
    # plus that of tracking
    separate = 1.0 / (1.0 / enc_dec + 1.0 / trk)
    print(f"\nMachine: {machine()}")
    print(f"Video: 1280x720, 30 fps, {args.frames} frames, AAC audio; median of {args.repeat} runs\n")
    print("| stage | frames/s | peak RSS (MB) |")
    print("|---|---:|---:|")
    for name, fps, peak in rows:
        print(f"| {name} | {fps:.1f} | {peak:.0f} |")
    print(f"| decode + tracking + encode, one after another (computed) | {separate:.1f} | |")
    full = stage_fps["full pipeline, trivial layer"]
    print(f"\nfull pipeline / separate stages: {full / separate:.2f}x (target >= 0.5)")
    cached = stage_fps["full pipeline, second run (landmark cache)"]
    print(f"second run (cache) / first run: {cached / full:.2f}x")
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "rows": rows, "separate": separate}, indent=2))


if __name__ == "__main__":
    main()
