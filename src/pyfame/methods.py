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
    records = []
    for f in files:
        if not f.is_file():
            continue
        try:
            record = json.loads(f.read_text())
        except (OSError, ValueError):
            continue
        if isinstance(record, dict) and "layers" in record:
            records.append((f, record))
    if not records:
        raise PyfameValueError(f"path: {path} holds no PyFAME output with a sidecar", param="path")
    return records


def _operation_sentences(record: dict[str, Any]) -> list[tuple[str, tuple[str, ...]]]:
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
        for p in cls.parameters.values():
            if p.name not in spec or not p.cli:
                continue
            value = spec[p.name]
            if value is None and p.default is None:
                continue
            label = p.help.rstrip(".") or p.name.replace("_", " ")
            shown = "as recorded in the sidecar" if len(json.dumps(value)) > 200 else describe_value(value, p.unit)
            parts.append(f"{label[0].lower() + label[1:]}: {shown}")
        role = {"layer": "manipulation", "probe": "measurement", "frame_plan": "temporal transform",
                "operation": "operation over the set of inputs"}[family]
        out.append((f"The {role} `{cls.name}` ({summary.lower()[0] + summary[1:]}) was applied"
                    + (" with " + "; ".join(parts) if parts else "") + ".", tuple(cls.references)))
    return out


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
    seen: set[str] = set()
    for _, record in records:
        for sentence, refs in _operation_sentences(record):
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
        sentences.append(f"Videos were encoded as H.264 (libx264, preset {e.get('preset')}, CRF {e.get('crf')}, "
                         "4:2:0, BT.601 limited range, tagged as such) with the input's frame rate, timestamps "
                         "and audio.")
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


__all__ = ["FORMATS", "describe_value", "methods_paragraph"]
