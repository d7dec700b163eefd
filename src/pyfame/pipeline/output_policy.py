"""Where an output may go, and what happens to a file already there: the one check every writer makes.

:func:`claim_output` is the one place an output path is checked before any work, by every
writer: the batch outputs (media, tables, sidecars), plots, an experiment's outputs, its
manifest and contact sheet, ``moviefy_images``, ``normalize_image_sizes`` and the
operations' files. The path must lie inside the output folder (links followed), must not be
one of the inputs, and must not be a folder; a file already there is kept unless the writer
knows it as its own (the same request, or a report it rewrites) or ``overwrite`` is given:
otherwise :class:`OutputExistsError` names it.

Plots and contact sheets carry a mark in their PNG text chunks (:func:`png_mark`), so a
file PyFAME drew is told apart from a user's picture of the same name.

A sidecar records the *request* an output answers: the input's hash, the declared
parameters of every layer, probe and frame plan, the seed the user gave, the tracker
settings, the no-face policy, the encoder and the software. Before any work, a run compares
its request with the sidecar of every output that exists already: the same request (and
outputs whose bytes still match their sidecar) is skipped as already made; anything else is
refused with :class:`OutputExistsError`, naming the file, unless ``overwrite=True``.

Examples
--------
>>> same_request({"seed": None, "a": 1}, {"seed": 5, "a": 1})
True
>>> same_request({"seed": 4, "a": 1}, {"seed": 5, "a": 1})
False
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

from pyfame.errors import FileWriteError, PyfamePathError, PyfameValueError
from pyfame.hashing import file_sha256, to_jsonable
from pyfame.models import MODEL_SHA256
from pyfame.provenance import sidecar_path


class OutputExistsError(FileWriteError):
    """An output exists already and was made from a different request; pass ``overwrite=True``
    (``--overwrite``) to replace it."""


@lru_cache(maxsize=1)
def _pyfame_version() -> str:
    # Read once per process, like the sidecar's environment: importlib.metadata parses the
    # package's METADATA each time: 0.4 ms a file, nine tenths of making a request record.
    return version("pyfame")


def request_record(work: Any, options: Any, input_sha256: str, media: Path | None) -> dict[str, Any]:
    """What an output depends on (stored in its sidecar as ``request``)."""
    return to_jsonable({
        "input_sha256": input_sha256,
        **work.specs(),
        "seed": options.seed,
        "tracker": options.tracker.as_dict(),
        "no_face": options.no_face,
        "encoder": {"crf": options.crf, "preset": options.preset}
        if media is not None and media.suffix.lower() == ".mp4" else None,
        "pyfame": _pyfame_version(),
        "model": MODEL_SHA256,
    })


def same_request(asked: dict[str, Any], made: Any) -> bool:
    """True when ``made`` answers ``asked`` (a seed left unset matches any seed)."""
    if not isinstance(made, dict):
        return False
    if asked.get("seed") is None:
        made = {**made, "seed": None}
    return asked == made


def sidecar_record(output: Path) -> dict[str, Any] | None:
    """The checked sidecar of ``output`` (:func:`~pyfame.provenance.check_sidecar`), or None
    when there is none or it is damaged (then the output is not known to be PyFAME's)."""
    from pyfame.errors import PyfameError
    from pyfame.provenance import read_sidecar

    try:
        return read_sidecar(output)
    except (PyfameError, OSError):
        return None


def existing_state(targets: Any, request: dict[str, Any]) -> str:
    """What exists of a job's outputs.

    ``"absent"``: nothing; ``"same"``: everything, made by this request, bytes intact;
    ``"incomplete"``: made by this request but a file is missing (a deleted output, a probe
    table that is gone) — made again; ``"different"``: anything else (other parameters,
    changed bytes, no sidecar or a damaged one, not PyFAME's).
    """
    files = [p for p in [targets.media, *targets.tables.values()] if p is not None]
    owners = [targets.media] if targets.media is not None else list(targets.tables.values())
    if not any(p.exists() for p in files + [sidecar_path(p) for p in owners]):
        return "absent"
    complete = True
    for output in owners:
        record = sidecar_record(output)
        if record is None or not same_request(request, record.get("request")):
            return "different"
        recorded = {output: (record.get("output") or {}).get("sha256"),
                    **{output.with_name(n): d for n, d in (record.get("tables") or {}).items()}}
        for path, digest in recorded.items():
            if not path.is_file():
                complete = False
            elif file_sha256(path) != digest:
                return "different"
    if not all(p.is_file() for p in files):
        complete = False
    return "same" if complete else "incomplete"


def other_parameters(targets: Any, request: dict[str, Any]) -> Path | None:
    """The first existing output of a job whose sidecar is missing or damaged, or records a
    request other than ``request`` in anything but the input's bytes; None otherwise.

    A cheap check (sidecars only: no input or output is hashed), for refusing a whole run
    before any work; :func:`existing_state` decides each job completely.
    """
    owners = [targets.media] if targets.media is not None else list(targets.tables.values())
    files = [p for p in [targets.media, *targets.tables.values()] if p is not None]
    if not any(p.exists() for p in files + [sidecar_path(p) for p in owners]):
        return None
    for output in owners:
        record = sidecar_record(output)
        made = record.get("request") if record is not None else None
        if not isinstance(made, dict) or not same_request({**request, "input_sha256": None},
                                                          {**made, "input_sha256": None}):
            return output
    return None


def refusal(path: Path) -> OutputExistsError:
    """The error for an existing output made by another request."""
    return OutputExistsError(f"{path} exists and was made with other parameters (or is not PyFAME's); "
                             "pass overwrite=True (--overwrite) to replace it, or choose another output folder",
                             param="overwrite")


def inside(path: Path, folder: Path) -> bool:
    """True when ``path`` (resolved, links followed) lies inside ``folder``.

    Examples
    --------
    >>> inside(Path("out/a/../b.png"), Path("out")), inside(Path("out/../b.png"), Path("out"))
    (True, False)
    """
    try:
        Path(path).resolve().relative_to(Path(folder).resolve())
        return True
    except ValueError:
        return False


class OutputFolder:
    """The output folder of one run and its inputs, resolved once: :meth:`claim` checks each
    output path (see :func:`claim_output`).

    Examples
    --------
    >>> import tempfile
    >>> folder = OutputFolder(tempfile.mkdtemp(), inputs=[])
    >>> folder.claim(folder.path / "a" / "b.png").name
    'b.png'
    """

    def __init__(self, folder: str | os.PathLike[str], inputs: Iterable[str | os.PathLike[str]] = (), *,
                 overwrite: bool = False, param: str = "output_dir") -> None:
        self.path = Path(folder)
        self.inputs = {Path(i).resolve() for i in inputs}
        self.overwrite = overwrite
        self.param = param

    def claim(self, target: str | os.PathLike[str], *, ours: Callable[[Path], bool] | None = None,
              existing: bool = True) -> Path:
        """``target``, checked: inside the folder, not an input, not a folder, and (with
        ``existing``) no file in the way unless ``overwrite`` or ``ours(target)``."""
        path = Path(target)
        param = self.param
        if not inside(path, self.path):
            raise PyfameValueError(f"{param}: {path} would be outside the output folder {self.path}", param=param)
        resolved = path.resolve()
        if resolved in self.inputs:
            raise PyfameValueError(f"{param}: writing {path} would overwrite the input {resolved}; "
                                   "choose another output folder", param=param)
        if path.is_dir():
            raise PyfamePathError(f"{param}: {path} is a folder", param=param)
        if existing and (path.exists() or path.is_symlink()) and not self.overwrite and \
                not (ours is not None and ours(path)):
            raise refusal(path)
        return path


def claim_output(target: str | os.PathLike[str], folder: str | os.PathLike[str], *,
                 inputs: Iterable[str | os.PathLike[str]] = (), overwrite: bool = False,
                 ours: Callable[[Path], bool] | None = None, existing: bool = True,
                 param: str = "output_dir") -> Path:
    """Check one output path before any work; returns it.

    The path must lie inside ``folder`` and must not be one of ``inputs`` (both compared
    resolved, links followed), nor a folder. With ``existing`` (the default), a file already
    at the path is refused with :class:`OutputExistsError` naming it unless ``overwrite``
    or ``ours(path)`` says the writer made it and may replace it (a plot of the same table,
    the experiment's own contact sheet). Batch outputs pass ``existing=False``: their sidecars
    decide (:func:`existing_state`). A writer checking many paths uses one
    :class:`OutputFolder` (the inputs resolved once).

    Raises
    ------
    PyfameValueError
        Outside the folder, or an input (``param`` names what to change).
    PyfamePathError
        A folder is in the way.
    OutputExistsError
        A file is in the way (``param="overwrite"``).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> claim_output(folder / "plot.png", folder) == folder / "plot.png"
    True
    >>> claim_output(folder / ".." / "plot.png", folder)
    Traceback (most recent call last):
    ...
    pyfame.errors.PyfameValueError: output_dir: ... would be outside the output folder ...
    >>> _ = (folder / "face.png").write_bytes(b"a user's photo")
    >>> claim_output(folder / "face.png", folder, inputs=[folder / "face.png"])
    Traceback (most recent call last):
    ...
    pyfame.errors.PyfameValueError: output_dir: writing ... would overwrite the input ...; choose another output folder
    >>> claim_output(folder / "face.png", folder)
    Traceback (most recent call last):
    ...
    pyfame.pipeline.output_policy.OutputExistsError: ... exists and was made with other parameters ...
    """
    return OutputFolder(folder, inputs, overwrite=overwrite, param=param).claim(target, ours=ours,
                                                                               existing=existing)


#: The PNG text key of PyFAME's mark on the pictures it draws (plots, contact sheets).
MARK_KEY = "PyFAME"


def mark_metadata(kind: str, fields: dict[str, str] | None = None) -> dict[str, str]:
    """PNG text chunks that mark a picture PyFAME drew (``kind``: ``"plot"``, ``"contact sheet"``).

    Examples
    --------
    >>> mark_metadata("plot", {"Source": "a.csv"})
    {'PyFAME': 'plot', 'Source': 'a.csv'}
    """
    return {MARK_KEY: kind, **(fields or {})}


def plot_path(table: Path) -> Path:
    """Where the plot of ``table`` goes by default: beside it, ``STEM.png``.

    Examples
    --------
    >>> plot_path(Path("out/Color_Channel_Means/face.csv"))
    PosixPath('out/Color_Channel_Means/face.png')
    """
    return Path(table).with_suffix(".png")


def plot_of(table: Path) -> Callable[[Path], bool]:
    """Whether an existing file is PyFAME's plot of a table named like ``table`` (which a new
    plot of that table may replace: a plot's only parameter is its table)."""
    name = Path(table).name

    def ours(path: Path) -> bool:
        mark = png_mark(path)
        return mark.get(MARK_KEY) == "plot" and mark.get("Source") == name

    return ours


def png_mark(path: Path) -> dict[str, str]:
    """The mark :func:`mark_metadata` put on a PNG (its text chunks), or ``{}`` for any other file.

    Only the header and text chunks are read (never the pixels): a foreign or damaged file
    is simply not marked.

    Examples
    --------
    >>> png_mark(Path("no-such-file.png"))
    {}
    """
    try:
        from PIL import Image

        with Image.open(path) as image:  # the chunks before the pixels (``.text`` would decode them)
            text = {k: v for k, v in image.info.items() if isinstance(v, str)}
    except Exception:  # noqa: BLE001 - any file Pillow cannot open is not one PyFAME marked
        return {}
    return text if text.get(MARK_KEY) else {}
