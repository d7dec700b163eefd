"""One pass over one file: decode, track once, run the layer stack, encode, put it all in place.

The pieces are separate: the source (:mod:`pyfame.io`, a frame plan reorders it: ``_open``),
the faces (:class:`~pyfame.pipeline.face_stage.FaceStage`, the landmark cache), the engine
(:class:`~pyfame.pipeline.layer_stack.LayerStack`) with the no-face policy
(:mod:`~pyfame.pipeline.no_face_policy`: per frame, and
:func:`~pyfame.pipeline.no_face_policy.require_a_face` per file), and the sinks
(:mod:`~pyfame.pipeline.pass_sinks`: a :class:`~pyfame.pipeline.pass_sinks.MediaSink` for
video, image or none, and the tables), whose files are made in an
:class:`~pyfame.io.output_group.OutputGroup` and put in place together with their sidecar.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pyfame.face.faces import Faces
from pyfame.face.landmark_cache import LandmarkCache
from pyfame.face.tracker_settings import TrackerSettings
from pyfame.hashing import file_sha256
from pyfame.io import open_source
from pyfame.io.output_group import OutputGroup
from pyfame.pipeline.face_stage import FaceStage
from pyfame.pipeline.layer import FramePlan, Layer, Probe, SourceInfo
from pyfame.pipeline.layer_stack import LayerStack, check_sources, layer_rngs, with_companions
from pyfame.pipeline.no_face_policy import require_a_face
from pyfame.pipeline.pass_sinks import media_sink, write_tables
from pyfame.pipeline.prefetch import prefetch
from pyfame.pipeline.run_options import RunOptions
from pyfame.provenance import sidecar_path, sidecar_text

log = logging.getLogger(__name__)

__all__ = ["FileResult", "Opened", "Targets", "Work", "layer_rngs", "open_file", "provenance_record", "run_file",
           "track_still"]


@dataclass
class Work:
    """What a pass does to each input: layers, probes and an optional frame plan.

    ``track`` forces tracking on or off (default: on when there is a layer or a probe);
    ``keep_audio`` overrides the frame plan's choice; ``extra_record`` goes into the sidecar.
    """

    layers: list[Layer] = field(default_factory=list)
    probes: list[Probe] = field(default_factory=list)
    frame_plan: FramePlan | None = None
    operation: str = "apply_layers"
    track: bool | None = None
    keep_audio: bool | None = None
    extra_record: dict[str, Any] = field(default_factory=dict)

    def all_probes(self) -> list[Probe]:
        """The probes, then the layers' companion probes."""
        return with_companions(self.layers, self.probes)

    def tracks(self) -> bool:
        """Whether faces are tracked."""
        return bool(self.layers or self.probes) if self.track is None else self.track

    def audio(self) -> bool:
        """Whether the input's audio is carried over."""
        if self.keep_audio is not None:
            return self.keep_audio
        return self.frame_plan is None or self.frame_plan.keeps_audio

    def specs(self) -> dict[str, Any]:
        """The declared parameters of everything in the pass, as data."""
        return {"layers": [layer.to_dict() for layer in self.layers],
                "probes": [probe.to_dict() for probe in self.probes if probe.name],
                "frame_plan": self.frame_plan.to_dict() if self.frame_plan is not None else None}


@dataclass
class Targets:
    """Where one input's outputs go: its media (or None) and its tables by name."""

    media: Path | None = None
    tables: dict[str, Path] = field(default_factory=dict)

    def all(self) -> list[Path]:
        """Every file made, sidecars included."""
        files = [p for p in [self.media, *self.tables.values()] if p is not None]
        sides = [sidecar_path(self.media)] if self.media is not None else [sidecar_path(p) for p in self.tables.values()]
        return files + sides


@dataclass
class FileResult:
    """What one file's pass did.

    Attributes
    ----------
    input, output : Path
        The file read and the media written (the first table when only tables were made;
        None when nothing was written).
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
    skipped : bool
        The outputs existed already, made by the same request: nothing was done.
    inputs : list[Path]
        An operation's output: every input it was made from (``input`` is the first).
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
    skipped: bool = False
    truncation: dict[str, int | None] | None = None
    inputs: list[Path] = field(default_factory=list)


def _ranges(indices: list[int]) -> list[list[int]]:
    """[1,2,3,7] → [[1,3],[7,7]] (inclusive ranges, compact in sidecars)."""
    out: list[list[int]] = []
    for i in indices:
        if out and out[-1][1] == i - 1:
            out[-1][1] = i
        else:
            out.append([i, i])
    return out


def _open(input_path: Path, work: Work, options: RunOptions) -> tuple[Any, dict[str, Any] | None]:
    """The source (reordered by the frame plan) and the plan's record."""
    limits = {"max_pixels": options.max_pixels, "allow_truncated": options.allow_truncated}
    if work.frame_plan is None:
        return open_source(input_path, **limits), None
    from pyfame.io import VideoSource
    from pyfame.io.planned_video_source import PlannedVideoSource, frame_timestamps

    with VideoSource(input_path, **limits) as probe:
        fps = float(probe.fps)
    n_frames = len(frame_timestamps(input_path))
    plan = work.frame_plan.plan(n_frames, fps, np.random.default_rng(options.resolved_seed()))
    return PlannedVideoSource(input_path, plan, **limits), {**work.frame_plan.record(), "output_to_input_frame": plan}


@dataclass
class Opened:
    """A file opened for its pass, before any frame is processed.

    The source (a still is decoded when opened), its record and hash, the tracker settings,
    the landmark cache and its entry (:meth:`look_up`) and, for a still tracked ahead of its
    layers, the faces (:func:`track_still`). :func:`run_file` opens the file itself unless it
    is given one.

    Examples
    --------
    >>> # opened = track_still(open_file(Path("face.png"), Work([ColorShift()]), RunOptions()), work)
    >>> # run_file(Path("face.png"), Targets(Path("out/face.png")), work, options, opened=opened)
    """

    source: Any
    info: SourceInfo
    plan_record: dict[str, Any] | None
    input_sha256: str
    tracker: TrackerSettings
    cache: LandmarkCache | None
    cache_key: str | None
    cached: list[Faces] | None = None
    looked_up: bool = False
    stage: FaceStage | None = None
    saved: bool = False

    def look_up(self) -> list[Faces] | None:
        """The landmark cache's faces for this file, or None (looked up once)."""
        if not self.looked_up:
            self.cached = (self.cache.load(self.cache_key, input_sha256=self.input_sha256,
                                           frame_count=self.info.frame_count)
                           if self.cache is not None and self.cache_key else None)
            self.looked_up = True
        return self.cached

    def save(self, tracked: list[Faces]) -> None:
        """Put newly tracked faces in the landmark cache (once; a cache that cannot be written
        is logged, never an error)."""
        if self.saved or self.cache is None or self.cache_key is None or self.cached is not None or not tracked:
            return
        self.saved = True
        try:
            self.cache.save(self.cache_key, tracked, input_sha256=self.input_sha256,
                            source_frame_count=self.info.frame_count)
        except OSError as exc:
            log.warning("could not write the landmark cache in %s: %s", self.cache.folder, exc)

    def close(self) -> None:
        """Release the source (a still holds only its pixels)."""
        self.source.close()


def open_file(input_path: Path, work: Work, options: RunOptions, input_sha256: str | None = None,
              look_up: bool = True) -> Opened:
    """Open ``input_path`` for a pass of ``work``: the source, its hash (``input_sha256`` when
    known), the tracker settings the probes need and (unless ``look_up`` is False: later, by
    :meth:`Opened.look_up`) the landmark cache's entry.

    Examples
    --------
    >>> # opened = open_file(Path("face.png"), Work([ColorShift()]), RunOptions())
    """
    source, plan_record = _open(input_path, work, options)
    try:
        info = SourceInfo(kind=source.kind, width=source.width, height=source.height,
                          fps=float(source.fps) if source.fps else None, frame_count=int(source.frame_count),
                          duration=float(source.duration))
        check_sources(work.layers, source.kind, input_path)
        input_sha256 = input_sha256 or file_sha256(input_path)
        track = work.tracks()
        cache_dir = options.cache_folder()
        cache = LandmarkCache(cache_dir) if cache_dir is not None and track and work.frame_plan is None else None
        tracker = options.tracker
        for probe in work.all_probes():
            needs = probe.tracker_needs()
            if needs:
                from dataclasses import replace

                tracker = replace(tracker, **needs)
        cache_key = LandmarkCache.key(input_sha256, tracker.as_dict()) if cache else None
        opened = Opened(source, info, plan_record, input_sha256, tracker, cache, cache_key)
        if look_up:
            opened.look_up()
        return opened
    except BaseException:
        source.close()
        raise


def track_still(opened: Opened, work: Work) -> Opened:
    """Find the faces of an opened still now, in this thread (the stage that tracks a still
    while the layers of the file before it run): from the landmark cache, else tracked and
    put in the cache when a face was found. A video is left to :func:`run_file`.

    Examples
    --------
    >>> # track_still(open_file(Path("face.png"), work, options, look_up=False), work).stage
    """
    if opened.source.kind == "image" and opened.stage is None:
        opened.stage = FaceStage(iter(opened.source), "image", opened.tracker, opened.look_up(),
                                 work.tracks()).run_now()
        if any(opened.stage.tracked):  # a still without a face fails its pass: nothing to keep
            opened.save(opened.stage.tracked)
    return opened


def run_file(input_path: Path, targets: Targets, work: Work, options: RunOptions,
             progress_position: int = 0, extra_record: dict[str, Any] | None = None,
             opened: Opened | None = None) -> FileResult:
    """Run a pass over one image or video and write its outputs.

    Nothing is in place unless the whole file succeeds: media, tables and sidecars are made
    as temporary files and put in place together at the end. ``extra_record`` is added to
    the sidecar (a batch adds the request it answers; see
    :mod:`~pyfame.pipeline.output_policy`). ``opened`` is the file opened (and, for a
    still, tracked) ahead by :func:`open_file` and :func:`track_still`; the same outputs.

    Examples
    --------
    >>> # run_file(Path("face.png"), Targets(Path("out/face.png")), Work([ColorShift()]), RunOptions())
    """
    started = time.perf_counter()
    result = FileResult(input_path, targets.media)
    if opened is None:
        given = (extra_record or {}).get("request", {}).get("input_sha256")
        opened = open_file(input_path, work, options, given)
    source, plan_record, info = opened.source, opened.plan_record, opened.info
    track = work.tracks()
    try:
        result.input_sha256 = opened.input_sha256
        cached, tracker = opened.look_up(), opened.tracker
        result.cache_hit = cached is not None

        stack = LayerStack(work.layers, work.probes, options.resolved_seed(), options.no_face)
        stack.start(info)
        with OutputGroup() as group:
            sink = media_sink(targets.media, group, source, input_path, work.audio(), options, stack)
            bar = _progress(options, source, input_path, progress_position)
            stage = opened.stage
            if stage is None:
                frames = prefetch(iter(source), depth=4) if source.kind == "video" else iter(source)
                stage = FaceStage(frames, source.kind, tracker, cached, track)
            try:
                for frame, faces in stage:
                    result.frames += 1
                    out = stack.process(frame.pixels, faces, frame.index, frame.t, tracked=track, source=input_path)
                    if out is not None:
                        sink.put(frame.index, frame.t, out)
                        result.frames_written += 1
                    if bar is not None:
                        bar.update(1)
                if track:
                    require_a_face(stack.policy, source.kind, input_path, result.frames)
                sink.finish()
            except BaseException:
                sink.abort()
                raise
            finally:
                if bar is not None:
                    bar.close()
                stage.close()

            result.truncation = getattr(source, "truncation", None)
            result.frames_with_face = stack.policy.with_face
            result.frames_without_face = stack.policy.without_face
            result.frames_held = stack.policy.held
            opened.save(stage.tracked)

            result.tables = stack.finish()
            written = write_tables(result.tables, targets.tables, group)  # target -> its temporary file
            result.seconds = time.perf_counter() - started
            record = {**provenance_record(result, work, options, plan_record), **work.extra_record,
                      **(extra_record or {})}
            result.sidecar = _write_sidecars(record, targets.media, written, group, input_path)
            group.commit()
            result.tables_written = list(targets.tables.values())
            if result.output is None and result.tables_written:
                result.output = result.tables_written[0]  # a measurement's output is its table
        return result
    finally:
        source.close()


def _write_sidecars(record: dict[str, Any], media: Path | None, written: dict[Path, Path], group: OutputGroup,
                    input_path: Path) -> Path | None:
    """The sidecar of the media output (with its tables' sha256), or one per table when the
    pass made no media; returns the media's sidecar (None without media)."""
    if media is not None:
        record["output"] = {"path": media.name, "sha256": file_sha256(group.temp_of(media))}
        record["tables"] = {t.name: file_sha256(tmp) for t, tmp in written.items()}
        group.temp_for(sidecar_path(media)).write_text(sidecar_text(record))
        return sidecar_path(media)
    for target, tmp in written.items():
        record["output"] = {"path": target.name, "sha256": file_sha256(tmp)}
        record["input"] = {**record["input"], "relative_path": _relative(input_path, target)}
        group.temp_for(sidecar_path(target)).write_text(sidecar_text(record))
    return None


def provenance_record(result: FileResult, work: Work, options: RunOptions,
                      plan_record: dict[str, Any] | None = None) -> dict[str, Any]:
    """What made an output: the operation, input, seed, layers, probes, plan, tracker,
    policy, encoder and frame counts (the sidecar adds the environment and the output)."""
    media = result.output
    return {
        "operation": work.operation,
        "input": {"path": str(Path(result.input).resolve()), "sha256": result.input_sha256,
                  "relative_path": _relative(result.input, media)},
        "seed": options.resolved_seed(),
        "layers": [{"name": layer.name, "params": layer.params(), "draws": layer.draws()} for layer in work.layers],
        "probes": [{"name": p.table_name, "params": p.params()} for p in work.all_probes()],
        "frame_plan": None if plan_record is None else {"name": work.frame_plan.name,  # type: ignore[union-attr]
                                                        "params": work.frame_plan.params(),  # type: ignore[union-attr]
                                                        **plan_record},
        "tracker": options.tracker.as_dict(),
        "no_face_policy": options.no_face,
        "encoder": options.encoder_record() if media is not None and media.suffix.lower() == ".mp4" else None,
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


def _relative(path: Path, output: Path | None) -> str | None:
    """``path`` relative to the output's folder (so a moved folder of inputs and outputs
    still verifies), or None without a media output."""
    import os

    if output is None:
        return None
    try:
        return os.path.relpath(Path(path).resolve(), Path(output).resolve().parent)
    except ValueError:  # another drive
        return None


def _progress(options: RunOptions, source: Any, path: Path, position: int) -> Any:
    if not options.progress:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=int(source.frame_count) or None, desc=path.name, unit="frame", position=position,
                leave=False, dynamic_ncols=True)
