"""The encoder default: search x264's (preset, CRF) grid against the rule of issue 16.

The rule: on a typical camera clip, the default writes **at most half the input's bytes** at a
**luma PSNR of at least 45 dB** against the frames PyFAME computed; among the settings that
meet both, the **fastest** (least encoder CPU time per frame) wins.

How each quantity is measured:

* Clips: the RAVDESS talking-face clips ``talking_face_a.mp4`` (the typical clip: 1280x720,
  29.97 fps, 8.6 Mb/s H.264 High, AAC) and ``talking_face_b.mp4`` (more head movement) from
  ``../shared/media/`` when present (or ``--clips``); otherwise a generated 720p talking face
  (the table says which). A setting must meet the rule on every clip measured.
* Frames: each clip is decoded once with PyFAME's own source; those RGB frames are what a pass
  without a layer gives the encoder, so they are "the frames PyFAME computed".
* Bytes: the whole MP4 that ``VideoSink`` writes, with the input's audio copied packet for
  packet as PyFAME does, against the whole input file (the same audio is in both).
* Luma PSNR: the decoded output's Y plane against the Y plane of the frames given, converted
  with the encoder's own conversion (:func:`pyfame.io.yuv420.rgb_to_i420`: BT.601, limited
  range), so only the encoder's loss is measured; one PSNR from the mean squared error of the
  whole clip (stricter than the mean of per-frame PSNRs), with the worst frame shown too.
* Speed: CPU time (all threads of the process: ``getrusage``) of writing the clip through
  ``VideoSink`` (RGB to YUV, x264, muxing the audio) per frame; frames are held in memory, so
  nothing else is timed. Every setting is encoded once for the grid; the settings meeting the
  rule within 15% of the fastest are timed again, best of ``--repeat``, the repeats of all of
  them interleaved so that a change of the machine's load touches all alike.

    python benchmarks/bench_encoder_presets.py [--repeat 5] [--frames N] [--clips A.mp4 B.mp4 | --generated]
"""

from __future__ import annotations

import argparse
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import av
import numpy as np
from bench_common import cpu_seconds
from machine_info import machine

PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium")
CRFS = range(14, 31)
MAX_BYTES = 0.5  # of the input's
MIN_PSNR = 45.0  # dB, luma
SHARED_MEDIA = Path(__file__).resolve().parents[1].parent / "shared" / "media"


@dataclass
class Clip:
    name: str
    path: Path
    frames: list
    fps: object
    time_base: object
    reference: np.ndarray  # luma planes (n, h, w) as the encoder gets them
    audio_bytes: int
    input_bytes: float  # the input file's, pro rata when only its first frames are used


@dataclass
class Result:
    preset: str
    crf: int
    ratio: dict = field(default_factory=dict)  # clip name -> output bytes / input bytes
    psnr: dict = field(default_factory=dict)
    worst: dict = field(default_factory=dict)
    cpu_ms: list = field(default_factory=list)  # per frame, first clip
    profile: str = ""
    b_frames: bool = False
    level: int = 0

    def meets(self, clip: str) -> bool:
        return self.ratio[clip] <= MAX_BYTES and self.psnr[clip] >= MIN_PSNR


def load(path: Path, frames: int | None) -> Clip:
    from pyfame.io import open_source
    from pyfame.io.yuv420 import rgb_to_i420

    with open_source(path) as source:
        got = [f for i, f in zip(range(frames or 10**9), source)]
        fps, time_base = source.fps, getattr(source, "time_base", None)
    h = got[0].pixels.shape[0]
    reference = np.stack([rgb_to_i420(f.pixels)[:h] for f in got])
    with av.open(str(path)) as container:
        total = container.streams.video[0].frames or len(got)
        audio = container.streams.audio
        audio_bytes = sum(p.size for p in container.demux(audio[0])) if audio else 0
    return Clip(path.name, path, got, fps, time_base, reference, audio_bytes,
                path.stat().st_size * min(1.0, len(got) / total))


def encode(clip: Clip, out: Path, preset: str, crf: int) -> float:
    """Write the clip's frames with its audio; returns CPU milliseconds per frame."""
    from pyfame.io.video_sink import VideoSink

    h, w = clip.frames[0].pixels.shape[:2]
    start = cpu_seconds(children=False)
    with VideoSink(out, w, h, clip.fps, time_base=clip.time_base, audio_from=clip.path, preset=preset, crf=crf) as sink:
        for frame in clip.frames:
            sink.write(frame)
    return (cpu_seconds(children=False) - start) / len(clip.frames) * 1000


def fidelity(clip: Clip, out: Path) -> tuple[float, float, str, bool, int]:
    """Luma PSNR of the clip (pooled MSE), of its worst frame, and the stream's H.264 profile,
    whether it has B-frames, and its level."""
    with av.open(str(out)) as container:
        stream = container.streams.video[0]
        context = stream.codec_context
        errors = [np.mean((f.to_ndarray()[: clip.reference.shape[1]].astype(np.float64) - ref) ** 2)
                  for f, ref in zip(container.decode(stream), clip.reference)]
        profile, b_frames, level = context.profile, bool(context.has_b_frames), context.level
    db = [10 * np.log10(255.0**2 / e) if e else float("inf") for e in (np.mean(errors), max(errors))]
    return db[0], db[1], profile, b_frames, level


def search(clips: list[Clip], work: Path) -> list[Result]:
    results = []
    for preset in PRESETS:
        for crf in CRFS:
            r = Result(preset, crf)
            for clip in clips:
                out = work / f"{clip.path.stem}_{preset}_{crf}.mp4"
                ms = encode(clip, out, preset, crf)
                if clip is clips[0]:
                    r.cpu_ms.append(ms)
                r.ratio[clip.name] = out.stat().st_size / clip.input_bytes
                r.psnr[clip.name], r.worst[clip.name], r.profile, r.b_frames, r.level = fidelity(clip, out)
                out.unlink()
            results.append(r)
            print(f"  {preset:9s} CRF {crf}: " + ", ".join(
                f"{c.name} {r.ratio[c.name]:.3f}x {r.psnr[c.name]:.2f} dB" for c in clips)
                + f", {r.cpu_ms[0]:.2f} ms/frame", flush=True)
            if all(r.psnr[c.name] < MIN_PSNR - 1 for c in clips):
                break  # higher CRFs only lose more
    return results


def time_contenders(results: list[Result], clip: Clip, work: Path, repeat: int, also: set) -> list[Result]:
    """Best of ``repeat`` for the settings meeting the rule within 15% of the fastest (and for
    the settings in ``also``); returns those meeting the rule, fastest first."""
    meeting = [r for r in results if all(r.meets(name) for name in r.ratio)]
    fastest = min((r.cpu_ms[0] for r in meeting), default=0.0)
    contenders = [r for r in results if (r in meeting and r.cpu_ms[0] <= 1.15 * fastest)
                  or (r.preset, r.crf) in also]
    for _ in range(repeat - 1):
        for r in contenders:
            r.cpu_ms.append(encode(clip, work / "timing.mp4", r.preset, r.crf))
    return sorted(meeting, key=lambda r: min(r.cpu_ms))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", nargs="*", type=Path, default=None,
                        help="camera clips (default: ../shared/media/talking_face_[ab].mp4, else a generated one)")
    parser.add_argument("--generated", action="store_true",
                        help="use a generated 720p clip even where the RAVDESS clips are present")
    parser.add_argument("--frames", type=int, default=None, help="use only the first N frames of each clip")
    parser.add_argument("--repeat", type=int, default=5, help="best of N for the settings that meet the rule")
    parser.add_argument("--tie", type=float, default=0.03,
                        help="CPU times within this fraction of the fastest count as equal; fewer bytes wins")
    args = parser.parse_args()

    from pyfame.io.video_sink import DEFAULT_CRF, DEFAULT_ENCODER_PROFILE, DEFAULT_PRESET, ENCODER_PROFILES

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        paths = args.clips or ([] if args.generated else sorted(SHARED_MEDIA.glob("talking_face_[ab].mp4")))
        source = "RAVDESS clips from ../shared/media (CC BY-NC-SA, read only)" if not args.clips and paths else "given"
        if not paths:
            from pyfame.samples import write_moving_face_video

            paths = [work / "generated_720p.mp4"]
            write_moving_face_video(paths[0], n_frames=args.frames or 100, fps=30000 / 1001, size=(1280, 720),
                                    motion="talk")
            source = ("generated (the sample face, veryfast CRF 18): not a camera file, so its byte budget "
                      "is not the rule's")
        clips = [load(p, args.frames) for p in paths]
        print(f"Machine: {machine()}\nClips ({source}):")
        for c in clips:
            h, w = c.frames[0].pixels.shape[:2]
            seconds = len(c.frames) / float(c.fps)
            mbps = c.path.stat().st_size * 8 / seconds / 1e6
            print(f"  {c.name}: {w}x{h}, {len(c.frames)} frames, {float(c.fps):.2f} fps, "
                  f"{c.path.stat().st_size / 1e6:.2f} MB ({mbps:.1f} Mb/s, audio {c.audio_bytes / 1e3:.0f} kB)")
        print(f"\nGrid (bytes as x input, luma PSNR; CPU of one encode of {clips[0].name}):")
        results = search(clips, work)
        ranked = time_contenders(results, clips[0], work, args.repeat, set(ENCODER_PROFILES.values()))

    names = [c.name for c in clips]
    print(f"\nPer preset, the CRFs that meet each half of the rule on {' and '.join(names)}:\n")
    print(f"| preset | bytes <= {MAX_BYTES:g}x input | PSNR-Y >= {MIN_PSNR:g} dB | both |")
    print("|---|---|---|---|")
    for preset in PRESETS:
        rows = [r for r in results if r.preset == preset]
        small = [r.crf for r in rows if all(r.ratio[n] <= MAX_BYTES for n in names)]
        faithful = [r.crf for r in rows if all(r.psnr[n] >= MIN_PSNR for n in names)]
        both = sorted(set(small) & set(faithful))

        def span(crfs: list[int]) -> str:
            return f"CRF {min(crfs)}-{max(crfs)}" if crfs else "none"
        print(f"| `{preset}` | {span(small)}{'+' if small and max(small) == max(r.crf for r in rows) else ''} | "
              f"{span(faithful)} | {span(both)} |")

    print(f"\nSettings that meet the rule on every clip, fastest first (encoder CPU ms per frame on {names[0]}, "
          f"best of {args.repeat} for those within 15% of the fastest, else one run):\n")
    cols = " | ".join(f"{n}: bytes, PSNR-Y (worst frame)" for n in names)
    print(f"| preset, CRF | CPU ms/frame | {cols} | stream |")
    print("|---|---:|" + "---|" * len(names) + "---|")
    for r in ranked[:12]:
        cells = " | ".join(f"{r.ratio[n]:.3f}x, {r.psnr[n]:.2f} ({r.worst[n]:.2f}) dB" for n in names)
        stream = f"{r.profile}, level {r.level / 10:g}{', B-frames' if r.b_frames else ''}"
        print(f"| `{r.preset}`, {r.crf} | {min(r.cpu_ms):.2f} | {cells} | {stream} |")
    if not ranked:
        print("No setting meets the rule on every clip.")
        return
    fastest = min(ranked[0].cpu_ms)
    tied = [r for r in ranked if min(r.cpu_ms) <= (1 + args.tie) * fastest]
    win = min(tied, key=lambda r: r.ratio[names[0]])
    others = [r for r in ranked if r.preset != win.preset]
    print(f"\nWinner: `{win.preset}` at CRF {win.crf}: it meets the rule on every clip "
          f"({', '.join(f'{n} {win.ratio[n]:.2f}x the bytes at {win.psnr[n]:.2f} dB' for n in names)}) "
          f"and takes {min(win.cpu_ms):.2f} ms of encoder CPU per frame, "
          + ("the least; " if win is ranked[0] else f"within {args.tie:.0%} of the least ({fastest:.2f} ms); ")
          + (f"{len(tied) - 1} other setting(s) within {args.tie:.0%} of the fastest "
             f"({', '.join(f'CRF {r.crf}' if r.preset == win.preset else f'{r.preset} {r.crf}' for r in tied if r is not win)})"
             f" write more bytes" if len(tied) > 1 else "none other is within " + f"{args.tie:.0%}")
          + (f"; the fastest other preset, `{others[0].preset}` at CRF {others[0].crf}, takes "
             f"{min(others[0].cpu_ms) / min(win.cpu_ms) - 1:+.0%}." if others else "."))
    by_crf = {(r.preset, r.crf): r for r in results}
    above = by_crf.get((win.preset, win.crf + 1))
    if above is not None:
        short = [n for n in names if not above.meets(n)]
        if short:
            print(f"One CRF higher fails on {', '.join(short)} "
                  f"({', '.join(f'{above.psnr[n]:.2f} dB, {above.ratio[n]:.2f}x' for n in short)}).")
    print(f"PyFAME's default: profile '{DEFAULT_ENCODER_PROFILE}' = `{DEFAULT_PRESET}` at CRF {DEFAULT_CRF} "
          f"({'the winner' if (win.preset, win.crf) == (DEFAULT_PRESET, DEFAULT_CRF) else 'NOT the winner'}); "
          f"profiles: {ENCODER_PROFILES}")
    for name, (preset, crf) in ENCODER_PROFILES.items():
        r = by_crf.get((preset, crf))
        if r is not None:
            print(f"  {name}: " + ", ".join(f"{n} {r.ratio[n]:.3f}x {r.psnr[n]:.2f} dB" for n in names)
                  + f", {min(r.cpu_ms):.2f} ms/frame ({'best of ' + str(len(r.cpu_ms)) if len(r.cpu_ms) > 1 else 'one run'})")


if __name__ == "__main__":
    main()
