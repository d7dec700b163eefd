"""Time the piecewise-affine face warp (pyfame.face.geometry.warp) at several image sizes.

The sample face's tracked mesh is scaled so the face fills 60% of a square image's height,
and warped to a non-rigid destination (lower face stretched, face widened) that moves
every mesh point: the triangles between the face and the image border move too, so the
whole image is warped (the worst case). Each size runs in its own process, so its peak
memory is its own. Columns:

- *new geometry*: ``warp_image`` with a destination never seen before (triangulation,
  fold-over check, triangle raster, per-pixel source coordinates, resampling);
- *same destination*: another face warped to a destination already drawn (the raster is
  reused, as when averaging faces onto one shape);
- *spline*: the thin-plate-spline warp of the same points, for comparison;
- *CPU*: CPU time per triangle warp, all threads (OpenCV uses both cores), over both
  triangle-warp columns;
- *peak extra*: the process's peak RSS during the triangle warps minus its RSS before them.

    python benchmarks/bench_warp.py [--sizes 256 512 1024 2048] [--repeat 30]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import time

from machine_info import machine


def _status_mb(field: str) -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def _reset_peak() -> None:
    """Start the peak-RSS count (VmHWM) afresh (Linux: clear_refs 5)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def run_size(size: int, repeat: int, mesh_bytes: bytes) -> dict:
    import numpy as np

    from pyfame.face.geometry import plan_warp, thin_plate_spline_warp, warp_image

    mesh = np.frombuffer(mesh_bytes, np.float32).reshape(478, 3)[:, :2].astype(np.float64)
    centre = mesh.mean(axis=0)
    source = (mesh - centre) * (0.6 * size / np.ptp(mesh[:, 1])) + size / 2
    eye_distance = np.linalg.norm(source[263] - source[33])
    rel = source - source.mean(axis=0)
    destination = source.mean(axis=0) + rel * (1.06, 1.0)
    destination[:, 1] += 0.15 * eye_distance * np.clip(rel[:, 1] / eye_distance, 0, None)
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (size, size, 3), dtype=np.uint8)
    image = np.ascontiguousarray(np.repeat(np.repeat(image[::8, ::8], 8, 0), 8, 1)[:size, :size])

    warp_image(image, source, destination)  # imports, first allocations
    rss_before = _status_mb("VmRSS")
    _reset_peak()
    cpu_before = time.process_time()
    new_geometry = []
    for i in range(repeat):
        jitter = destination + rng.normal(0, 0.05, destination.shape) * (i + 1) / repeat
        t0 = time.perf_counter()
        warp_image(image, source, jitter)
        new_geometry.append(time.perf_counter() - t0)
    same_destination = []
    for _ in range(repeat):
        other = source + rng.normal(0, 0.3, source.shape)
        t0 = time.perf_counter()
        warp_image(image, other, destination)
        same_destination.append(time.perf_counter() - t0)
    peak_extra = _status_mb("VmHWM") - rss_before
    cpu_per_warp = (time.process_time() - cpu_before) / (2 * repeat)
    spline = []
    for _ in range(max(3, repeat // 10)):
        t0 = time.perf_counter()
        thin_plate_spline_warp(image, source, destination)
        spline.append(time.perf_counter() - t0)
    plan = plan_warp(source, destination, image.shape)
    return {
        "size": size,
        "triangles": int(len(plan.triangles)),
        "moving": int(plan._moving.sum()),
        "box": plan.box,
        "new": statistics.median(new_geometry) * 1e3,
        "new_min": min(new_geometry) * 1e3,
        "same": statistics.median(same_destination) * 1e3,
        "spline": statistics.median(spline) * 1e3,
        "cpu": cpu_per_warp * 1e3,
        "peak_extra": peak_extra,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[256, 512, 1024, 2048])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    from pyfame.face.geometry import example_face

    mesh_bytes = example_face().landmarks.astype("float32").tobytes()
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    context = mp.get_context("spawn")
    rows = []
    for size in args.sizes:
        with context.Pool(1) as pool:
            rows.append(pool.apply(run_size, (size, args.repeat, mesh_bytes)))
    print(f"Machine: {machine()}")
    print(f"Piecewise-affine warp, whole image moving; medians of {args.repeat} warps (spline: of {max(3, args.repeat // 10)})\n")
    print(f"Load average before: {load}")
    print("| size | triangles (moving) | new geometry, ms (min) | same destination, ms | CPU, ms | spline, ms | peak extra, MB |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['size']}x{r['size']} | {r['triangles']} ({r['moving']}) | {r['new']:.1f} ({r['new_min']:.1f}) "
            f"| {r['same']:.1f} | {r['cpu']:.1f} | {r['spline']:.0f} | {r['peak_extra']:.0f} |"
        )


if __name__ == "__main__":
    main()
