"""The encoder trade-off: speed, size and fidelity of x264 presets and CRFs, as PyFAME writes them.

Decodes the generated 720p talking-face clip once, then writes the same frames through
``VideoSink`` with each (preset, CRF) and measures: encoding frames per second (frames held
in memory, so only conversion and encoding are timed), file size, fidelity of the written
video to the frames it was given (PSNR and SSIM on the luma plane, where the encoder's
losses are, and PSNR of the decoded RGB, which adds the 4:2:0 chroma subsampling that all
settings share), the H.264 profile, and single-threaded decoding speed (what a player spends
showing it).

    python benchmarks/bench_encoder_presets.py [--frames 100]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import av
import cv2
import numpy as np
from machine_info import machine

SETTINGS = [("veryfast", 18), ("superfast", 17), ("superfast", 16), ("ultrafast", 18), ("ultrafast", 15),
            ("ultrafast", 13), ("medium", 18)]


def _luma(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV_I420)[: rgb.shape[0]]


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b) ** 2))
    return 10 * np.log10(255.0**2 / mse) if mse else float("inf")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=100)
    args = parser.parse_args()
    from skimage.metrics import structural_similarity

    from pyfame.io import Frame, open_source
    from pyfame.io.video_sink import DEFAULT_CRF, DEFAULT_PRESET, VideoSink
    from pyfame.samples import write_moving_face_video

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        clip = work / "talk720.mp4"
        write_moving_face_video(clip, n_frames=args.frames, fps=30000 / 1001, size=(1280, 720), motion="talk")
        with open_source(clip) as source:
            frames = list(source)
            fps = source.fps
        reference = [_luma(f.pixels) for f in frames]
        rows = []
        for preset, crf in SETTINGS:
            out = work / f"{preset}_{crf}.mp4"
            t0 = time.perf_counter()
            with VideoSink(out, 1280, 720, fps, preset=preset, crf=crf) as sink:
                for f in frames:
                    sink.write(Frame(f.index, f.t, f.pixels))
            encode_fps = len(frames) / (time.perf_counter() - t0)
            with av.open(str(out)) as c:
                stream = c.streams.video[0]
                profile = stream.codec_context.profile
                stream.thread_type = "NONE"
                t0 = time.perf_counter()
                decoded_frames = list(c.decode(stream))
                decode_fps = len(decoded_frames) / (time.perf_counter() - t0)
            decoded = [frame.to_ndarray()[:720] for frame in decoded_frames]
            psnr_rgb = float(np.mean([_psnr(d.to_ndarray(format="rgb24"), f.pixels)
                                      for d, f in zip(decoded_frames, frames)]))
            psnr = float(np.mean([_psnr(d, r) for d, r in zip(decoded, reference)]))
            ssim = float(np.mean([structural_similarity(d, r) for d, r in zip(decoded[::5], reference[::5])]))
            default = " (default)" if (preset, crf) == (DEFAULT_PRESET, DEFAULT_CRF) else ""
            rows.append((f"`{preset}`, CRF {crf}{default}", encode_fps, out.stat().st_size / 1e6, psnr, ssim, psnr_rgb,
                         profile, decode_fps))

    print(f"\nMachine: {machine()}; clip 1280x720, 29.97 fps, {args.frames} frames\n")
    print("| preset, CRF | encode fps | size (MB) | PSNR-Y (dB) | SSIM-Y | PSNR-RGB (dB) | profile | decode fps, 1 thread |")
    print("|---|---:|---:|---:|---:|---:|---|---:|")
    for name, enc, size, psnr, ssim, psnr_rgb, profile, dec in rows:
        print(f"| {name} | {enc:.0f} | {size:.2f} | {psnr:.2f} | {ssim:.4f} | {psnr_rgb:.2f} | {profile} | {dec:.0f} |")


if __name__ == "__main__":
    main()
