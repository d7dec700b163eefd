"""Batches: a pass (layers, probes, a frame plan) over a file or a folder, on any executor.

:func:`run_work` is the one batch driver: it plans every output before any work (paths
checked, existing outputs skipped or refused), runs the files on the chosen executor
(serial, processes, Dask) and reports. :func:`apply_layers` and :func:`measure` are its two
faces: manipulations that write media (and tables beside them), and measurements that
write tables only.
"""

from __future__ import annotations

import inspect
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyfame.errors import PyfameError, PyfameTypeError
from pyfame.hashing import file_sha256
from pyfame.pipeline.executors import run_batch
from pyfame.pipeline.file_pass import FileResult, Opened, Work, open_file, run_file, track_still
from pyfame.pipeline.inputs import Job, plan_jobs
from pyfame.pipeline.layer import FramePlan, Layer, Probe
from pyfame.pipeline.output_policy import existing_state, refusal, request_record
from pyfame.pipeline.run_options import RunOptions, RunSettings

log = logging.getLogger(__name__)


def check_layers(layers: object, probes: object) -> tuple[list[Layer], list[Probe]]:
    """Layers and probes as lists, each item of the right kind."""
    out: list[list] = []
    for value, kind, name in ((layers, Layer, "layers"), (probes, Probe, "probes")):
        items = [value] if isinstance(value, kind) else value
        if not isinstance(items, Sequence) or isinstance(items, (str, bytes)):
            raise PyfameTypeError(f"{name} must be a {kind.__name__} or a list of them, got {value!r}", param=name)
        for i, item in enumerate(items):
            if not isinstance(item, kind):
                raise PyfameTypeError(f"{name}[{i}] must be a {kind.__name__}, got {type(item).__name__}", param=name)
        out.append(list(items))
    return out[0], out[1]


def run_work(
    inputs: str | os.PathLike[str],
    output_dir: str | os.PathLike[str],
    work: Work,
    settings: RunSettings,
    *,
    subfolder: str | None = None,
    media: bool = True,
    tag: str = "",
    only_kinds: tuple[str, ...] | None = None,
) -> list[FileResult]:
    """Run ``work`` over every input into ``output_dir[/subfolder]``.

    Before any work: every output path is planned and checked (inside the output folder,
    never an input, never two inputs onto one output; with ``settings.plot`` each table's
    plot too), every layer is checked against every
    input's kind, and outputs that exist already are skipped (same request) or refused
    (``OutputExistsError`` unless ``settings.overwrite``). ``only_kinds`` leaves inputs of
    other kinds out of a folder (instead of refusing them). A folder run goes on past a
    failing file (recorded in ``result.error`` and logged); a single file's error is raised.
    """
    from pyfame.pipeline.layer_stack import check_sources

    image_format = settings.image_format
    for layer in work.layers:
        image_format = layer.output_format() or image_format
    tables = tuple(p.table_name for p in work.all_probes())
    jobs = plan_jobs(inputs, output_dir, subfolder, settings.with_sub_dirs, image_format, media=media,
                     tables=tables, table_format=settings.table_format, tag=tag,
                     kinds=("video",) if work.frame_plan is not None else ("image", "video"), only_kinds=only_kinds,
                     plots=settings.plot, overwrite=settings.overwrite)
    for job in jobs:
        check_sources(work.layers, job.kind, job.input)
    options = settings.options()
    single = Path(inputs).is_file()
    results: list[FileResult | None] = [None] * len(jobs)
    todo: list[tuple[int, Job, dict[str, Any] | None]] = []
    for i, job in enumerate(jobs):
        request = None
        existing = [p for p in job.targets.all() if p.exists()]
        if existing:
            request = request_record(work, options, file_sha256(job.input), job.targets.media)
            state = existing_state(job.targets, request)
            if state == "same":
                log.info("%s: already made by the same request; skipped", existing[0])
                results[i] = FileResult(job.input, job.targets.media or next(iter(job.targets.tables.values())),
                                        skipped=True, tables_written=list(job.targets.tables.values()))
                continue
            if state == "different" and not settings.overwrite:
                raise refusal(existing[0])
        todo.append((i, job, request))
    parallel = (settings.executor is not None or (settings.workers or 1) > 1) and len(todo) > 1
    run_options = options.with_resolved_seed(progress=False) if parallel else options
    made = run_batch(JobRunner(work, run_options, raise_errors=single,
                               progress_position=1 if options.progress and len(todo) > 1 else 0),
                     [(job, request) for _, job, request in todo], settings.executor, settings.workers,
                     progress=options.progress)
    for (i, _, _), result in zip(todo, made):
        results[i] = result
    final = [r for r in results if r is not None]
    if settings.plot:
        from pyfame.io.table_plots import plot_table

        for r in final:
            if r.error is None:
                for table in r.tables_written:
                    plot_table(table, overwrite=settings.overwrite)
    failed = [r for r in final if r.error is not None]
    if failed:
        log.warning("%d of %d files failed: %s", len(failed), len(final), ", ".join(str(r.input) for r in failed))
    return final


@dataclass
class _Ahead:
    """One job on its way through :class:`JobRunner`'s stages."""

    job: Job
    request: dict[str, Any] | None
    opened: Opened | None = None
    error: Exception | None = None


@dataclass
class JobRunner:
    """One file of a batch: ``runner((job, request))`` makes its outputs; an error is
    recorded in the result, not raised (unless ``raise_errors``). Picklable, for worker
    processes.

    Its :attr:`stages` split a file in three, for an executor that runs the first two ahead,
    in threads of their own, while the file before is finished (see
    :class:`~pyfame.pipeline.executors.SerialExecutor`): reading (the request's hash, and for a
    still its decoding), tracking (a still's faces: the landmark cache's, else tracked and
    cached, in file order, so a still met twice is found in the cache as before), and the rest
    (layers, probes, encoding, sidecar, putting the files in place), in the caller's thread.
    Videos overlap their own decoding, tracking and encoding, so only their hash is read
    ahead. A file's outputs are the same whichever way it runs.

    Examples
    --------
    >>> # run_batch(JobRunner(work, options), [(job, None) for job in jobs])
    """

    work: Work
    options: RunOptions
    raise_errors: bool = False
    progress_position: int = 0

    def __call__(self, item: tuple[Job, dict[str, Any] | None]) -> FileResult:
        return self.finish(self.track(self.read(item)))

    @property
    def stages(self) -> tuple[Callable[[Any], Any], ...]:
        """``(read, track, finish)``: ``finish(track(read(item)))`` is ``self(item)``."""
        return self.read, self.track, self.finish

    def read(self, item: tuple[Job, dict[str, Any] | None]) -> _Ahead:
        """Stage 1: the request (hashing the input) and, for a still, the opened (decoded) file."""
        job, request = item
        ahead = _Ahead(job, request)
        try:
            if request is None:
                ahead.request = request_record(self.work, self.options, file_sha256(job.input), job.targets.media)
            if job.kind == "image" and self.work.frame_plan is None:
                ahead.opened = open_file(job.input, self.work, self.options, ahead.request["input_sha256"],
                                         look_up=False)
        except Exception as exc:  # raised by finish, in the caller's thread, in the file's turn
            ahead.error = exc
        return ahead

    def track(self, ahead: _Ahead) -> _Ahead:
        """Stage 2: a still's faces, from the landmark cache or tracked (with the process's
        reused tracker) and cached."""
        if ahead.opened is not None and ahead.error is None:
            try:
                track_still(ahead.opened, self.work)
            except Exception as exc:
                ahead.error = exc
                ahead.opened.close()
                ahead.opened = None
        return ahead

    def finish(self, ahead: _Ahead) -> FileResult:
        """Stage 3: everything else, and the result."""
        job = ahead.job
        try:
            if ahead.error is not None:
                raise ahead.error
            return run_file(job.input, job.targets, self.work, self.options, self.progress_position,
                            extra_record={"request": ahead.request}, opened=ahead.opened)
        except PyfameError as exc:
            if self.raise_errors:
                raise
            log.error("%s: %s", job.input, exc)
            return FileResult(job.input, None, error=exc)


def _settings(run: dict[str, Any], where: str) -> RunSettings:
    from pyfame.pipeline.params import closest

    for key in run:
        if key not in RunSettings.parameters:
            guess = closest(key, RunSettings.parameters)
            raise PyfameTypeError(f"{where}() got an unexpected keyword argument {key!r}"
                                  + (f" (did you mean {guess!r}?)" if guess else ""), param=key)
    return RunSettings(**run)


def apply_layers(
    inputs: str | os.PathLike[str],
    output_dir: str | os.PathLike[str],
    layers: Layer | Sequence[Layer],
    probes: Probe | Sequence[Probe] = (),
    *,
    subfolder: str | None = None,
    frame_plan: FramePlan | None = None,
    operation: str = "apply_layers",
    **run: Any,
) -> list[FileResult]:
    """Run layers (manipulations) and probes (measurements) over a file or a folder.

    Each file is decoded once, tracked once and encoded once, however many layers and
    probes run. Every output gets a JSON sidecar (``NAME.pyfame.json``); each probe's table
    is written beside it as ``STEM_PROBE.csv``. All arguments are checked before any work.

    Parameters
    ----------
    inputs : str or Path
        An image or video file, or a folder of them.
    output_dir : str or Path
        An existing folder; outputs keep the input's name (videos become ``.mp4``).
    layers, probes : Layer or list of Layer, Probe or list of Probe
        Applied in order; probes observe the frame after every layer.
    subfolder : str, optional
        Write into ``output_dir/subfolder``.
    frame_plan : FramePlan, optional
        Reorder each video's frames (a temporal transform) in the same pass.
    operation : str
        The name recorded in the sidecars.
    **run : Any
        Run settings (:class:`~pyfame.pipeline.run_options.RunSettings`): ``seed``,
        ``no_face``, ``workers``, ``executor``, ``overwrite``, ``crf``, ``preset``,
        tracking thresholds, ``image_format``, ``table_format`` and so on.

    Returns
    -------
    list of FileResult
        One per input, in order. In a folder run a failing file is logged and recorded
        (``result.error``) and the others go on; a single file's error is raised.

    Examples
    --------
    >>> import pyfame as pf
    >>> # pf.apply_layers("faces/", "out/", [pf.ColorShift(shift_color="red")], seed=1)
    """
    layer_list, probe_list = check_layers(layers, probes)
    settings = _settings(run, "apply_layers")
    work = Work(layer_list, probe_list, frame_plan, operation)
    return run_work(inputs, output_dir, work, settings, subfolder=subfolder)


def measure(
    inputs: str | os.PathLike[str],
    output_dir: str | os.PathLike[str],
    probes: Probe | Sequence[Probe],
    *,
    subfolder: str | None = None,
    operation: str = "measure",
    **run: Any,
) -> list[FileResult]:
    """Run probes over every input and write their tables (and sidecars), no media.

    One table per input (``STEM.csv``; with several probes ``STEM_PROBE.csv``), in
    ``table_format``. Run settings as :func:`apply_layers`.

    Examples
    --------
    >>> import pyfame as pf
    >>> # pf.measure("clips/", "out/", [pf.ColorMeansProbe(color_space="lab")], workers=2)
    """
    _, probe_list = check_layers([], probes)
    settings = _settings(run, "measure")
    return run_work(inputs, output_dir, Work([], probe_list, None, operation), settings, subfolder=subfolder,
                    media=False)


def _signature_with_settings(func: Any) -> None:
    """Show the run settings as keyword-only parameters in ``func``'s signature."""
    sig = inspect.signature(func)
    params = [p for p in sig.parameters.values() if p.kind is not inspect.Parameter.VAR_KEYWORD]
    params += [inspect.Parameter(p.name, inspect.Parameter.KEYWORD_ONLY, default=p.default,
                                 annotation=p.kind.annotation) for p in RunSettings.parameters.values()]
    func.__signature__ = sig.replace(parameters=params)


_signature_with_settings(apply_layers)
_signature_with_settings(measure)
