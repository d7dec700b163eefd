"""One pass over one file: decode, track once, apply layers, observe probes, encode."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pyfame.errors import FaceNotFoundError
from pyfame.face.faces import Faces
from pyfame.face.landmark_cache import LandmarkCache
from pyfame.hashing import file_sha256
from pyfame.io import open_source
from pyfame.io.frame import Frame
from pyfame.io.image_sink import holds_alpha, write_image
from pyfame.io.video_sink import VideoSink
from pyfame.pipeline.face_stage import FaceStage
from pyfame.pipeline.layer import Layer, Probe, SourceInfo
from pyfame.pipeline.prefetch import BackgroundConsumer, prefetch
from pyfame.pipeline.run_options import HOLD_SECONDS, RunOptions
from pyfame.provenance import sidecar_path, write_sidecar

log = logging.getLogger(__name__)


@dataclass
class FileResult:
    """What one file's pass did.

    Attributes
    ----------
    input, output : Path
        The file read and the media written (None when only probes ran).
    frames : int
        Frames decoded.
    frames_with_face : int
        Frames where at least one face was found.
    frames_without_face : list[int]
        Indices of frames without a face.
    tables : dict[str, pandas.DataFrame]
        One table per probe.
    cache_hit : bool
        Landmarks came from the cache (tracking skipped).
    seconds : float
        Wall time of the pass.
    """

    input: Path
    output: Path | None
    frames: int = 0
    frames_with_face: int = 0
    frames_without_face: list[int] = field(default_factory=list)
    frames_held: list[int] = field(default_factory=list)
    frames_written: int = 0
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    cache_hit: bool = False
    seconds: float = 0.0
    error: BaseException | None = None
    sidecar: Path | None = None
    input_sha256: str = ""
    tables_written: list[Path] = field(default_factory=list)
    truncation: dict[str, int | None] | None = None


def layer_rngs(seed: int, n: int) -> list[np.random.Generator]:
    """One independent generator per layer, derived from the run's seed."""
    return [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(n)]


def _ranges(indices: list[int]) -> list[list[int]]:
    """[1,2,3,7] → [[1,3],[7,7]] (inclusive ranges, compact in sidecars)."""
    out: list[list[int]] = []
    for i in indices:
        if out and out[-1][1] == i - 1:
            out[-1][1] = i
        else:
            out.append([i, i])
    return out


def run_file(
    input_path: Path,
    output_path: Path | None,
    layers: list[Layer],
    probes: list[Probe],
    options: RunOptions,
    operation: str = "apply_layers",
    progress_position: int = 0,
    *,
    frame_plan: list[int] | None = None,
    keep_audio: bool = True,
    extra_record: dict[str, Any] | None = None,
    track: bool | None = None,
) -> FileResult:
    """Run layers and probes over one image or video in a single pass.

    Nothing is written unless the whole file succeeds: the media goes to a temporary file
    renamed at the end, then the sidecar. Probe tables are returned, not written.

    ``frame_plan`` (videos) reads input frames in that order (output frame ``k`` is input
    frame ``frame_plan[k]``, on a new constant-rate timeline); ``keep_audio=False`` leaves
    the audio out. With no layer and no probe, no face is tracked (a pure transcode or
    reorder) unless ``track=True``. ``extra_record`` is added to the sidecar.

    Examples
    --------
    >>> # run_file(Path("face.png"), Path("out/face.png"), [MyLayer()], [], RunOptions())
    """
    started = time.perf_counter()
    result = FileResult(input_path, output_path)
    if frame_plan is not None:
        from pyfame.io.planned_video_source import PlannedVideoSource

        source = PlannedVideoSource(input_path, frame_plan, max_pixels=options.max_pixels,
                                    allow_truncated=options.allow_truncated)
    else:
        source = open_source(input_path, max_pixels=options.max_pixels, allow_truncated=options.allow_truncated)
    track = bool(layers or probes) if track is None else track
    try:
        info = SourceInfo(
            kind=source.kind,
            width=source.width,
            height=source.height,
            fps=float(source.fps) if source.fps else None,
            frame_count=int(source.frame_count),
            duration=float(source.duration),
        )
        input_sha = file_sha256(input_path)
        result.input_sha256 = input_sha
        cache_dir = options.cache_folder()
        cache = LandmarkCache(cache_dir) if cache_dir is not None and track and frame_plan is None else None
        cache_key = LandmarkCache.key(input_sha, options.tracker.as_dict()) if cache else None
        cached = (cache.load(cache_key, input_sha256=input_sha, frame_count=info.frame_count)
                  if cache and cache_key else None)
        result.cache_hit = cached is not None

        for item in (*layers, *probes):
            item.start(info)
        rngs = layer_rngs(options.resolved_seed(), len(layers))

        sink: VideoSink | None = None
        writer: BackgroundConsumer[Frame] | None = None
        if output_path is not None and source.kind == "video":
            output_path.parent.mkdir(parents=True, exist_ok=True)
            sink = VideoSink(
                output_path,
                source.width,
                source.height,
                source.fps,
                time_base=getattr(source, "time_base", None),
                audio_from=input_path if keep_audio and getattr(source, "has_audio", False) else None,
                crf=options.crf,
                preset=options.preset,
            )
            writer = BackgroundConsumer(sink.write)
        still: np.ndarray | None = None
        last_faces: Faces | None = None
        last_t = 0.0
        rows: dict[str, list[dict[str, Any]]] = {p.name: [] for p in probes}
        bar = _progress(options, source, input_path, progress_position)
        frames = prefetch(iter(source), depth=4) if source.kind == "video" else iter(source)
        stage = FaceStage(frames, source.kind, options.tracker, cached, track)
        try:
            for frame, faces in stage:
                result.frames += 1
                pixels = frame.pixels
                if faces:
                    result.frames_with_face += 1
                    last_faces, last_t = faces, frame.t
                elif track:
                    result.frames_without_face.append(frame.index)
                    log.info("%s: no face in frame %d (t=%.3fs)", input_path, frame.index, frame.t)
                    if options.no_face == "fail":
                        raise FaceNotFoundError(
                            f"{input_path}: no face in frame {frame.index} (t={frame.t:.3f}s) "
                            "and no_face='fail'"
                        )
                    if options.no_face == "hold" and last_faces is not None and frame.t - last_t <= HOLD_SECONDS:
                        faces = last_faces
                        result.frames_held.append(frame.index)
                for layer, rng in zip(layers, rngs):
                    if faces or not layer.needs_face:
                        pixels = layer.apply(pixels, faces, frame.t, rng)
                for probe in probes:
                    for row in probe.observe(pixels, faces, frame.t):
                        rows[probe.name].append({"frame": frame.index, "timestamp_s": frame.t, **row})
                if track and not faces and options.no_face == "drop":
                    pass
                elif writer is not None:
                    writer.put(Frame(frame.index, frame.t, np.ascontiguousarray(pixels)))
                    result.frames_written += 1
                else:
                    still = pixels
                    result.frames_written += 1
                if bar is not None:
                    bar.update(1)
            if track and result.frames_with_face == 0:
                raise FaceNotFoundError(
                    f"{input_path}: no face found in "
                    + ("the image" if source.kind == "image" else f"any of its {result.frames} frames")
                )
            for probe in probes:
                rows[probe.name].extend(probe.finish())
            if writer is not None and sink is not None:
                writer.close()
                writer = None
                sink.close()
            elif output_path is not None and still is not None:
                output_path.parent.mkdir(parents=True, exist_ok=True)
                source_alpha = getattr(source, "alpha", None) if holds_alpha(output_path) else None
                write_image(output_path, still, _combined_alpha(layers, source_alpha))
        except BaseException:
            if writer is not None:
                try:
                    writer.close()
                except BaseException:
                    pass
            if sink is not None:
                sink.abort()
            raise
        finally:
            if bar is not None:
                bar.close()
            stage.close()

        if cache is not None and cache_key is not None and cached is None and stage.tracked:
            try:
                cache.save(cache_key, stage.tracked, input_sha256=input_sha, source_frame_count=info.frame_count)
            except OSError as exc:  # a cache that cannot be written never fails the run
                log.warning("could not write the landmark cache in %s: %s", cache.folder, exc)

        result.truncation = getattr(source, "truncation", None)
        result.tables = {name: pd.DataFrame(r) for name, r in rows.items()}
        result.seconds = time.perf_counter() - started
        if output_path is not None:
            try:
                result.sidecar = write_sidecar(
                    output_path,
                    {**provenance_record(result, output_path, layers, probes, options, operation),
                     **(extra_record or {})},
                )
            except BaseException:
                output_path.unlink(missing_ok=True)
                sidecar_path(output_path).unlink(missing_ok=True)
                raise
        return result
    finally:
        source.close()


def _combined_alpha(layers: list[Layer], source_alpha: np.ndarray | None = None) -> np.ndarray | None:
    """The product of the input's alpha channel (a still's own transparency, kept through
    every layer) and the layers' alpha channels, or None when all are opaque."""
    alphas = [a for a in (source_alpha, *(layer.alpha() for layer in layers)) if a is not None]
    if not alphas:
        return None
    out = alphas[0].astype(np.float32)
    for a in alphas[1:]:
        out *= a.astype(np.float32) / 255.0
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def provenance_record(
    result: FileResult,
    output_path: Path,
    layers: list[Layer],
    probes: list[Probe],
    options: RunOptions,
    operation: str,
) -> dict[str, Any]:
    return {
        "operation": operation,
        "input": {"path": str(result.input), "sha256": result.input_sha256},
        "output": {"path": output_path.name, "sha256": file_sha256(output_path)},
        "seed": options.resolved_seed(),
        "layers": [
            {"name": layer.name, "params": layer.params(), "draws": layer.draws()} for layer in layers
        ],
        "probes": [{"name": p.name, "params": p.params()} for p in probes],
        "tracker": options.tracker.as_dict(),
        "no_face_policy": options.no_face,
        "encoder": {"codec": "libx264", "crf": options.crf, "preset": options.preset}
        if output_path.suffix.lower() == ".mp4"
        else None,
        "frames": {
            "decoded": result.frames,
            "written": result.frames_written,
            "with_face": result.frames_with_face,
            "without_face": len(result.frames_without_face),
            "without_face_ranges": _ranges(result.frames_without_face),
            "held_face_ranges": _ranges(result.frames_held),
        },
        "landmark_cache_hit": result.cache_hit,
        **({"truncated": dict(result.truncation)} if result.truncation else {}),
    }


def _progress(options: RunOptions, source: Any, path: Path, position: int) -> Any:
    if not options.progress:
        return None
    from tqdm.auto import tqdm

    return tqdm(
        total=int(source.frame_count) or None,
        desc=path.name,
        unit="frame",
        position=position,
        leave=False,
        dynamic_ncols=True,
    )
