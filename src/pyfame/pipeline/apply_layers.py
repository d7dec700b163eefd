"""``apply_layers``: any number of layers and probes over a file or a folder, one pass each."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from functools import partial
from pathlib import Path

from pyfame.errors import PyfameError, PyfameTypeError, PyfameValueError
from pyfame.face.tracker_settings import TrackerSettings
from pyfame.io.media_kinds import IMAGE_EXTENSIONS
from pyfame.io.video_sink import DEFAULT_CRF, DEFAULT_PRESET
from pyfame.pipeline.file_pass import FileResult, run_file
from pyfame.pipeline.inputs import Job, plan_jobs
from pyfame.pipeline.layer import Layer, Probe
from pyfame.pipeline.process_pool import map_in_processes
from pyfame.pipeline.run_options import NoFacePolicy, RunOptions

log = logging.getLogger(__name__)


def check_layers(layers: object, probes: object) -> tuple[list[Layer], list[Probe]]:
    """Layers and probes as lists, each item of the right kind."""
    out: list[list] = []
    for value, kind, name in ((layers, Layer, "layers"), (probes, Probe, "probes")):
        items = [value] if isinstance(value, kind) else value
        if not isinstance(items, Sequence) or isinstance(items, (str, bytes)):
            raise PyfameTypeError(f"{name} must be a {kind.__name__} or a list of them, got {value!r}")
        for i, item in enumerate(items):
            if not isinstance(item, kind):
                raise PyfameTypeError(f"{name}[{i}] must be a {kind.__name__}, got {type(item).__name__}")
        out.append(list(items))
    return out[0], out[1]


def apply_layers(
    inputs: str | os.PathLike[str],
    output_dir: str | os.PathLike[str],
    layers: Layer | Sequence[Layer],
    probes: Probe | Sequence[Probe] = (),
    *,
    subfolder: str | None = None,
    with_sub_dirs: bool = False,
    no_face: NoFacePolicy = "pass",
    seed: int | None = None,
    num_faces: int = 1,
    min_detection_confidence: float = 0.5,
    min_tracking_confidence: float = 0.5,
    smoothing: float = 0.0,
    crf: int = DEFAULT_CRF,
    preset: str = DEFAULT_PRESET,
    landmark_cache: bool | str | os.PathLike[str] = True,
    progress: bool = False,
    operation: str = "apply_layers",
    image_format: str | None = None,
    workers: int | None = None,
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
    with_sub_dirs : bool
        Walk nested folders and mirror them in the output.
    no_face : {"pass", "drop", "fail", "hold"}
        What to do with a frame without a face (see :class:`RunOptions`).
    seed : int, optional
        Base seed; each (file, layer) gets its own derived generator.
    num_faces, min_detection_confidence, min_tracking_confidence, smoothing
        Face tracking settings (:class:`~pyfame.face.tracker_settings.TrackerSettings`).
    crf, preset
        H.264 quality and speed: ``ultrafast`` at CRF 15 by default (fast, visually lossless,
        large files); ``preset="veryfast", crf=18`` gives the same fidelity in a quarter of
        the bytes at about a third of the encoding speed.
    landmark_cache : bool or path
        Reuse tracked landmarks of a file seen before (default on).
    progress : bool
        Progress bars per file and per batch.
    image_format : str, optional
        Write still outputs in this format (e.g. ``"png"``) instead of the input's.
    workers : int, optional
        Process that many files at once in separate processes (each gets its own copy of
        the layers); one at a time by default. Outputs are the same either way.

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
    options = RunOptions(
        tracker=TrackerSettings(
            num_faces=num_faces,
            min_detection_confidence=min_detection_confidence,
            min_tracking_confidence=min_tracking_confidence,
            smoothing=smoothing,
        ),
        no_face=no_face,
        seed=seed,
        crf=crf,
        preset=preset,
        landmark_cache=landmark_cache,
        progress=progress,
    )
    if image_format is not None and "." + str(image_format).lstrip(".").lower() not in IMAGE_EXTENSIONS:
        raise PyfameValueError(f"image_format must be one of {sorted(IMAGE_EXTENSIONS)}, got {image_format!r}")
    jobs = plan_jobs(inputs, output_dir, subfolder, with_sub_dirs, image_format)
    single = Path(inputs).is_file()
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise PyfameValueError(f"workers must be a positive integer, got {workers!r}")
    batch_bar = None
    if progress and len(jobs) > 1:
        from tqdm.auto import tqdm

        batch_bar = tqdm(total=len(jobs), desc="files", unit="file", position=0)
    position = 1 if batch_bar is not None else 0
    try:
        if workers is None or workers == 1 or len(jobs) == 1:
            results = []
            for job in jobs:
                results.append(run_job(job, layer_list, probe_list, options, operation, position, single))
                if batch_bar is not None:
                    batch_bar.update(1)
        else:
            quiet = RunOptions(tracker=options.tracker, no_face=options.no_face, seed=options.resolved_seed(),
                               crf=options.crf, preset=options.preset, landmark_cache=options.landmark_cache)
            results = map_in_processes(partial(run_job, layers=layer_list, probes=probe_list, options=quiet,
                                               operation=operation), jobs, workers,
                                       on_done=batch_bar.update if batch_bar is not None else None)
    finally:
        if batch_bar is not None:
            batch_bar.close()
    failed = [r for r in results if r.error is not None]
    if failed:
        log.warning("%d of %d files failed: %s", len(failed), len(results), ", ".join(str(r.input) for r in failed))
    return results


def run_job(job: Job, layers: list[Layer], probes: list[Probe], options: RunOptions, operation: str,
            position: int = 0, raise_errors: bool = False) -> FileResult:
    """One file of a batch: its pass and its tables; an error is recorded, not raised
    (unless ``raise_errors``)."""
    try:
        result = run_file(job.input, job.output, layers, probes, options, operation, progress_position=position)
        write_tables(result)
        return result
    except PyfameError as exc:
        if raise_errors:
            raise
        log.error("%s: %s", job.input, exc)
        return FileResult(job.input, None, error=exc)


def write_tables(result: FileResult) -> list[Path]:
    """Write each probe table beside the output as ``STEM_PROBE.csv`` (atomically)."""
    from pyfame.io.atomic_write import atomic_output

    written = []
    if result.output is None:
        return written
    for name, table in result.tables.items():
        target = result.output.with_name(f"{result.output.stem}_{name}.csv")
        with atomic_output(target) as tmp:
            table.to_csv(tmp, index=False)
        written.append(target)
    return written
