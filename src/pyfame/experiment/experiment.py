"""Experiment files: inputs × conditions → a whole stimulus set, validated before any work."""

from __future__ import annotations

import glob
import hashlib
import itertools
import math
import os
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyfame.errors import PyfameError, PyfameValueError
from pyfame.pipeline.registry import build
from pyfame.experiment.yaml_with_lines import Where, load_with_lines
from pyfame.io.image_source import MAX_PIXELS
from pyfame.io.media_kinds import IMAGE_EXTENSIONS, VIDEO_EXTENSIONS
from pyfame.io.video_sink import DEFAULT_ENCODER_PROFILE

TOP_KEYS = {"inputs", "output_dir", "conditions", "operations", "probes", "seed", "naming", "tracking", "encoding",
            "no_face", "landmark_cache", "allow_truncated", "max_pixels", "executor", "limits", "table_format"}
CONDITION_KEYS = {"name", "layers", "vary", "frame_plan"}
TRACKING_KEYS = {"num_faces", "min_detection_confidence", "min_tracking_confidence", "smoothing"}
ENCODING_KEYS = {"encoder_profile", "crf", "preset"}
EXECUTOR_KEYS = {"type", "workers", "scheduler", "jobs", "cores", "memory", "walltime", "dashboard"}
LIMIT_KEYS = {"max_jobs"}
#: The most jobs (inputs x conditions, every ``vary`` combination counted) an experiment may
#: plan. Above it the experiment is refused before any condition is built; raise it with the
#: file's ``limits: {max_jobs: N}`` or the ``max_jobs`` argument.
MAX_JOBS = 10_000
DEFAULT_NAMING = "{condition}/{stem}{ext}"


class ExperimentError(PyfameValueError):
    """An experiment file that cannot run; the message names the file, line and key."""


@dataclass(frozen=True)
class Job:
    """One output of an experiment: an input under a condition."""

    input: str
    input_name: str
    condition: str
    layers: tuple[dict[str, Any], ...]
    probes: tuple[dict[str, Any], ...]
    output: str
    seed: int
    settings: dict[str, Any] = field(hash=False)
    factors: dict[str, Any] = field(hash=False)
    frame_plan: dict[str, Any] | None = field(default=None, hash=False)

    def as_dict(self, overwrite: bool = False) -> dict[str, Any]:
        """Plain data for another process or a Dask worker."""
        return {"input": self.input, "input_name": self.input_name, "condition": self.condition,
                "layers": list(self.layers), "probes": list(self.probes), "output": self.output, "seed": self.seed,
                "settings": self.settings, "factors": self.factors, "frame_plan": self.frame_plan,
                "overwrite": overwrite}


def derived_seed(base: int, input_name: str, condition: str) -> int:
    """A seed of its own for each (input, condition), from the experiment's base seed.

    Examples
    --------
    >>> derived_seed(1, "a.png", "red") == derived_seed(1, "a.png", "red") != derived_seed(1, "b.png", "red")
    True
    """
    digest = hashlib.sha256(f"{base}\x00{input_name}\x00{condition}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


def _substitute(value: Any, factors: dict[str, Any]) -> Any:
    """Replace ``"{name}"`` placeholders by the condition's factor values (keeping types when
    the whole string is one placeholder)."""
    if isinstance(value, str):
        for name, v in factors.items():
            if value == "{" + name + "}":
                return v
        if "{" in value:
            try:
                return value.format(**factors)
            except (KeyError, IndexError, ValueError):
                return value
        return value
    if isinstance(value, list):
        return [_substitute(v, factors) for v in value]
    if isinstance(value, dict):
        return {k: _substitute(v, factors) for k, v in value.items()}
    return value


class Experiment:
    """A stimulus set: every input under every condition, with probes and seeds.

    Build it with :meth:`from_yaml` (or :meth:`from_dict`); the whole description is checked
    on construction, so a typo fails before any work with the file, line and key. See
    ``docs/experiments.md`` for the file format.

    Examples
    --------
    >>> # exp = Experiment.from_yaml("experiment.yaml"); exp.run(workers=2)
    """

    def __init__(self, data: Any, base_dir: Path, source: str = "<experiment>", where: Where | None = None,
                 max_jobs: int | None = None) -> None:
        self.source = source
        self._max_jobs_argument = max_jobs
        self.base_dir = base_dir
        self._where = where or {}
        self.data = data
        self._validate()

    # ---- loading ---------------------------------------------------------------------------
    @classmethod
    def from_yaml(cls, path: str | os.PathLike[str], max_jobs: int | None = None) -> Experiment:
        """Load and check an experiment file (``max_jobs`` overrides :data:`MAX_JOBS` and the
        file's ``limits.max_jobs``)."""
        from pyfame.errors import PyfamePathError

        p = Path(path)
        if not p.is_file():
            raise PyfamePathError(f"experiment: {p} does not exist")
        data, where = load_with_lines(p.read_text(), str(p))
        return cls(data, p.parent.resolve(), str(p), where, max_jobs=max_jobs)

    @classmethod
    def from_dict(cls, data: dict[str, Any], base_dir: str | os.PathLike[str] = ".",
                  max_jobs: int | None = None) -> Experiment:
        """Check an experiment given as a dict (paths relative to ``base_dir``)."""
        return cls(data, Path(base_dir).resolve(), max_jobs=max_jobs)

    # ---- errors ----------------------------------------------------------------------------
    def _fail(self, path: tuple[Any, ...], message: str) -> ExperimentError:
        line = None
        for n in range(len(path), -1, -1):
            if path[:n] in self._where:
                line = self._where[path[:n]]
                break
        key = "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p)) for i, p in enumerate(path))
        where = f"{self.source} line {line}" if line else self.source
        return ExperimentError(f"{where}: {key or '(top level)'}: {message}")

    def _mapping(self, value: Any, path: tuple[Any, ...], allowed: set[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self._fail(path, f"must be a mapping, got {type(value).__name__}")
        for key in value:
            if key not in allowed:
                raise self._fail((*path, key), f"unknown key; expected one of {', '.join(sorted(allowed))}")
        return value

    # ---- validation ------------------------------------------------------------------------
    def _validate(self) -> None:
        data = self._mapping(self.data, (), TOP_KEYS)
        for key in ("inputs", "output_dir"):
            if key not in data:
                raise self._fail((), f"missing required key {key!r}")
        out = data["output_dir"]
        if not isinstance(out, str):
            raise self._fail(("output_dir",), "must be a path")
        self.output_dir = (self.base_dir / out).resolve()
        if self.output_dir.exists() and not self.output_dir.is_dir():
            raise self._fail(("output_dir",), f"{self.output_dir} is a file")
        self.inputs = self._resolve_inputs(data["inputs"])
        seed = data.get("seed", 0)
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise self._fail(("seed",), f"must be a non-negative integer, got {seed!r}")
        self.seed = seed
        self.naming = data.get("naming", DEFAULT_NAMING)
        if not isinstance(self.naming, str):
            raise self._fail(("naming",), "must be a string template")
        try:
            fields = {f for _, f, _, _ in string.Formatter().parse(self.naming) if f}
        except ValueError as exc:
            raise self._fail(("naming",), f"is not a valid template ({exc})") from exc
        unknown = fields - {"condition", "stem", "ext", "input_name", "seed"}
        if unknown or "condition" not in fields or "stem" not in fields:
            raise self._fail(("naming",), "must use {condition} and {stem} (and may use {ext}, {input_name}, {seed}); "
                                          f"unknown fields: {sorted(unknown)}")
        self.settings = self._settings(data)
        self.probes = [self._probe(p, ("probes", i)) for i, p in enumerate(data.get("probes") or [])]
        self.max_jobs = self._limit(data)
        self.conditions = self._conditions(data["conditions"]) if data.get("conditions") else []
        self.operations = self._operations(data.get("operations") or [])
        if not self.conditions and not self.operations:
            raise self._fail(("conditions",), "give at least one condition (or an operation)")
        self.executor = self._mapping(data.get("executor", {}) or {}, ("executor",), EXECUTOR_KEYS)
        self._check_outputs()

    def _limit(self, data: dict[str, Any]) -> int:
        """The job limit: the ``max_jobs`` argument, else ``limits.max_jobs``, else :data:`MAX_JOBS`."""
        from pyfame.validation import check_int

        limits = self._mapping(data.get("limits", {}) or {}, ("limits",), LIMIT_KEYS)
        if self._max_jobs_argument is not None:
            return check_int(self._max_jobs_argument, "max_jobs", low=1)
        try:
            return check_int(limits.get("max_jobs", MAX_JOBS), "max_jobs", low=1)
        except PyfameError as exc:
            raise self._fail(("limits", "max_jobs"), str(exc)) from exc

    def _resolve_inputs(self, value: Any) -> list[Path]:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items:
            raise self._fail(("inputs",), "must be a path, a glob, or a list of them")
        found: list[Path] = []
        for i, item in enumerate(items):
            path = ("inputs",) if isinstance(value, str) else ("inputs", i)
            if not isinstance(item, str):
                raise self._fail(path, f"must be a path or glob, got {item!r}")
            matches = self._matches(item)
            files: list[Path] = []
            for m in matches:
                if m.is_dir():
                    files.extend(sorted(f for f in m.iterdir() if f.suffix.lower() in IMAGE_EXTENSIONS | VIDEO_EXTENSIONS))
                elif m.suffix.lower() in IMAGE_EXTENSIONS | VIDEO_EXTENSIONS:
                    files.append(m)
            files = [f for f in files if not self._own_report(f)]
            if not files:
                raise self._fail(path, f"{item!r} matches no image or video (relative to {self.base_dir})")
            found.extend(f.resolve() for f in files if f.resolve() not in found)
        return found

    def _matches(self, item: str) -> list[Path]:
        """The paths ``item`` names: itself when it exists (a name like ``face[1].png`` is a
        file name, not a pattern), else the files and folders its glob matches."""
        literal = self.base_dir / item
        if literal.exists():
            return [literal]
        return [Path(m) for m in sorted(glob.glob(str(literal), recursive=True))]

    def _own_report(self, path: Path) -> bool:
        """Whether ``path`` is this experiment's contact sheet (made by an earlier run), which
        a glob over the output folder must not take as an input."""
        from pyfame.experiment.report import CONTACT_SHEET_NAME, is_contact_sheet

        return path.resolve() == self.output_dir / CONTACT_SHEET_NAME and is_contact_sheet(path)

    def _settings(self, data: dict[str, Any]) -> dict[str, Any]:
        from pyfame.face.tracker_settings import TrackerSettings
        from pyfame.pipeline.run_options import RunOptions, RunSettings

        tracking = self._mapping(data.get("tracking", {}) or {}, ("tracking",), TRACKING_KEYS)
        encoding = self._mapping(data.get("encoding", {}) or {}, ("encoding",), ENCODING_KEYS)
        settings = {"tracking": dict(tracking), "no_face": data.get("no_face", "pass"),
                    "landmark_cache": data.get("landmark_cache", True),
                    "allow_truncated": data.get("allow_truncated", False),
                    "max_pixels": data.get("max_pixels", MAX_PIXELS)}
        table_format = data.get("table_format", "csv")
        try:  # the run setting's own declaration (csv or parquet): probe tables and the manifest
            settings["table_format"] = RunSettings.parameters["table_format"].kind.check(table_format,
                                                                                          "table_format")
        except PyfameError as exc:
            raise self._fail(("table_format",), str(exc)) from exc
        try:
            options = RunOptions(tracker=TrackerSettings(**tracking), no_face=settings["no_face"],
                                 crf=encoding.get("crf"), preset=encoding.get("preset"),
                                 encoder_profile=encoding.get("encoder_profile", DEFAULT_ENCODER_PROFILE),
                                 landmark_cache=settings["landmark_cache"],
                                 allow_truncated=settings["allow_truncated"], max_pixels=settings["max_pixels"])
        except PyfameError as exc:
            name = exc.param or ""
            section = ("tracking", name) if name in TRACKING_KEYS else (("encoding", name) if name in ENCODING_KEYS
                                                                        else (name,))
            raise self._fail(section, str(exc)) from exc
        settings.update(allow_truncated=options.allow_truncated, max_pixels=options.max_pixels)
        # the values used, so every job (another process, a Dask worker) encodes alike
        settings.update(encoder_profile=options.encoder_profile, crf=options.crf, preset=options.preset)
        return settings

    def _operations(self, value: Any) -> list[tuple[str, dict[str, Any], dict[str, list[Path]]]]:
        """Each operation: its folder name, its spec, and its inputs (the experiment's inputs
        for an operation of one input, unless it names its own, relative to this file)."""
        from pyfame.pipeline.registry import lookup

        if not isinstance(value, list):
            raise self._fail(("operations",), "must be a list of operations")
        out = []
        for i, spec in enumerate(value):
            path = ("operations", i)
            if not isinstance(spec, dict) or "type" not in spec:
                raise self._fail(path, "an operation is a mapping with a 'type'")
            try:
                cls = lookup(spec["type"], "operation")
            except PyfameError as exc:
                raise self._fail((*path, "type"), str(exc)) from exc
            name = spec.get("name", cls.subfolder)
            if not isinstance(name, str) or not name.strip() or any(c in name for c in "/\\\0") or name in (".", ".."):
                raise self._fail((*path, "name"), "an operation's name is a plain folder name")
            sources: dict[str, list[Path]] = {}
            for input_name in cls.inputs:  # type: ignore[attr-defined]
                if input_name in spec:
                    given = spec[input_name]
                    items = given if isinstance(given, list) else [given]
                    sources[input_name] = [p for item in items for p in (self._glob(item, (*path, input_name)))]
                elif len(cls.inputs) == 1:  # type: ignore[attr-defined]
                    sources[input_name] = list(self.inputs)
                else:
                    raise self._fail(path, f"{cls.name} needs {input_name}")
            params = {k: v for k, v in spec.items() if k not in ("type", "name", *cls.inputs)}  # type: ignore[attr-defined]
            built = self._built({"type": cls.name, **params}, path, "operation")
            named = [k for k in built.param_inputs() if isinstance(params.get(k), str)]  # type: ignore[attr-defined]
            if any(not Path(params[k]).is_absolute() for k in named):  # files named by parameters: like inputs,
                params.update({k: str(self.base_dir / params[k]) for k in named})  # relative to this file
                built = self._built({"type": cls.name, **params}, path, "operation")
            out.append((name, built.to_dict(), sources))
        return out

    def _glob(self, item: Any, path: tuple[Any, ...]) -> list[Path]:
        if not isinstance(item, str):
            raise self._fail(path, f"must be a path or glob, got {item!r}")
        found = [m.resolve() for m in self._matches(item)]
        if not found:
            raise self._fail(path, f"{item!r} matches nothing (relative to {self.base_dir})")
        return found

    def all_inputs(self) -> list[Path]:
        """Every file the experiment reads: its inputs and the operations' own inputs."""
        found = list(self.inputs)
        for _, _, sources in self.operations:
            found += [p for paths in sources.values() for p in paths if p not in found]
        return found

    def report_files(self) -> dict[str, Path]:
        """The manifest and contact sheet every run (re)writes in ``output_dir``."""
        from pyfame.experiment.report import CONTACT_SHEET_NAME

        return {self.manifest_path.name: self.manifest_path, CONTACT_SHEET_NAME: self.output_dir / CONTACT_SHEET_NAME}

    def _check_outputs(self) -> None:
        """Every output (the jobs', the manifest, the contact sheet) inside ``output_dir``, none
        an input, none made twice: before any work (:func:`~pyfame.pipeline.output_policy.claim_output`)."""
        from pyfame.pipeline.output_policy import OutputFolder, inside

        folder = OutputFolder(self.output_dir, self.all_inputs())
        seen: set[Path] = set()
        for job in self.jobs():
            out = Path(job.output)
            try:
                folder.claim(out, existing=False)
            except PyfameError as exc:
                key = "output_dir" if inside(out, self.output_dir) else "naming"  # an input, or outside
                raise self._fail((key,), f"{exc} (condition {job.condition!r})") from exc
            if out.resolve() in seen:
                raise self._fail(("naming",), "gives two jobs the same output path; add {input_name} or {condition}")
            seen.add(out.resolve())
        for name, path in self.report_files().items():
            try:
                folder.claim(path, existing=False)
            except PyfameError as exc:
                raise self._fail(("output_dir",), f"every run writes {name} there: {exc}") from exc
            if path.resolve() in seen:
                raise self._fail(("naming",), f"gives an output the name of the run's {name}")

    def _probe(self, spec: Any, path: tuple[Any, ...]) -> dict[str, Any]:
        return self._built(spec, path, "probe").to_dict()

    def _built(self, spec: Any, path: tuple[Any, ...], family: str, factors: dict[str, Any] | None = None) -> Any:
        """``spec`` built as a ``family`` object, or an ExperimentError at its key and line."""
        try:
            return build(spec, family)
        except PyfameError as exc:
            key = getattr(exc, "param", None)
            where = (*path, key) if isinstance(spec, dict) and key in spec else path
            name = spec.get("type") if isinstance(spec, dict) else None
            prefix = f"{name}: " if name and not str(exc).startswith(str(name)) else ""
            raise self._fail(where, prefix + str(exc) + (f" (with {factors})" if factors else "")) from exc

    def _conditions(self, value: Any) -> list[tuple[str, list[dict[str, Any]], dict[str, Any], Any]]:
        if not isinstance(value, list) or not value:
            raise self._fail(("conditions",), "must be a non-empty list")
        out: list[tuple[str, list[dict[str, Any]], dict[str, Any], Any]] = []
        planned = 0
        for i, cond in enumerate(value):
            path = ("conditions", i)
            cond = self._mapping(cond, path, CONDITION_KEYS)
            name = cond.get("name")
            if not isinstance(name, str) or not name.strip() or any(c in name for c in "/\\\0") or \
                    name.strip() in (".", ".."):
                raise self._fail((*path, "name"), "every condition needs a name, a plain folder name "
                                                  "(no '/', '\\', '.' or '..')")
            layers = cond.get("layers", [])
            if not isinstance(layers, list) or not (layers or cond.get("frame_plan")):
                raise self._fail((*path, "layers"), "must be a non-empty list of layers (or give a frame_plan)")
            vary = cond.get("vary") or {}
            if not isinstance(vary, dict) or any(not isinstance(v, list) or not v for v in vary.values()):
                raise self._fail((*path, "vary"), "must map each factor to a non-empty list of values")
            factor_names = list(vary)
            from pyfame.experiment.report import MANIFEST_COLUMNS

            for factor in factor_names:
                if not isinstance(factor, str) or not factor.isidentifier() or factor in MANIFEST_COLUMNS:
                    raise self._fail((*path, "vary", factor), "a factor needs a plain name (letters, digits, _) "
                                                              f"other than {', '.join(MANIFEST_COLUMNS)}")
            planned += math.prod(len(v) for v in vary.values()) * len(self.inputs)  # before any product
            if planned > self.max_jobs:
                raise self._fail((*path, "vary") if vary else path,
                                 f"the experiment would plan {planned:,} jobs or more (inputs x conditions x vary "
                                 f"combinations), above the limit of {self.max_jobs:,}; raise limits.max_jobs "
                                 "if that many are meant")
            combos = list(itertools.product(*vary.values())) if vary else [()]
            for combo in combos:
                factors = dict(zip(factor_names, combo))
                label = name + "".join(f"_{k}-{_label(v)}" for k, v in factors.items())
                specs = [self._built(_substitute(layer, factors), (*path, "layers", j), "layer", factors).to_dict()
                         for j, layer in enumerate(layers)]
                plan = cond.get("frame_plan")
                plan_spec = None if plan is None else self._built(_substitute(plan, factors), (*path, "frame_plan"),
                                                                 "frame_plan", factors).to_dict()
                out.append((label, specs, factors, plan_spec))
        labels = [c[0] for c in out]
        if len(set(labels)) != len(labels):
            raise self._fail(("conditions",), "two conditions have the same name")
        return out

    # ---- jobs ------------------------------------------------------------------------------
    def jobs(self) -> list[Job]:
        """Every (input, condition) pair, in order: inputs within conditions."""
        jobs = []
        stems = [p.stem for p in self.inputs]
        for label, specs, factors, plan in self.conditions:
            for path in self.inputs:
                ext = ".mp4" if path.suffix.lower() in VIDEO_EXTENSIONS else path.suffix.lower()
                name = path.name if stems.count(path.stem) == 1 else f"{path.parent.name}_{path.name}"
                seed = derived_seed(self.seed, name, label)
                rel = self.naming.format(condition=label, stem=path.stem, ext=ext, input_name=name, seed=seed)
                if not rel.endswith(ext):
                    rel += ext
                jobs.append(Job(str(path), name, label, tuple(specs), tuple(self.probes),
                                str(self.output_dir / rel), seed, self.settings, factors, plan))
        return jobs

    @property
    def manifest_path(self) -> Path:
        """``output_dir/manifest.csv``, or ``manifest.parquet`` with ``table_format: parquet``."""
        return self.output_dir / f"manifest.{self.settings['table_format']}"

    def run(self, executor: Any = None, workers: int | None = None, scheduler: Any = None,
            progress: bool = False, overwrite: bool = False, allow_truncated: bool | None = None,
            max_pixels: int | None = None, **cluster: Any) -> Any:
        """Make every output (skipping those already made with the same inputs and settings);
        write ``manifest.csv`` (``.parquet`` with the file's ``table_format: parquet``) and
        ``contact_sheet.png`` in the output folder. Returns the
        :class:`~pyfame.experiment.report.RunReport`.

        Before any work, every output that exists already is compared with its job's request
        (as the seed functions do): one made by the same request is skipped; one made with
        other parameters (or not by PyFAME) is refused with ``OutputExistsError`` naming it,
        unless ``overwrite=True`` (``--overwrite``), which makes it again (status ``remade``).
        A file in the way of the manifest or contact sheet that is not a previous run's is
        refused the same way.

        ``executor``: ``"serial"``, ``"processes"`` (the default for more than one output),
        ``"dask"``, ``"slurm"``, an executor object or a ``dask.distributed.Client``;
        ``scheduler`` a Dask scheduler address or Client (it means ``executor="dask"``).
        ``allow_truncated`` and ``max_pixels`` override the file's keys of the same names
        (reading inputs: see :class:`~pyfame.pipeline.run_options.RunOptions`).
        ``cluster``: for ``executor="slurm"`` (which they imply), ``jobs``, ``cores``,
        ``memory`` and ``walltime`` (and other ``SLURMCluster`` options); ``dashboard=True``
        starts Dask's dashboard. Arguments given here override the file's ``executor:``
        section; a setting the executor would ignore is an error. The conditions' outputs and
        then the operations' jobs run on that one executor (a cluster it starts stays up for
        both).
        """
        from dataclasses import replace

        from pyfame.experiment.job_runner import run_job
        from pyfame.experiment.report import (
            CONTACT_SHEET_NAME,
            RunReport,
            is_contact_sheet,
            is_manifest,
            write_contact_sheet,
            write_manifest,
        )
        from pyfame.pipeline.executors import holding, implied_executor, make_executor, run_batch
        from pyfame.pipeline.output_policy import OutputFolder
        from pyfame.validation import check_bool

        check_bool(overwrite, "overwrite")
        settings = self.read_settings(allow_truncated, max_pixels)
        reports = self.report_files()
        folder = OutputFolder(self.output_dir, self.all_inputs(), overwrite=overwrite)
        folder.claim(self.manifest_path, ours=is_manifest)
        folder.claim(reports[CONTACT_SHEET_NAME], ours=is_contact_sheet)
        jobs = [replace(j, settings=settings).as_dict(overwrite) for j in self.jobs()]
        called = {k: v for k, v in cluster.items() if v is not None}
        if implied_executor(executor, scheduler, **called) is not None:  # the call's own settings
            kind, address, options = implied_executor(executor, scheduler, **called), scheduler, called
            n = workers
        else:  # the file's, for what the call leaves out
            options = {**{k: self.executor[k] for k in ("jobs", "cores", "memory", "walltime", "dashboard")
                          if self.executor.get(k) is not None}, **called}
            address = self.executor.get("scheduler")
            kind = implied_executor(self.executor.get("type"), address, **options)
            n = workers or self.executor.get("workers")
        if kind is None:
            kind = "processes" if len(jobs) > 1 else "serial"
        chosen = make_executor(kind, n, len(jobs), address, **options)  # errors before any work
        self._refuse_changed_outputs(jobs, settings, overwrite)
        self.output_dir.mkdir(parents=True, exist_ok=True)
        with holding(chosen):
            records = run_batch(run_job, jobs, chosen, progress=progress, desc="outputs") if jobs else []
            records += self._run_operations(overwrite, settings, chosen)
        report = RunReport(records)
        write_manifest(report, self.manifest_path)
        write_contact_sheet(report, reports[CONTACT_SHEET_NAME])
        return report

    def read_settings(self, allow_truncated: bool | None = None, max_pixels: int | None = None) -> dict[str, Any]:
        """The file's settings, with ``allow_truncated`` and ``max_pixels`` replaced when given."""
        from pyfame.io.image_source import check_max_pixels
        from pyfame.validation import check_bool

        settings = dict(self.settings)
        if allow_truncated is not None:
            settings["allow_truncated"] = check_bool(allow_truncated, "allow_truncated")
        if max_pixels is not None:
            settings["max_pixels"] = check_max_pixels(max_pixels)
        return settings

    def _refuse_changed_outputs(self, jobs: list[dict[str, Any]], settings: dict[str, Any], overwrite: bool) -> None:
        """Before any work: refuse (unless ``overwrite``) when an output of a job or an
        operation exists and was made with other parameters (or not by PyFAME), naming the
        first and counting them. Only sidecars are read here (no input is hashed); an output
        whose input bytes changed is refused by its own job."""
        from pyfame.experiment.job_runner import job_options, job_targets, job_work
        from pyfame.pipeline.operation import plan_operation
        from pyfame.pipeline.output_policy import OutputExistsError, other_parameters, request_record

        if overwrite or not self.output_dir.is_dir():  # nothing to replace
            return
        changed: list[Path] = []
        for job in jobs:
            work = job_work(job)
            targets = job_targets(job, work)
            if not any(p.exists() for p in targets.all()):
                continue
            found = other_parameters(targets, request_record(work, job_options(job), "", targets.media))
            if found is not None:
                changed.append(found)
        for name, spec, sources in self.operations:
            plan = plan_operation(build(spec, "operation"), sources, self.output_dir,
                                  self._operation_settings(name, settings, overwrite), subfolder=name)
            changed += plan.changed_outputs()
        if changed:
            more = f" (and {len(changed) - 1} more)" if len(changed) > 1 else ""
            raise OutputExistsError(f"{changed[0]}{more} exists and was made with other parameters (or is not "
                                    "PyFAME's); pass overwrite=True (--overwrite) to make it again, or choose another "
                                    "output_dir", param="overwrite")

    def _operation_settings(self, name: str, settings: dict[str, Any], overwrite: bool) -> Any:
        from pyfame.pipeline.run_options import RunSettings

        return RunSettings(seed=derived_seed(self.seed, "operation", name), overwrite=overwrite, crf=settings["crf"],
                           preset=settings["preset"], encoder_profile=settings["encoder_profile"],
                           table_format=settings["table_format"],
                           allow_truncated=settings["allow_truncated"],
                           max_pixels=settings["max_pixels"], **settings["tracking"])

    def _run_operations(self, overwrite: bool, settings: dict[str, Any], executor: Any = None) -> list[dict[str, Any]]:
        """Each operation into ``output_dir/<name>/``, its jobs on ``executor``; one record per
        output (its own inputs and their frame counts) or per failure (every input)."""
        from pyfame.hashing import file_sha256
        from pyfame.pipeline.operation import run_operation

        records = []
        for name, spec, sources in self.operations:
            seed = derived_seed(self.seed, "operation", name)
            every = [str(p) for paths in sources.values() for p in paths]
            base = {"input": every[0], "inputs": every, "condition": name, "seed": seed, "factors": {},
                    "layers": [spec], "frames": 0, "frames_with_face": 0, "sha256": "", "error": ""}
            try:
                results = run_operation(build(spec, "operation"), sources, self.output_dir,
                                        self._operation_settings(name, settings, overwrite), subfolder=name,
                                        executor=executor)
                for r in results:
                    records.append({**base, "input": str(r.input), "inputs": [str(p) for p in r.inputs] or [str(r.input)],
                                    "output": str(r.output), "sha256": file_sha256(r.output),
                                    "frames": r.frames, "frames_with_face": r.frames_with_face,
                                    "status": "skipped" if r.skipped else "made"})
            except PyfameError as exc:
                records.append({**base, "output": str(self.output_dir / name), "status": "failed",
                                "error": f"{type(exc).__name__}: {exc}"})
        return records


def _label(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("/", "-").replace(" ", "")
