"""Which files a run reads, and where each of its outputs goes: planned once, checked before any work.

Every output path of a batch (media, tables, sidecars) is resolved here and must lie inside
the output folder, must not be one of the inputs, and must not be claimed by two inputs:
otherwise a typed error names the file before anything is read or written.

Examples
--------
>>> from pathlib import Path
>>> output_path_for(Path("in/a/clip.mov"), Path("in"), Path("out"), "Blurred")
PosixPath('out/Blurred/a/clip.mp4')
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from pyfame.errors import (
    PyfameError,
    PyfamePathError,
    PyfameTypeError,
    PyfameValueError,
    UnrecognizedExtensionError,
)
from pyfame.io.media_kinds import IMAGE_EXTENSIONS, VIDEO_EXTENSIONS, media_kind
from pyfame.pipeline.file_pass import Targets
from pyfame.pipeline.output_policy import OutputFolder, inside  # noqa: F401 - inside: where it was

MEDIA_EXTENSIONS = IMAGE_EXTENSIONS | VIDEO_EXTENSIONS


@dataclass(frozen=True)
class Job:
    """One input file and the outputs it makes."""

    input: Path
    targets: Targets
    kind: str

    @property
    def output(self) -> Path | None:
        """The media output (or None for tables only)."""
        return self.targets.media


def find_inputs(input_path: str | os.PathLike[str], with_sub_dirs: bool = False, *,
                skip: Path | None = None, param: str = "input_dir") -> tuple[Path, list[Path]]:
    """The media files to process, and the root they are relative to.

    A file is checked for a known extension (``UnrecognizedExtensionError``); a folder
    yields its supported files (sorted; nested folders only with ``with_sub_dirs``), hidden
    files and the folder ``skip`` (an output folder inside the input) left out. Errors name
    ``param`` (the input as its caller calls it).
    """
    if not isinstance(input_path, (str, os.PathLike)):
        raise PyfameTypeError(f"{param} must be a path (str or Path), got {type(input_path).__name__}",
                              param=param)
    path = Path(input_path)
    if not path.exists():
        raise PyfamePathError(f"{param}: {path} does not exist", param=param)
    if path.is_file():
        try:
            media_kind(path)
        except PyfameError as exc:
            exc.param = param
            raise
        return path.parent, [path]
    pattern = "**/*" if with_sub_dirs else "*"
    skip_resolved = skip.resolve() if skip is not None else None
    files = []
    for p in sorted(path.glob(pattern)):
        if not p.is_file() or any(part.startswith(".") for part in p.relative_to(path).parts):
            continue
        if skip_resolved is not None and skip_resolved in p.resolve().parents:
            continue
        if p.suffix.lower() in MEDIA_EXTENSIONS:
            files.append(p)
    if not files:
        raise UnrecognizedExtensionError(
            f"{param}: {path} holds no supported image or video ({', '.join(sorted(MEDIA_EXTENSIONS))})",
            param=param)
    return path, files


def output_path_for(input_file: Path, root: Path, output_dir: Path, subfolder: str | None,
                    image_format: str | None = None, tag: str = "") -> Path:
    """Where the media output of ``input_file`` goes: videos become ``.mp4``, images keep
    their format unless ``image_format`` (e.g. ``"png"``) is given; ``tag`` is added to the
    name (``face_bubbles.png``)."""
    rel = input_file.relative_to(root) if root in input_file.parents else Path(input_file.name)
    base = output_dir / subfolder if subfolder else output_dir
    out = base / rel
    if tag:
        out = out.with_name(f"{out.stem}_{tag}{out.suffix}")
    if input_file.suffix.lower() in VIDEO_EXTENSIONS:
        out = out.with_suffix(".mp4")
    elif image_format:
        out = out.with_suffix("." + image_format.lstrip(".").lower())
    return out


def check_targets(jobs: list[Job], output_dir: Path, inputs: set[Path], *, plots: bool = False,
                  overwrite: bool = False) -> None:
    """Every target inside ``output_dir``, none an input, none claimed twice (typed errors);
    with ``plots``, the plot beside each table too (a file in its way that is not PyFAME's
    plot of that table is refused unless ``overwrite``)."""
    from pyfame.pipeline.output_policy import plot_of, plot_path

    folder = OutputFolder(output_dir, inputs, overwrite=overwrite)
    claimed: dict[Path, Path] = {}
    for job in jobs:
        claims = [(target, folder.claim(target, existing=False)) for target in job.targets.all()]
        if plots:
            claims += [(plot_path(t), folder.claim(plot_path(t), ours=plot_of(t))) for t in job.targets.tables.values()]
        for target, _ in claims:
            key = target.resolve()
            if key in claimed and claimed[key] != job.input:
                raise PyfameValueError(f"output_dir: {job.input} and {claimed[key]} would both be written to "
                                       f"{target}; rename one", param="output_dir")
            claimed[key] = job.input


def plan_jobs(
    input_path: str | os.PathLike[str],
    output_dir: str | os.PathLike[str],
    subfolder: str | None,
    with_sub_dirs: bool = False,
    image_format: str | None = None,
    *,
    media: bool = True,
    tables: tuple[str, ...] = (),
    table_format: str = "csv",
    tag: str = "",
    kinds: tuple[str, ...] = ("image", "video"),
    only_kinds: tuple[str, ...] | None = None,
    plots: bool = False,
    overwrite: bool = False,
) -> list[Job]:
    """Check the paths and list the jobs, before any work starts.

    ``media`` makes one image or video per input; ``tables`` names the tables each input
    gets (beside the media as ``STEM_TABLE.csv``, or, without media, as ``STEM.csv`` for a
    single table). Inputs of other ``kinds`` are refused; with ``only_kinds`` a folder's
    inputs of other kinds are left out (an error if none remain). ``plots``: each table's
    plot (``STEM.png`` beside it) is checked too, with ``overwrite`` deciding a file in its way.
    """
    from pyfame.validation import check_output_dir

    in_path = Path(input_path) if isinstance(input_path, (str, os.PathLike)) else None
    if isinstance(output_dir, (str, os.PathLike)) and in_path is not None and in_path.is_file():
        out_resolved = Path(output_dir).resolve()
        if out_resolved == in_path.resolve() or in_path.resolve() in out_resolved.parents:
            raise PyfameValueError(f"output_dir: {output_dir} is the input file {in_path} or inside it",
                                   param="output_dir")
    out_dir = check_output_dir(output_dir, "output_dir")
    if subfolder is not None and (not subfolder or Path(subfolder).is_absolute() or ".." in Path(subfolder).parts):
        raise PyfameValueError(f"subfolder must be a plain folder name inside the output folder, got {subfolder!r}",
                               param="subfolder")
    skip = (out_dir / subfolder) if subfolder else None
    root, files = find_inputs(input_path, with_sub_dirs, skip=skip)
    if only_kinds is not None:
        files = [f for f in files if media_kind(f) in only_kinds]
        if not files:
            raise PyfameValueError(f"input_dir: {input_path} holds no {' or '.join(only_kinds)}", param="input_dir")
    suffix = "." + table_format
    jobs: list[Job] = []
    for f in files:
        kind = media_kind(f)
        if kind not in kinds:
            raise PyfameValueError(f"input_dir: {f} is a {'still image' if kind == 'image' else 'video'}; this "
                                   f"operation needs {' or '.join(k + 's' for k in kinds)}", param="input_dir")
        if media:
            out = output_path_for(f, root, out_dir, subfolder, image_format, tag)
            table_paths = {t: out.with_name(f"{out.stem}_{t}{suffix}") for t in tables}
            targets = Targets(out, table_paths)
        else:
            stem = output_path_for(f, root, out_dir, subfolder, None, tag).with_suffix("")
            table_paths = ({tables[0]: stem.with_name(stem.name + suffix)} if len(tables) == 1 else
                           {t: stem.with_name(f"{stem.name}_{t}{suffix}") for t in tables})
            targets = Targets(None, table_paths)
        jobs.append(Job(f, targets, kind))
    check_targets(jobs, out_dir, {f.resolve() for f in files}, plots=plots, overwrite=overwrite)
    return jobs
