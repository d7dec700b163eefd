"""Which files a run reads, and where each output goes.

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
    PyfamePathError,
    PyfameTypeError,
    PyfameValueError,
    UnrecognizedExtensionError,
)
from pyfame.io.media_kinds import IMAGE_EXTENSIONS, VIDEO_EXTENSIONS, media_kind

MEDIA_EXTENSIONS = IMAGE_EXTENSIONS | VIDEO_EXTENSIONS


@dataclass(frozen=True)
class Job:
    """One input file and the output it makes."""

    input: Path
    output: Path
    kind: str


def find_inputs(input_path: str | os.PathLike[str], with_sub_dirs: bool = False, *, skip: Path | None = None) -> tuple[Path, list[Path]]:
    """The media files to process, and the root they are relative to.

    A file is checked for a known extension (``UnrecognizedExtensionError``); a folder
    yields its supported files (sorted; nested folders only with ``with_sub_dirs``), hidden
    files and the folder ``skip`` (an output folder inside the input) left out.
    """
    if not isinstance(input_path, (str, os.PathLike)):
        raise PyfameTypeError(f"input_dir must be a path (str or Path), got {type(input_path).__name__}")
    path = Path(input_path)
    if not path.exists():
        raise PyfamePathError(f"input_dir: {path} does not exist")
    if path.is_file():
        media_kind(path)
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
            f"input_dir: {path} holds no supported image or video "
            f"({', '.join(sorted(MEDIA_EXTENSIONS))})"
        )
    return path, files


def output_path_for(input_file: Path, root: Path, output_dir: Path, subfolder: str | None,
                    image_format: str | None = None) -> Path:
    """Where the output of ``input_file`` goes: videos become ``.mp4``, images keep their
    format unless ``image_format`` (e.g. ``"png"``) is given."""
    rel = input_file.relative_to(root) if root in input_file.parents else Path(input_file.name)
    base = output_dir / subfolder if subfolder else output_dir
    out = base / rel
    if input_file.suffix.lower() in VIDEO_EXTENSIONS:
        out = out.with_suffix(".mp4")
    elif image_format:
        out = out.with_suffix("." + image_format.lstrip(".").lower())
    return out


def plan_jobs(
    input_path: str | os.PathLike[str],
    output_dir: str | os.PathLike[str],
    subfolder: str | None,
    with_sub_dirs: bool = False,
    image_format: str | None = None,
) -> list[Job]:
    """Check the paths and list the jobs, before any work starts.

    Raises ``PyfameValueError`` if an output would land on an input or two inputs would
    make the same output.
    """
    from pyfame.validation import check_output_dir

    in_path = Path(input_path) if isinstance(input_path, (str, os.PathLike)) else None
    if isinstance(output_dir, (str, os.PathLike)) and in_path is not None and in_path.is_file():
        out_resolved = Path(output_dir).resolve()
        if out_resolved == in_path.resolve() or in_path.resolve() in out_resolved.parents:
            raise PyfameValueError(f"output_dir: {output_dir} is the input file {in_path} or inside it")
    out_dir = check_output_dir(output_dir, "output_dir")
    skip = (out_dir / subfolder) if subfolder else None
    root, files = find_inputs(input_path, with_sub_dirs, skip=skip)
    jobs: list[Job] = []
    seen: dict[Path, Path] = {}
    inputs = {f.resolve() for f in files}
    for f in files:
        out = output_path_for(f, root, out_dir, subfolder, image_format)
        key = out.resolve()
        if key in inputs:
            raise PyfameValueError(
                f"output_dir: writing {f.name} to {out_dir} would overwrite the input {f}; "
                "choose another output folder"
            )
        if key in seen:
            raise PyfameValueError(
                f"output_dir: {f} and {seen[key]} would both be written to {out}; rename one"
            )
        seen[key] = f
        jobs.append(Job(f, out, media_kind(f)))
    return jobs
