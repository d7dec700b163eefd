"""Operations: manipulations and measurements over a *set* of inputs, declared like layers.

A layer changes one frame at a time; some classical paradigms need several inputs at once
(an average face, a morph between two faces, statistics matched across a set, a
classification image from a folder of stimuli and a table of responses). An
:class:`Operation` declares its parameters with :class:`~pyfame.pipeline.params.Param`, names
its inputs (``inputs = ("face_a", "face_b")``), and implements :meth:`Operation.make`, which
reads the inputs and returns what to write. Registration, the command (``pyfame
morph-faces A B OUT``), the seed-style function, experiment files (``operations:``),
sidecars, skipping and refusing existing outputs, and ``pyfame verify`` come from the
declaration, as for layers.

Examples
--------
>>> import numpy as np
>>> from pyfame.pipeline.params import Param, Number
>>> class MeanImage(Operation, register=False):  # a real operation leaves out register=False
...     '''The mean of a set of same-sized images.'''
...     name = "example_mean_image"
...     gain: float = Param(Number(0.0, 2.0), default=1.0, help="Multiply the mean by this.")
...     def make(self, sources, context):
...         stack = np.stack([context.read_image(p).astype(np.float32) for p in sources["input_dir"]])
...         return {"mean.png": np.clip(stack.mean(axis=0) * self.gain, 0, 255).astype(np.uint8)}
>>> MeanImage(gain=0.5)
MeanImage(gain=0.5)
"""

from __future__ import annotations

import contextlib
import copy
import logging
import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import numpy as np
import pandas as pd

from pyfame.errors import PyfamePathError, PyfameTypeError, PyfameValueError
from pyfame.pipeline.layer import Configurable

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class OperationContext:
    """What an operation may use besides its parameters: the run settings, a seeded
    generator, readers that apply the run's limits (pixel limit, truncation policy), the
    run's executor (:meth:`map`) and the record of which inputs each output was made from
    (:meth:`made_from`) and how many frames each input had (:meth:`count`).

    Examples
    --------
    >>> from pyfame.pipeline.run_options import RunSettings
    >>> context = OperationContext(RunSettings(seed=1), seed=1)
    >>> context.map(_double, [1, 2, 3])
    [2, 4, 6]
    """

    settings: Any
    seed: int
    tracker_cache: dict[str, Any] = field(default_factory=dict)
    #: Where :meth:`map` runs its jobs: an :class:`~pyfame.pipeline.executors.Executor`, or
    #: None for one after another in this process.
    executor: Any = None
    #: Frames read and frames with a face, by input path (see :meth:`count`).
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: The inputs each output was made from, by output name (see :meth:`made_from`).
    sources_of: dict[str, list[Path]] = field(default_factory=dict)
    #: The stills read with an alpha channel (see :attr:`Operation.alpha_policy`).
    with_alpha: list[Path] = field(default_factory=list)

    @property
    def rng(self) -> np.random.Generator:
        """A generator from the run's seed (the same seed gives the same draws)."""
        return np.random.default_rng(self.seed)

    def map(self, func: Callable[[Any, OperationContext], T], items: Sequence[Any]) -> list[T]:
        """``[func(item, context) for item in items]``: independent jobs (one per input, pair
        or output) on the run's executor, results in item order.

        On another process or cluster worker each job gets a context of its own (the same
        settings and seed, its own tracker), whose records (frame counts, stills read with an
        alpha channel, :meth:`made_from`) come back to this one in item order, so the
        results, the sidecars and the bytes written from them are the same whatever the
        executor.
        ``func`` must be picklable there: a module-level function or a
        ``functools.partial`` of one (with the operation, say).
        """
        from pyfame.pipeline.executors import SerialExecutor

        items = list(items)
        if self.executor is None or isinstance(self.executor, SerialExecutor) or len(items) < 2:
            return [func(item, self) for item in items]
        outs = self.executor.map(_ContextJob(func, _portable(self.settings), self.seed), items)
        results = []
        for result, (counts, with_alpha, sources_of) in outs:
            self.counts.update(counts)
            self.with_alpha.extend(with_alpha)
            self.sources_of.update(sources_of)
            results.append(result)
        return results

    def count(self, path: Path, frames: int, with_face: int) -> None:
        """Record that ``path`` had ``frames`` frames, ``with_face`` of them with a face found."""
        self.counts[str(Path(path).resolve())] = (int(frames), int(with_face))

    def frames_of(self, path: Path) -> tuple[int, int]:
        """(frames, frames with a face) recorded for ``path``; (0, 0) when it was not read
        as media (a table, a stimulus file)."""
        return self.counts.get(str(Path(path).resolve()), (0, 0))

    def made_from(self, output: str, paths: Sequence[Path]) -> None:
        """Record that ``output`` (a name :meth:`Operation.make` returns) was made from
        ``paths`` only; an output not recorded was made from every input of the set."""
        self.sources_of[output] = list(paths)

    def read_image(self, path: Path) -> np.ndarray:
        """A still as RGB uint8 (refused from its header above the run's ``max_pixels``);
        its alpha channel, if any, is left out (see :meth:`read_image_with_alpha`)."""
        return self.read_image_with_alpha(path)[0]

    def read_image_with_alpha(self, path: Path) -> tuple[np.ndarray, np.ndarray | None]:
        """A still as RGB uint8 and its alpha channel (uint8 ``(H, W)``) or None."""
        from pyfame.io import read_image_with_alpha
        from pyfame.io.image_source import MAX_PIXELS

        pixels, alpha = read_image_with_alpha(path, getattr(self.settings, "max_pixels", MAX_PIXELS))
        if alpha is not None:
            self.with_alpha.append(Path(path))
        return pixels, alpha

    def read_frames(self, path: Path) -> tuple[list[np.ndarray], float | None]:
        """Every frame of an image or video (RGB uint8) and the frame rate (None for a still),
        with the run's ``max_pixels`` and ``allow_truncated``."""
        frames, fps, _ = self.read_media(path)
        return frames, fps

    def read_media(self, path: Path) -> tuple[list[np.ndarray], float | None, np.ndarray | None]:
        """:meth:`read_frames` and a still's alpha channel (None for videos and opaque stills)."""
        from pyfame.io import open_source
        from pyfame.io.image_source import MAX_PIXELS

        with open_source(path, getattr(self.settings, "max_pixels", MAX_PIXELS),
                         getattr(self.settings, "allow_truncated", False)) as source:
            frames = [f.pixels for f in source]
            alpha = getattr(source, "alpha", None)
            if alpha is not None:
                self.with_alpha.append(Path(path))
            return frames, (float(source.fps) if source.fps else None), alpha

    def faces(self, pixels: np.ndarray, path: Path | None = None) -> Any:
        """The faces of a still (IMAGE-mode tracking with the run's settings); a typed error
        naming ``path`` when there is none. The still is counted for ``path``."""
        from pyfame.errors import FaceNotFoundError
        from pyfame.face.tracker import FaceTracker

        tracker = self.tracker_cache.get("image")
        if tracker is None:
            tracker = self.tracker_cache["image"] = FaceTracker(self.settings.options().tracker, mode="image")
        found = tracker.track(pixels)
        if path is not None:
            self.count(path, 1, 1 if found else 0)
        if not found:
            raise FaceNotFoundError(f"{path or 'image'}: no face found")
        return found

    def close(self) -> None:
        """Release the trackers."""
        for tracker in self.tracker_cache.values():
            tracker.close()
        self.tracker_cache.clear()


def _double(item: int, context: OperationContext) -> int:
    return 2 * item


@dataclass
class _ContextJob:
    """One job of :meth:`OperationContext.map` on another process: ``func`` with a context of
    its own, returning the result and what the context recorded (frame counts, stills read
    with an alpha channel, outputs' own inputs)."""

    func: Callable[[Any, OperationContext], Any]
    settings: Any
    seed: int

    def __call__(self, item: Any) -> tuple[Any, tuple[dict[str, tuple[int, int]], list[Path], dict[str, list[Path]]]]:
        context = OperationContext(self.settings, self.seed)
        try:
            return self.func(item, context), (context.counts, context.with_alpha, context.sources_of)
        finally:
            context.close()


def _portable(settings: Any) -> Any:
    """The settings as a job on another process takes them: without the executor (a Dask
    ``Client`` does not travel, and a job runs no batch of its own)."""
    if getattr(settings, "executor", None) is None and getattr(settings, "workers", None) is None:
        return settings
    portable = copy.copy(settings)
    portable.executor = None
    portable.workers = None
    return portable


#: What :meth:`Operation.make` returns: output names (relative to the operation's folder) to
#: an RGB uint8 image (RGBA ``(H, W, 4)`` to keep an alpha channel), a list of frames with
#: their rate (``(frames, fps)``), a DataFrame, raw bytes, or a dict of arrays (written as ``.npz``).
Made = Mapping[str, Any]


class Operation(Configurable, ABC):
    """A manipulation or measurement over a set of inputs; see the module docstring.

    Class attributes: ``inputs`` (the names of its inputs, in order; each is a file, a folder,
    or a list of files), ``subfolder`` (where its outputs go), ``input_kinds`` (what each input
    may be: ``"media"`` by default, ``"table"`` for response tables and the like).
    """

    family: ClassVar[str] = "operation"
    subfolder: ClassVar[str] = "Output"
    #: What the operation does (see :attr:`Configurable.does`): its command and seed-style
    #: function show only the run settings that apply. Declare it; this default is the widest.
    does: ClassVar[frozenset[str]] = frozenset({"walks_folders", "tracks", "reads_video", "writes_video",
                                                "writes_tables"})
    inputs: ClassVar[tuple[str, ...]] = ("input_dir",)
    input_kinds: ClassVar[dict[str, str]] = {}
    #: What happens to an input still's alpha channel (transparency), in words; recorded in
    #: the sidecars (``made.alpha``) of every output of a run that read a still with one, and
    #: shown in the docs. ``make`` returns an RGBA array (``(H, W, 4)``) for an image that
    #: keeps one.
    alpha_policy: ClassVar[str] = "not used: the outputs are opaque"

    @abstractmethod
    def make(self, sources: dict[str, list[Path]], context: OperationContext) -> Made:
        """Read the sources and return the outputs to write, by name."""

    def check_sources(self, sources: dict[str, list[Path]]) -> None:
        """Checks across inputs before any work (a set of one, a missing trial, ...)."""

    def output_names(self, sources: dict[str, list[Path]]) -> list[str] | None:
        """The outputs :meth:`make` will return, when known before any work (so existing
        ones are refused first); None when they depend on the work."""
        return None

    def expand_input(self, name: str, value: Any, with_sub_dirs: bool = False) -> list[Path]:
        """The files of input ``name`` given as a file, a folder or a list of files: media
        files, or one file for an input of kind ``"table"`` (see ``input_kinds``). Override
        for an input of another kind (a folder holding one stimulus set, say)."""
        return expand_source(value, name, self.input_kinds.get(name, "media"), with_sub_dirs)

    def record(self) -> dict[str, Any]:
        """What the last :meth:`make` decided that its parameters do not say (inputs left out,
        ...), for the sidecar of every output (under ``"made"``); empty by default."""
        return {}

    def param_inputs(self) -> dict[str, list[Path]]:
        """Files named by parameters (a reference image, a target's numbers), by parameter
        name. They are checked before any work, passed to :meth:`make` in ``sources`` under
        that name, and recorded and hashed like the inputs, so a changed file is a different
        request and ``pyfame verify`` finds it again."""
        return {}


def expand_source(value: Any, name: str, kind: str = "media", with_sub_dirs: bool = False) -> list[Path]:
    """An input given as a file, a folder or a list of files, as a sorted list of files."""
    from pyfame.pipeline.inputs import find_inputs

    if isinstance(value, (str, os.PathLike)):
        path = Path(value)
        if not path.exists():
            raise PyfamePathError(f"{name}: {path} does not exist", param=name)
        if kind != "media":
            if path.is_dir():
                raise PyfamePathError(f"{name}: {path} is a folder, a file is needed", param=name)
            return [path]
        _, files = find_inputs(path, with_sub_dirs, param=name)
        return files
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)) and value:
        out = []
        for item in value:
            out += expand_source(item, name, kind, with_sub_dirs)
        return out
    raise PyfameTypeError(f"{name} must be a file, a folder or a list of files, got {value!r}", param=name)


def _skipped_result(output: Path, record: dict[str, Any]) -> Any:
    """The result of an output already made by the same request, from its sidecar."""
    from pyfame.pipeline.file_pass import FileResult

    own = record.get("made_from") or record.get("inputs") or []
    frames = record.get("frames") or {}
    return FileResult(Path(own[0]["path"]) if own else output, output, frames=int(frames.get("decoded", 0)),
                      frames_with_face=int(frames.get("with_face", 0)), inputs=[Path(i["path"]) for i in own],
                      skipped=True)


def _own_inputs(paths: Sequence[Path], inputs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The input records (name, path, sha256) of ``paths``, in the set's order (a file given
    under two inputs is named once)."""
    wanted = {str(Path(p).resolve()) for p in paths}
    seen: set[str] = set()
    out = []
    for item in inputs:
        if item["path"] in wanted and item["path"] not in seen:
            seen.add(item["path"])
            out.append(item)
    return out


def table_output(rel: str, table_format: str) -> str:
    """An output name as written in the run's table format: a table's ``.csv`` (the name
    an operation declares) becomes ``.parquet`` with ``table_format="parquet"``.

    Examples
    --------
    >>> table_output("average_template.csv", "parquet"), table_output("average.png", "parquet")
    ('average_template.parquet', 'average.png')
    """
    stem, dot, suffix = rel.rpartition(".")
    if dot and "." + suffix.lower() in (".csv", ".parquet") and "/" not in suffix:
        return f"{stem}.{table_format}"
    return rel


def write_made(made: Made, folder: Path, group: Any, crf: int, preset: str,
               alpha_dropped: set[Path] | None = None) -> dict[Path, Path]:
    """Write an operation's outputs as temporary files of ``group``; returns target → temp.
    An RGBA image whose format holds no alpha channel (BMP) is written as RGB, its target
    added to ``alpha_dropped``."""
    from pyfame.io.frame import Frame
    from pyfame.io.image_sink import holds_alpha, write_image
    from pyfame.io.table_sink import write_table
    from pyfame.io.video_sink import VideoSink

    written: dict[Path, Path] = {}
    for rel, value in made.items():
        target = folder / rel
        tmp = group.temp_for(target)
        if isinstance(value, pd.DataFrame):
            write_table(value, tmp, table_format=target.suffix, atomic=False)
        elif isinstance(value, np.ndarray) and value.ndim == 3 and value.shape[2] == 4:
            alpha = value[..., 3] if holds_alpha(target) else None
            if alpha is None and alpha_dropped is not None:
                alpha_dropped.add(target)
            write_image(tmp, np.ascontiguousarray(value[..., :3]), alpha, image_format=target.suffix, atomic=False)
        elif isinstance(value, np.ndarray):
            write_image(tmp, value, image_format=target.suffix, atomic=False)
        elif isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], list):
            frames, fps = value
            h, w = frames[0].shape[:2]
            with VideoSink(tmp, w, h, fps, crf=crf, preset=preset, atomic=False) as sink:
                for i, pixels in enumerate(frames):
                    sink.write(Frame(i, i / float(fps), np.ascontiguousarray(pixels)))
        elif isinstance(value, (bytes, bytearray)):
            tmp.write_bytes(bytes(value))
        elif isinstance(value, Mapping):
            with open(tmp, "wb") as handle:
                np.savez_compressed(handle, **{k: np.asarray(v) for k, v in value.items()})
        else:
            raise PyfameTypeError(f"operation output {rel!r}: cannot write a {type(value).__name__}")
        written[target] = tmp
    return written


@dataclass
class OperationPlan:
    """An operation's run, checked before any work: its input files, the folder it writes
    to, its request (what its outputs depend on) and, when known, its output names."""

    operation: Operation
    files: dict[str, list[Path]]
    inputs: list[dict[str, Any]]
    folder: Path
    output_dir: Path
    request: dict[str, Any]
    planned: list[str] | None
    settings: Any

    def made_here(self, path: Path) -> bool:
        """Whether ``path`` was made by this very request (its checked sidecar says so)."""
        from pyfame.pipeline.output_policy import same_request, sidecar_record

        record = sidecar_record(path)
        return record is not None and same_request(self.request, record.get("request"))

    def output_folder(self) -> Any:
        """The :class:`~pyfame.pipeline.output_policy.OutputFolder` every output is claimed in."""
        from pyfame.pipeline.output_policy import OutputFolder

        return OutputFolder(self.folder, [Path(i["path"]) for i in self.inputs], overwrite=self.settings.overwrite)

    def changed_outputs(self) -> list[Path]:
        """The planned outputs that exist and were not made by this request (empty when the
        names are known only after the work)."""
        if self.planned is None:
            return []
        return [self.folder / rel for rel in self.planned
                if (self.folder / rel).exists() and not self.made_here(self.folder / rel)]


def plan_operation(operation: Operation, sources: Mapping[str, Any], output_dir: str | os.PathLike[str],
                   settings: Any, *, subfolder: str | None = None) -> OperationPlan:
    """Check an operation's inputs and output folder and work out its request, before any work."""
    from importlib.metadata import version

    from pyfame.hashing import file_sha256, to_jsonable
    from pyfame.models import MODEL_SHA256
    from pyfame.pipeline.output_policy import inside
    from pyfame.validation import check_output_dir

    out_dir = check_output_dir(output_dir, "output_dir")
    missing = [n for n in operation.inputs if n not in sources]
    if missing:
        raise PyfameTypeError(f"{operation.name} needs {', '.join(missing)}", param=missing[0])
    files = {name: operation.expand_input(name, sources[name], settings.with_sub_dirs) for name in operation.inputs}
    for name, paths in operation.param_inputs().items():  # verify passes the copies it found
        files[name] = expand_source(sources.get(name, paths), name, "file")
    operation.check_sources(files)
    folder = out_dir / (subfolder or operation.subfolder)
    if not inside(folder, out_dir):
        raise PyfameValueError(f"subfolder: {folder} is outside {out_dir}", param="subfolder")
    inputs = [{"name": name, "path": str(p.resolve()), "sha256": file_sha256(p)}
              for name, paths in files.items() for p in paths]
    options = settings.options()
    request = to_jsonable({"operation": operation.to_dict(), "inputs": [[i["name"], i["sha256"]] for i in inputs],
                           "seed": settings.seed, "tracker": options.tracker.as_dict(),
                           "encoder": {"crf": options.crf, "preset": options.preset}, "pyfame": version("pyfame"),
                           "model": MODEL_SHA256, "table_format": getattr(settings, "table_format", "csv")})
    planned = operation.output_names(files)
    if planned is not None:
        planned = [table_output(rel, getattr(settings, "table_format", "csv")) for rel in planned]
    return OperationPlan(operation, files, inputs, folder, out_dir, request, planned, settings)


def run_operation(operation: Operation, sources: Mapping[str, Any], output_dir: str | os.PathLike[str],
                  settings: Any, *, subfolder: str | None = None, executor: Any = None) -> list[Any]:
    """Run ``operation`` on ``sources`` into ``output_dir/<subfolder>/``: check everything,
    skip or refuse existing outputs, write outputs and one sidecar each, all in place together.

    Every output path goes through :class:`~pyfame.pipeline.output_policy.OutputFolder`
    (inside the operation's folder, never an input; a file in the way refused unless it was
    made by the same request or ``overwrite``), the planned names before any work, the
    names :meth:`Operation.make` returned before anything is written. Tables are written in
    the run's ``table_format``.

    The operation's independent jobs (:meth:`OperationContext.map`: per input, pair or
    output) run on ``executor`` (an :class:`~pyfame.pipeline.executors.Executor`), else on
    the one ``settings.executor`` and ``settings.workers`` choose; the outputs are the same
    bytes whichever runs them. Each output's sidecar names the inputs it was made from
    (``made_from``, with their frame counts; ``input`` is the first of them) besides the
    whole set the operation read (``inputs``).

    Returns one :class:`~pyfame.pipeline.file_pass.FileResult` per output written (its
    ``input``, ``inputs``, ``frames`` and ``frames_with_face`` those of its own inputs).
    """
    from pyfame.hashing import file_sha256
    from pyfame.io.output_group import OutputGroup
    from pyfame.pipeline.executors import holding, make_executor
    from pyfame.pipeline.file_pass import FileResult
    from pyfame.pipeline.output_policy import sidecar_record
    from pyfame.provenance import sidecar_path, sidecar_text

    plan = plan_operation(operation, sources, output_dir, settings, subfolder=subfolder)
    files, inputs, folder, request, planned = plan.files, plan.inputs, plan.folder, plan.request, plan.planned
    claims = plan.output_folder()
    for rel in planned or []:
        claims.claim(folder / rel, ours=plan.made_here)
    existing = sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.endswith(".pyfame.json")) \
        if folder.is_dir() else []
    options = settings.options()
    seed = options.resolved_seed()
    own_executor = executor is None
    if own_executor:
        executor = make_executor(getattr(settings, "executor", None), getattr(settings, "workers", None), n_items=2)
    context = OperationContext(settings, seed, executor=executor)
    table_format = getattr(settings, "table_format", "csv")
    try:
        complete = planned is None or all((folder / rel).is_file() for rel in planned)
        if existing and complete:
            records = [sidecar_record(p) for p in existing]
            mine = [r for r in records if r and r.get("operation") == operation.name]
            if mine and all(r and plan.made_here(p) for p, r in zip(existing, records)) \
                    and all(file_sha256(p) == (r.get("output") or {}).get("sha256")  # type: ignore[union-attr]
                            for p, r in zip(existing, records)):
                log.info("%s: already made by the same request; skipped", folder)
                return [_skipped_result(p, r) for p, r in zip(existing, records)]
        with holding(executor) if own_executor else contextlib.nullcontext():  # one cluster for every map
            made = _TablesAs(operation.make(files, context), table_format)
        decided = operation.record()
    finally:
        context.close()
    targets = [folder / rel for rel in made]
    for target in targets:
        claims.claim(target, ours=plan.made_here)
    results = []
    with OutputGroup() as group:
        dropped: set[Path] = set()
        written = write_made(made, folder, group, options.crf, options.preset, dropped)  # type: ignore[arg-type]
        from pyfame.provenance import environment  # noqa: F401 - sidecar_text adds it

        all_files = [p for paths in files.values() for p in paths]
        for rel, (target, tmp) in zip(made, written.items()):  # names only: a lazy output is made once
            own = _own_inputs(context.sources_of.get(made.declared(rel), all_files), inputs)
            frames = [context.frames_of(Path(i["path"])) for i in own]
            made_from = [{**i, "relative_path": os.path.relpath(i["path"], target.resolve().parent),
                          "frames": n, "frames_with_face": f} for i, (n, f) in zip(own, frames)]
            record = {"operation": operation.name, "params": operation.params(),
                      "inputs": [{**i, "relative_path": os.path.relpath(i["path"], target.resolve().parent)}
                                 for i in inputs],
                      "made_from": made_from,
                      "input": {"path": own[0]["path"], "sha256": own[0]["sha256"]} if own else {},
                      "output": {"path": target.name, "folder_path": str(target.relative_to(folder)),
                                 "sha256": file_sha256(tmp)}, "seed": seed,
                      "frames": {"decoded": sum(n for n, _ in frames), "with_face": sum(f for _, f in frames)},
                      "tracker": options.tracker.as_dict(), "no_face_policy": options.no_face,
                      "encoder": options.encoder_record() if target.suffix == ".mp4" else None, "layers": [],
                      "request": request}
            alpha = _alpha_note(operation, context, target, target in dropped)
            if decided or alpha:
                record["made"] = {**decided, **({"alpha": alpha} if alpha else {})}
            group.temp_for(sidecar_path(target)).write_text(sidecar_text(record))
            results.append(FileResult(Path(own[0]["path"]) if own else target, target,
                                      frames=sum(n for n, _ in frames), frames_with_face=sum(f for _, f in frames),
                                      inputs=[Path(i["path"]) for i in own]))
        group.commit()
    return results


class _TablesAs(Mapping):
    """An operation's outputs with each table's name in the run's table format
    (:func:`table_output`), as a view: a lazy output (the stimuli of a large
    reverse-correlation set) is still made only when it is written. Only names a table
    format could rename (``.csv``, ``.parquet``) have their value looked at."""

    def __init__(self, made: Made, table_format: str) -> None:
        self._made = made
        self._declared: dict[str, str] = {}
        for rel in made:
            new = table_output(rel, table_format)
            if new != rel and not isinstance(made[rel], pd.DataFrame):
                new = rel  # not a table (bytes named .csv, say): written as made
            self._declared[new] = rel

    def declared(self, rel: str) -> str:
        """The name :meth:`Operation.make` gave the output written as ``rel``."""
        return self._declared[rel]

    def __getitem__(self, rel: str) -> Any:
        return self._made[self._declared[rel]]

    def __iter__(self) -> Any:
        return iter(self._declared)

    def __len__(self) -> int:
        return len(self._declared)


def _alpha_note(operation: Operation, context: OperationContext, target: Path, dropped: bool) -> str | None:
    """What became of the inputs' alpha channels, for an output's sidecar (None when no input
    still had one)."""
    if not context.with_alpha:
        return None
    note = operation.alpha_policy
    if dropped:
        note += f"; dropped here: {target.suffix} holds no alpha channel"
    return note


__all__ = ["Made", "Operation", "OperationContext", "OperationPlan", "expand_source", "plan_operation",
           "run_operation", "table_output", "write_made"]
