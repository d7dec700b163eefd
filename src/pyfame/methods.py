"""``pyfame methods``: a ready-to-paste methods paragraph from the sidecars of what was made.

Everything in the paragraph comes from records, never from memory: the sidecars (operations
and every parameter, seeds, software and model versions with the model's sha256, encoder,
tracker settings, frames with a face) and the classes' declarations (what each parameter
means and its unit; the works to cite for each method).

Examples
--------
>>> describe_value(8.0, "CIELAB units")
'8 CIELAB units'
"""

from __future__ import annotations

import json
import math
import os
from collections import Counter
from pathlib import Path
from typing import Any

from pyfame.errors import PyfamePathError, PyfameValueError

FORMATS = ("markdown", "latex", "text")

#: Works every PyFAME output rests on.
BASE_REFERENCES = (
    "Kartynnik, Y., Ablavatski, A., Grishchenko, I., & Grundmann, M. (2019). Real-time facial surface geometry "
    "from monocular video on mobile GPUs. CVPR Workshop on Computer Vision for Augmented and Virtual Reality. "
    "arXiv:1907.06724.",
    "Lugaresi, C., Tang, J., Nash, H., McClanahan, C., Uboweja, E., Hays, M., Zhang, F., Chang, C.-L., Yong, M. G., "
    "Lee, J., Chang, W.-T., Hua, W., Georg, M., & Grundmann, M. (2019). MediaPipe: A framework for building "
    "perception pipelines. arXiv:1906.08172.",
)


def describe_value(value: Any, unit: str | None = None) -> str:
    """A parameter value in words: ``8 CIELAB units``, ``'face_skin'``, ``on``."""
    if isinstance(value, bool):
        text = "on" if value else "off"
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, list) and len(value) == 3 and all(isinstance(v, int) for v in value):
        text = f"RGB ({value[0]}, {value[1]}, {value[2]})"
    elif value is None:
        text = "none"
    else:
        text = str(value)
    return f"{text} {unit}" if unit and value is not None and not isinstance(value, bool) else text


def _sidecars(path: Path) -> list[tuple[Path, dict[str, Any]]]:
    from pyfame.provenance import SIDECAR_SUFFIX

    if path.is_file() and path.name.endswith(SIDECAR_SUFFIX):
        files = [path]
    elif path.is_file() and path.name in ("manifest.csv", "manifest.parquet"):
        import pandas as pd

        manifest = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
        files = []
        for out in manifest.get("output", []):
            target = Path(out) if Path(out).is_absolute() else path.parent / out
            files.append(target.with_name(target.name + SIDECAR_SUFFIX))
    elif path.is_file():
        files = [path.with_name(path.name + SIDECAR_SUFFIX)]
    elif path.is_dir():
        files = sorted(path.rglob("*" + SIDECAR_SUFFIX))
    else:
        raise PyfamePathError(f"path: {path} does not exist", param="path")
    from pyfame.provenance import SidecarError, check_sidecar

    records = []
    for f in files:
        if not f.is_file():
            continue
        try:
            record = json.loads(f.read_text())
        except (OSError, ValueError) as exc:
            raise SidecarError(f"{f}: not valid JSON ({exc})", param="path") from exc
        record = check_sidecar(record, str(f))  # a damaged sidecar is named, never described
        if "layers" in record:
            records.append((f, record))
    if not records:
        raise PyfameValueError(f"path: {path} holds no PyFAME output with a sidecar", param="path")
    return records


#: The parameters of a timed layer that the timing sentence describes (not listed one by one).
TIMING_PARAMS = ("onset_t", "offset_t", "timing_func", "ramp_in", "ramp_out", "k", "mean", "sigma", "timing_kwargs")


def _seconds(value: float) -> str:
    return f"{value:.3g} s"


def _span(values: list[float]) -> str:
    """``1.2 s``, or ``1.2-3.4 s`` when the videos differ."""
    low, high = min(values), max(values)
    return _seconds(low) if math.isclose(low, high, abs_tol=5e-4) else f"{low:.3g}-{high:.3g} s"


def timing_sentence(spec: dict[str, Any], durations: list[float | None]) -> str:
    """How a timed layer's strength ran over time, in words, with the ramp durations it used
    on videos of ``durations`` seconds (None: a still, shown at full strength).

    Examples
    --------
    >>> timing_sentence({"timing_func": "linear", "onset_t": 0.5, "offset_t": 0.0}, [2.5])
    'Its strength followed a linear curve from 0.5 s to the end of the video (2.5 s): rising in a straight line from 0 to full strength over 0.5 s, held, and falling back to 0 over 0.5 s (the default ramps, a quarter of the window each).'
    """
    from pyfame.utils.timing_functions import _ramps

    name = spec.get("timing_func")
    videos = [d for d in durations if d is not None]
    if not videos:
        return (f"Its timing (a {name} curve from {_seconds(float(spec.get('onset_t') or 0.0))}) applies to "
                "videos only: on stills the manipulation is at full strength.")
    onset = float(spec.get("onset_t") or 0.0)
    offset = float(spec.get("offset_t") or 0.0)
    ends = [offset if offset else d for d in videos]
    window = (f"from {_seconds(onset)} to {_seconds(offset)}" if offset else
              f"from {_seconds(onset)} to the end of the video" + ("s" if len(videos) > 1 else "")
              + f" ({_span(videos)})")
    still_note = " Stills are shown at full strength." if len(videos) < len(durations) else ""
    rin_given, rout_given = spec.get("ramp_in"), spec.get("ramp_out")
    ramps = [_ramps(onset, end, rin_given, rout_given) for end in ends]
    rin, rout = _span([r[0] for r in ramps]), _span([r[1] for r in ramps])
    default = (" (the default ramps, a quarter of the window each)" if rin_given is None and rout_given is None
               else "")
    if name == "constant":
        shape = f"Its strength was constant (full strength) {window}."
    elif name == "linear":
        shape = (f"Its strength followed a linear curve {window}: rising in a straight line from 0 to full "
                 f"strength over {rin}, held, and falling back to 0 over {rout}{default}.")
    elif name == "sigmoid":
        k = spec.get("k") or 1.0
        shape = (f"Its strength followed a sigmoid curve {window}: logistic ramps (steepness k = {k:g}) rising "
                 f"from 0 to full strength over {rin}, held, and falling back to 0 over {rout}{default}.")
    elif name == "gaussian":
        means = [spec["mean"]] if spec.get("mean") is not None else [(onset + end) / 2 for end in ends]
        sigmas = [spec["sigma"]] if spec.get("sigma") is not None else [(end - onset) / 6 for end in ends]
        shape = (f"Its strength followed a Gaussian curve {window}: a bell peaking at {_span(means)} with a "
                 f"standard deviation of {_span(sigmas)}"
                 + (" (the defaults: the window's centre and a sixth of it)" if spec.get("mean") is None
                    and spec.get("sigma") is None else "") + ".")
    else:
        extra = spec.get("timing_kwargs") or {}
        shape = (f"Its strength followed the custom timing function {name} {window}"
                 + (f" with {', '.join(f'{k} = {v}' for k, v in extra.items())}" if extra else "") + ".")
    return shape + still_note


def _duration(sidecar: Path, record: dict[str, Any]) -> float | None:
    """The output video's duration in seconds (None for a still, or a video that is gone)."""
    from pyfame.io.media_kinds import VIDEO_EXTENSIONS
    from pyfame.provenance import SIDECAR_SUFFIX

    output = sidecar.with_name(sidecar.name[: -len(SIDECAR_SUFFIX)])
    if output.suffix.lower() not in VIDEO_EXTENSIONS:
        return None
    try:
        from pyfame.io.media_info import media_info

        return float(media_info(output)["duration_s"])
    except Exception:  # a file moved or unreadable: its timing is told without the duration
        return None


def _shown_path(value: str, folder: Path) -> str:
    """A file a parameter named, as a reader can use it: relative to the output's folder when
    close to it, else by its name (never an absolute path of the machine that made it)."""
    try:
        relative = os.path.relpath(value, folder)
    except ValueError:  # another drive
        return Path(value).name
    return relative if relative.count("..") <= 2 else Path(value).name


def _operation_sentences(record: dict[str, Any], durations: dict[str, list[float | None]] | None = None,
                         folder: Path | None = None) -> list[tuple[str, tuple[str, ...]]]:
    """One sentence per layer, probe, frame plan and operation of a record, with its references."""
    from pyfame.pipeline.registry import lookup

    request = record.get("request") or {}
    specs = [("layer", s) for s in request.get("layers", [])] or [
        ("layer", {"type": layer["name"], **layer.get("params", {})}) for layer in record.get("layers", [])]
    specs += [("probe", s) for s in request.get("probes", [])]
    if request.get("frame_plan"):
        specs.append(("frame_plan", request["frame_plan"]))
    if isinstance(request.get("operation"), dict):
        specs.append(("operation", request["operation"]))
    out = []
    for family, spec in specs:
        try:
            cls = lookup(spec["type"], family)
        except PyfameValueError:
            out.append((f"{spec['type']} (a layer this installation does not know) with "
                        + ", ".join(f"{k} = {v}" for k, v in spec.items() if k != "type") + ".", ()))
            continue
        summary = " ".join(((cls.__doc__ or "").strip().split("\n\n")[0]).split()).replace("``", "").rstrip(".")
        parts = []
        timed = "timing_func" in spec
        for p in cls.parameters.values():
            if p.name not in spec or not p.cli or (timed and p.name in TIMING_PARAMS):
                continue
            value = spec[p.name]
            if value is None and p.default is None:
                continue
            label = p.help.rstrip(".") or p.name.replace("_", " ")
            if isinstance(value, str) and os.path.isabs(value) and folder is not None:
                value = _shown_path(value, folder)
            shown = "as recorded in the sidecar" if len(json.dumps(value)) > 200 else describe_value(value, p.unit)
            parts.append(f"{label[0].lower() + label[1:]}: {shown}")
        role = {"layer": "manipulation", "probe": "measurement", "frame_plan": "temporal transform",
                "operation": "operation over the set of inputs"}[family]
        sentence = (f"The {role} `{cls.name}` ({summary.lower()[0] + summary[1:]}) was applied"
                    + (" with " + "; ".join(parts) if parts else "") + ".")
        if timed and durations is not None:
            sentence += " " + timing_sentence(spec, durations.get(_spec_key(spec), [None]))
        out.append((sentence, tuple(cls.references)))
    return out


def _spec_key(spec: dict[str, Any]) -> str:
    return json.dumps(spec, sort_keys=True, default=str)


def _timed_specs(record: dict[str, Any]) -> list[dict[str, Any]]:
    request = record.get("request") or {}
    specs = request.get("layers") or [{"type": layer["name"], **layer.get("params", {})}
                                      for layer in record.get("layers", [])]
    return [spec for spec in specs if "timing_func" in spec]


#: The versions the paragraph names, as (label, where in a sidecar).
VERSIONS = (("PyFAME", ("pyfame",)), ("Python", ("packages", "python")), ("MediaPipe", ("packages", "mediapipe")),
            ("OpenCV", ("packages", "opencv")), ("PyAV", ("packages", "av")), ("NumPy", ("packages", "numpy")),
            ("the model", ("model", "sha256")))


def _version(record: dict[str, Any], where: tuple[str, ...]) -> Any:
    value: Any = record
    for key in where:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def versions_sentence(records: list[dict[str, Any]]) -> str:
    """Empty when every sidecar names the same versions; else which differ and in how many
    outputs (the paragraph's versions are the first output's).

    Examples
    --------
    >>> versions_sentence([{"pyfame": "0.3.0"}, {"pyfame": "0.3.0"}])
    ''
    >>> print(versions_sentence([{"pyfame": "0.3.0"}, {"pyfame": "0.2.0"}, {"pyfame": "0.3.0"}]))
    The outputs were not all made with the same software (the versions above are the first output's): PyFAME 0.3.0 (2 outputs), 0.2.0 (1 output).
    """
    differing = []
    for label, where in VERSIONS:
        counts = Counter(str(_version(r, where)) for r in records)
        if len(counts) > 1:
            listed = ", ".join(f"{v} ({n} output{'s' if n != 1 else ''})" for v, n in counts.most_common())
            differing.append(f"{label} {listed}")
    if not differing:
        return ""
    return ("The outputs were not all made with the same software (the versions above are the first output's): "
            + "; ".join(differing) + ".")


def methods_paragraph(path: str | os.PathLike[str], format: str = "markdown") -> str:
    """The methods paragraph for an output, a folder of outputs, or an experiment's manifest.

    Parameters
    ----------
    path : str or Path
        An output (its sidecar is read), a sidecar, a folder (every sidecar below it) or an
        experiment's ``manifest.csv`` (or ``manifest.parquet``).
    format : {"markdown", "latex", "text"}
        Markup of the paragraph and the reference list.

    Examples
    --------
    >>> # print(methods_paragraph("out/Color_Shifted/face.png"))
    """
    if format not in FORMATS:
        raise PyfameValueError(f"format must be one of {FORMATS}, got {format!r}", param="format")
    records = _sidecars(Path(path))
    first = records[0][1]
    n = len(records)
    kinds = Counter(Path(r.get("output", {}).get("path", "")).suffix.lower() for _, r in records)
    videos = sum(c for s, c in kinds.items() if s == ".mp4")
    what = (f"{n} stimulus file{'s' if n != 1 else ''}" + (f" ({videos} video{'s' if videos != 1 else ''}, "
                                                          f"{n - videos} still{'s' if n - videos != 1 else ''})"
                                                          if videos else ""))
    sentences: list[str] = []
    references: list[str] = list(BASE_REFERENCES)
    model = first.get("model", {})
    tracker = first.get("tracker", {})
    sentences.append(
        f"We made {what} with PyFAME {first.get('pyfame')} (Python Facial Analysis and Manipulation Environment; "
        f"Python {first.get('packages', {}).get('python')}, MediaPipe {first.get('packages', {}).get('mediapipe')}, "
        f"OpenCV {first.get('packages', {}).get('opencv')}, PyAV {first.get('packages', {}).get('av')}, NumPy "
        f"{first.get('packages', {}).get('numpy')}).")
    sentences.append(
        f"The face was tracked in every frame with the {model.get('name', 'MediaPipe Face Landmarker')} "
        f"(478 landmarks; model sha256 {model.get('sha256', '?')}), with detection and tracking confidence "
        f"thresholds of {tracker.get('min_detection_confidence')} and {tracker.get('min_tracking_confidence')}"
        + (f", landmarks smoothed with a One-Euro filter (minimum cut-off {tracker['smoothing']} Hz)"
           if tracker.get("smoothing") else "") + ".")
    differ = versions_sentence([r for _, r in records])
    if differ:
        sentences.append(differ)
    durations: dict[str, list[float | None]] = {}
    for side, record in records:
        specs = _timed_specs(record)
        if specs:
            length = _duration(side, record)
            for spec in specs:
                durations.setdefault(_spec_key(spec), []).append(length)
    seen: set[str] = set()
    for side, record in records:
        for sentence, refs in _operation_sentences(record, durations, side.parent):
            if sentence not in seen:
                seen.add(sentence)
                sentences.append(sentence)
                references += [r for r in refs if r not in references]
    seeds = sorted({r.get("seed") for _, r in records})
    given = {(r.get("request") or {}).get("seed") for _, r in records}
    if len(seeds) == 1:
        seed_text = f"All random draws came from base seed {seeds[0]}"
    else:
        seed_text = f"Each output had its own seed ({len(seeds)} seeds, recorded with each file)"
    if given == {None}:
        seed_text += " (drawn by PyFAME and recorded)"
    sentences.append(seed_text + "; every layer draws from its own generator derived from that seed "
                     "(NumPy SeedSequence), so the same inputs, parameters and seed give byte-identical outputs.")
    policy = Counter(r.get("no_face_policy") for _, r in records).most_common(1)[0][0]
    without = sum((r.get("frames") or {}).get("without_face", 0) for _, r in records)
    total = sum((r.get("frames") or {}).get("decoded", 0) for _, r in records)
    sentences.append(f"Frames without a detected face ({without} of {total}) were handled with the '{policy}' "
                     "policy.")
    encoders = {json.dumps(r.get("encoder"), sort_keys=True) for _, r in records if r.get("encoder")}
    for enc in sorted(encoders):
        e = json.loads(enc)
        profile = f", PyFAME's '{e['profile']}' encoder profile" if e.get("profile") else ""
        fixed = (f", {e['threads']} threads, x264 options {e['x264_params']}"
                 if e.get("threads") and e.get("x264_params") else "")
        sentences.append(f"Videos were encoded as H.264 (libx264, preset {e.get('preset')}, CRF {e.get('crf')}"
                         f"{profile}{fixed}; 4:2:0 chroma, or 4:4:4 at an odd frame width or height; BT.601 "
                         "limited range, tagged as such) with the input's frame rate, timestamps and audio.")
    references.append("PyFAME developers. PyFAME: the Python Facial Analysis and Manipulation Environment "
                      f"(version {first.get('pyfame')}). See CITATION.cff.")
    return _render(sentences, references, format)


def _escape_latex(text: str) -> str:
    for a, b in (("\\", r"\textbackslash{}"), ("&", r"\&"), ("%", r"\%"), ("$", r"\$"), ("#", r"\#"),
                 ("_", r"\_"), ("{", r"\{"), ("}", r"\}"), ("~", r"\textasciitilde{}"), ("^", r"\^{}")):
        text = text.replace(a, b)
    return text.replace("`", "")


def _render(sentences: list[str], references: list[str], format: str) -> str:
    if format == "latex":
        body = _escape_latex(" ".join(sentences))
        refs = "\n".join(rf"\bibitem{{pyfame{i}}} {_escape_latex(r)}" for i, r in enumerate(references, 1))
        return f"{body}\n\n\\begin{{thebibliography}}{{{len(references)}}}\n{refs}\n\\end{{thebibliography}}\n"
    if format == "text":
        body = " ".join(sentences).replace("`", "")
        return body + "\n\nReferences\n" + "\n".join(f"- {r}" for r in references) + "\n"
    return " ".join(sentences) + "\n\n**References**\n\n" + "\n".join(f"- {r}" for r in references) + "\n"


__all__ = ["FORMATS", "describe_value", "methods_paragraph", "timing_sentence", "versions_sentence"]
