"""Equate low-level statistics of the face over a set of stills and videos (SHINE in the face)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from pyfame.core.stimulus_control.face_media import (
    Box,
    TrackedMedia,
    box_centre,
    centred_box,
    crop,
    figure_png,
    is_grey,
    read_tracked,
)
from pyfame.errors import ImageShapeError, PyfameError, PyfameTypeError, PyfameValueError
from pyfame.face.region_mask import RegionMask
from pyfame.face.regions import FACE_OVAL_PATH
from pyfame.io.media_kinds import IMAGE_EXTENSIONS, VIDEO_EXTENSIONS, media_kind
from pyfame.pipeline.region_layer import feathering
from pyfame.pipeline.operation import Made, Operation, OperationContext
from pyfame.pipeline.params import Choice, Color, Integer, Kind, Number, Optional, Param, Regions
from pyfame.stimulus_control.amplitude_spectrum import radial_bins
from pyfame.stimulus_control.clip_matching import (
    CLIP_METHODS,
    apply_clip_transform,
    frame_statistics,
    match_clip_statistics,
    pooled_statistics,
    refine_clip_transforms,
)
from pyfame.stimulus_control.luminance import split_luminance
from pyfame.stimulus_control.statistics_matching import (
    HISTOGRAM_SUPPORT,
    METHODS,
    TARGET_KEYS,
    match_statistics,
    set_statistics,
)
from pyfame.stimulus_control.statistics_table import before_after_table, plot_statistics

WILLENBOCKEL_2010 = ("Willenbockel, V., Sadr, J., Fiset, D., Horne, G. O., Gosselin, F., & Tanaka, J. W. (2010). "
                     "Controlling low-level image properties: The SHINE toolbox. Behavior Research Methods, 42(3), "
                     "671-684.")
COLTUC_2006 = ("Coltuc, D., Bolon, P., & Chassery, J.-M. (2006). Exact histogram specification. IEEE Transactions "
               "on Image Processing, 15(5), 1143-1152.")
WANG_2004 = ("Wang, Z., Bovik, A. C., Sheikh, H. R., & Simoncelli, E. P. (2004). Image quality assessment: From "
             "error visibility to structural similarity. IEEE Transactions on Image Processing, 13(4), 600-612.")

#: The names of the set-level outputs (an input may not take one of them).
TABLE_NAME, PLOT_NAME, TARGET_NAME = "match_statistics.csv", "match_statistics.png", "match_target.npz"
#: Still formats written as they are; the others (JPEG, WebP) are written as PNG, because a
#: matched histogram or mean does not survive lossy compression.
LOSSLESS = (".png", ".bmp", ".tif", ".tiff")
TARGET_FIELDS = ("mean", "sd", "histogram", "sf", "spectrum")


class MatchTarget(Kind):
    """What a set is matched to: ``None`` (the set's mean), numbers (a mapping with ``mean``
    and ``sd``, or ``histogram``, ``sf``, ``spectrum``), or a path: a reference image (its
    face's statistics) or the ``match_target.npz`` an earlier match wrote.

    Examples
    --------
    >>> MatchTarget().check({"mean": 55, "sd": 12}, "target")
    {'mean': 55.0, 'sd': 12.0}
    >>> MatchTarget().check({"mean": 55, "sd": -1}, "target")
    Traceback (most recent call last):
    ...
    pyfame.errors.PyfameValueError: target['sd'] must be finite and >= 0, got -1
    """

    annotation = Any

    def check(self, value: Any, name: str) -> Any:
        if value is None:
            return None
        if isinstance(value, (str, os.PathLike)):
            text = os.fspath(value)
            suffix = Path(text).suffix.lower()
            if suffix not in IMAGE_EXTENSIONS and suffix != ".npz":
                raise PyfameValueError(f"{name} must be a reference image or a match_target.npz, got {text!r}",
                                       param=name)
            return text
        if not isinstance(value, Mapping):
            raise PyfameTypeError(f"{name} must be none (the set's mean), a mapping of numbers or a path, got "
                                  f"{type(value).__name__}", param=name)
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key not in TARGET_FIELDS:
                raise PyfameValueError(f"{name} has an unknown key {key!r}; known: {', '.join(TARGET_FIELDS)}",
                                       param=name)
            if key in ("mean", "sd"):
                number = Number().check(item, f"{name}[{key!r}]") if not isinstance(item, np.ndarray) \
                    else Number().check(item.item(), f"{name}[{key!r}]")
                if key == "sd" and number < 0:
                    raise PyfameValueError(f"{name}['sd'] must be finite and >= 0, got {item!r}", param=name)
                out[key] = number
                continue
            try:
                array = np.asarray(item, np.float64)
            except (TypeError, ValueError) as exc:
                raise PyfameTypeError(f"{name}[{key!r}] must be numbers, got {type(item).__name__}", param=name) from exc
            dims = 2 if key == "spectrum" else 1
            if array.ndim != dims or not array.size or not np.isfinite(array).all() or (array < 0).any():
                raise PyfameValueError(f"{name}[{key!r}] must be a {dims}-D array of finite numbers >= 0", param=name)
            if key == "histogram" and (array.shape != (256,) or not array.sum() > 0):
                raise PyfameValueError(f"{name}['histogram'] must be 256 counts or proportions, not all 0", param=name)
            out[key] = array.tolist()
        return out

    def parse(self, text: str, name: str) -> Any:
        stripped = text.strip()
        if stripped.lower() in ("", "none"):
            return None
        if stripped.startswith("{"):
            try:
                return json.loads(stripped)
            except ValueError as exc:
                raise PyfameValueError(f"{name} must be a JSON object of numbers or a path, got {text!r}",
                                       param=name) from exc
        return stripped

    def describe(self) -> str:
        return ("none (the set's mean), numbers ({\"mean\": 55, \"sd\": 12}, {\"histogram\": [...]}), a reference "
                "image or a match_target.npz")

    def schema(self) -> dict[str, Any]:
        return {"oneOf": [{"type": "null"}, {"type": "string"}, {"type": "object"}]}


def output_name(path: Path) -> str:
    """The name a matched input is written under: its own for lossless stills, ``.mp4`` for
    videos, ``.png`` for lossy stills (JPEG, WebP).

    Examples
    --------
    >>> output_name(Path("a.png")), output_name(Path("b.JPG")), output_name(Path("c.mov"))
    ('a.png', 'b.png', 'c.mp4')
    """
    suffix = path.suffix.lower()
    if suffix in VIDEO_EXTENSIONS:
        return path.stem + ".mp4"
    return path.name if suffix in LOSSLESS else path.stem + ".png"


class FaceStatisticsMatch(Operation):
    """Equate the luminance, contrast, histogram or spectrum of the face over a set of stills
    and videos (SHINE's operations, Willenbockel et al. 2010, inside the tracked face).

    Each input's faces are tracked (stills in IMAGE mode, videos frame by frame in VIDEO
    mode) and masked by ``regions``; only the luminance inside the mask changes (CIELAB L*
    or Rec. 601 luma, ``space``), chroma kept, and every pixel of weight 0 is written bit for
    bit: the rest of the frame is left as it is, or first set to the uniform ``background``
    colour (blended through the mask's soft edge, so the statistics are those of what is
    shown). Grey inputs are processed as grey, so their levels are exact and they stay grey.

    **Methods** (:data:`pyfame.stimulus_control.statistics_matching.METHODS`, as
    :func:`pyfame.stimulus_control.match_statistics`): ``"luminance"`` (mean and SD),
    ``"histogram"`` (exact specification, ties broken as Coltuc, Bolon & Chassery 2006),
    ``"sf"`` (rotational average of the amplitude spectrum), ``"spectrum"`` (the full
    amplitude spectrum), and SHINE's combinations (``"histogram+sf"``, ...; ``iterations``
    passes). Luminance and histograms are measured in each face's mask on its own box; the
    spectral methods on a box of one size for the whole set (the largest face box, centred
    on each face and moved inside its frame; a frame too small for it is refused, never
    stretched).

    **Target**: the set's mean (each input weighs the same; a video's own statistics are the
    mean over its frames), numbers (``{"mean": 55, "sd": 12}`` in the space's unit,
    ``{"histogram": 256 counts}``, ...), a reference image (its face's statistics), or the
    ``match_target.npz`` of an earlier match (to match another set to the same numbers).

    **Videos** (``per``): ``"clip"`` (default) gives each clip one luminance transform for
    all its frames, so the clips' pooled statistics match and whatever varied within a clip
    varies the same way after (no flicker; luminance or histogram, with stills as clips of
    one frame); ``"frame"`` matches every frame to the target on its own (every method;
    every frame then has the target's statistics, so nothing flickers in them, but the
    within-clip changes of lighting are taken out). A set of stills is matched exactly
    whichever ``per``.

    **Writes** to ``output_dir/Matched/``: each input under its own name (lossy stills as
    PNG, videos as MP4; a still's alpha channel kept as it is), ``match_statistics.csv`` (one row per input and frame, before and
    after: mean, SD, RMS contrast, histogram distance to the target, spectral slope, and
    SSIM of the output against its input; see
    :func:`pyfame.stimulus_control.before_after_table`, measured on the frames before video
    encoding), its plot ``match_statistics.png``, and ``match_target.npz`` (the statistics
    matched to).

    Examples
    --------
    >>> FaceStatisticsMatch(method="histogram", per="frame")
    FaceStatisticsMatch(method='histogram', per='frame')
    >>> FaceStatisticsMatch(method="luminance", target={"mean": 50})
    Traceback (most recent call last):
    ...
    pyfame.errors.PyfameValueError: target must hold 'mean' and 'sd' for the method 'luminance'; 'sd' is missing
    """

    name = "match_face_statistics"
    subfolder = "Matched"
    does = frozenset({"walks_folders", "tracks", "reads_video", "writes_video",
                      "writes_tables"})
    inputs = ("input_dir",)
    references = (WILLENBOCKEL_2010, COLTUC_2006, WANG_2004)
    alpha_policy = "kept as it is: matching changes no pixel's place"

    method: str = Param(Choice(METHODS), default="luminance",
                        help="The statistic made equal: luminance mean and SD, histogram, rotational-average (sf) "
                             "or full amplitude spectrum, or SHINE's combinations.")
    regions: list = Param(Regions(), default=FACE_OVAL_PATH, cli_names=("--region",),
                          help="Where the statistics are measured and matched.")
    target: Any = Param(MatchTarget(), default=None,
                        help="What to match to: none for the set's mean, numbers, a reference image or a "
                             "match_target.npz.")
    iterations: int = Param(Integer(1, 100), default=1, help="Passes of a combined method's steps (SHINE's "
                                                             "alternation).")
    per: str = Param(Choice(("clip", "frame")), default="clip",
                     help="Videos: one transform per clip (no flicker) or every frame matched on its own.")
    background: Any = Param(Optional(Color()), default=None,
                            help="Set everything outside the regions to this uniform colour (none: leave it as it "
                                 "is).", seed_color_order=False)
    feather_px, feather_iod = feathering(0.0)
    space: str = Param(Choice(("lab", "luma")), default="lab",
                       help="The luminance: CIELAB L* (0-100) or Rec. 601 luma (0-255).")

    # ---- checks ------------------------------------------------------------------------------
    def validate(self) -> None:
        steps = self.method.split("+")
        if isinstance(self.target, dict):
            for step in steps:
                missing = [k for k in TARGET_KEYS[step] if k not in self.target]
                if missing:
                    raise PyfameValueError(
                        f"target must hold {' and '.join(repr(k) for k in TARGET_KEYS[step])} for the method "
                        f"{step!r}; {', '.join(repr(k) for k in missing)} is missing", param="target")

    def param_inputs(self) -> dict[str, list[Path]]:
        return {"target": [Path(self.target)]} if isinstance(self.target, str) else {}

    def check_sources(self, sources: dict[str, list[Path]]) -> None:
        files = sources["input_dir"]
        if len(files) < 2 and self.target is None:
            raise PyfameValueError(f"input_dir: a set needs at least two faces to match to their mean, got "
                                   f"{len(files)} (or give target=)", param="input_dir")
        names: dict[str, Path] = {}
        for path in files:
            out = output_name(path)
            if out.lower() in (TABLE_NAME, PLOT_NAME, TARGET_NAME):
                raise PyfameValueError(f"input_dir: {path.name} would be written as {out}, the name of the set's "
                                       "own output; rename it", param="input_dir")
            if out.lower() in names:
                raise PyfameValueError(f"input_dir: {names[out.lower()]} and {path} would both be written as {out}; "
                                       "rename one", param="input_dir")
            names[out.lower()] = path
        videos = [p for p in files if media_kind(p) == "video"]
        if videos and self.per == "clip" and self.method not in CLIP_METHODS:
            raise PyfameValueError(f"per: {self.method!r} cannot be matched per clip (only "
                                   f"{' and '.join(CLIP_METHODS)} can); use per='frame' for the videos "
                                   f"({videos[0].name}, ...)", param="per")
        if "target" in sources:
            reference = sources["target"][0]
            if reference.suffix.lower() == ".npz":
                self._target_numbers(reference)
            elif media_kind(reference) != "image":
                raise PyfameValueError(f"target: a reference must be a still image, got {reference.name}",
                                       param="target")

    def output_names(self, sources: dict[str, list[Path]]) -> list[str]:
        return [output_name(p) for p in sources["input_dir"]] + [TABLE_NAME, PLOT_NAME, TARGET_NAME]

    def _target_numbers(self, path: Path) -> dict[str, Any]:
        """The numbers of a ``match_target.npz`` (checked like numbers given directly)."""
        try:
            with np.load(path, allow_pickle=False) as data:
                numbers = {k: data[k] for k in data.files if k in TARGET_FIELDS}
        except (OSError, ValueError) as exc:
            raise PyfameValueError(f"target: {path} is not a readable match_target.npz ({exc})", param="target") from exc
        checked = MatchTarget().check(numbers, "target")
        for step in self.method.split("+"):
            missing = [k for k in TARGET_KEYS[step] if k not in checked]
            if missing:
                raise PyfameValueError(f"target: {path.name} has no {', '.join(missing)} for the method {step!r}",
                                       param="target")
        return checked

    # ---- the work ----------------------------------------------------------------------------
    def make(self, sources: dict[str, list[Path]], context: OperationContext) -> Made:
        steps = self.method.split("+")
        items = context.map(_track, sources["input_dir"])  # one job per input
        reference: TrackedMedia | None = None
        numbers: dict[str, Any] | None = None
        if isinstance(self.target, dict):
            numbers = self.target
        elif isinstance(self.target, str):
            path = sources["target"][0]
            if path.suffix.lower() == ".npz":
                numbers = self._target_numbers(path)
            else:
                reference = read_tracked(path, context, "target")
        sets = items + ([reference] if reference is not None else [])
        least = HISTOGRAM_SUPPORT if "histogram" in steps else 0.0
        masks = [item.masks(self.regions, self.feather_px, self.feather_iod, least) for item in sets]
        shown = [self._with_background(item, item_masks) for item, item_masks in zip(sets, masks)]
        grey = [is_grey(frames) for frames in shown]
        boxes = self._boxes(sets, masks, ["input_dir"] * len(items) + ["target"] * (reference is not None))
        crops = [[_as(crop(f, b), g) for f, b in zip(frames, item_boxes)]
                 for frames, item_boxes, g in zip(shown, boxes, grey)]
        weights = [[m.within(b) for m, b in zip(item_masks, item_boxes)] for item_masks, item_boxes in zip(masks, boxes)]
        n = len(items)
        videos = any(item.is_video for item in items)
        if videos and self.per == "clip":
            outs, goal = self._match_clips(crops[:n], weights[:n], numbers, crops[n:], weights[n:])
        else:
            outs, goal = self._match_frames(crops[:n], weights[:n], numbers, crops[n:], weights[n:], steps)

        made: dict[str, Any] = {}
        before, after, table_masks, labels, frame_ids = [], [], [], [], []
        for i, item in enumerate(items):
            frames = []
            for f, (frame, box, out) in enumerate(zip(shown[i], boxes[i], outs[i])):
                result = frame.copy()
                x0, y0, x1, y1 = box
                result[y0:y1, x0:x1] = out if out.ndim == 3 else out[..., None]
                frames.append(result)
                before.append(_as(crop(item.frames[f], box), grey[i]))
                after.append(out)
                table_masks.append(weights[i][f])
                labels.append(item.path.name)
                frame_ids.append(f)
            still = frames[0] if item.alpha is None else np.dstack([frames[0], item.alpha])  # geometry unchanged
            made[output_name(item.path)] = (frames, item.fps) if item.is_video else still
            context.made_from(output_name(item.path), [item.path, *sources.get("target", [])])
        histogram = goal.get("histogram")
        table = before_after_table(before, after, table_masks, self.space,
                                   target_histogram=None if histogram is None else np.asarray(histogram),
                                   labels=labels, frames=frame_ids)
        made[TABLE_NAME] = table
        made[PLOT_NAME] = figure_png(plot_statistics(table, None, self.space))
        made[TARGET_NAME] = {**{k: np.asarray(v) for k, v in goal.items()}, "method": np.str_(self.method),
                             "space": np.str_(self.space), "per": np.str_(self.per)}
        return made

    def _with_background(self, item: TrackedMedia, masks: list[RegionMask]) -> list[np.ndarray]:
        """The frames with everything outside the regions set to ``background`` (through the
        mask's soft edge), or the frames as they are."""
        if self.background is None:
            return item.frames
        colour = np.asarray(self.background, np.float32)
        out = []
        for frame, mask in zip(item.frames, masks):
            w = mask.full()[..., None]
            out.append(np.clip(np.rint(colour + w * (frame.astype(np.float32) - colour)), 0, 255).astype(np.uint8))
        return out

    def _boxes(self, sets: list[TrackedMedia], masks: list[list[RegionMask]], names: list[str]) -> list[list[Box]]:
        """Each frame's box: its mask's own for luminance and histograms; for spectra, the
        set's largest mask box size centred on each face (one size, so spectra compare)."""
        if not any(step in ("sf", "spectrum") for step in self.method.split("+")):
            return [[m.box for m in item_masks] for item_masks in masks]
        width = max(m.box[2] - m.box[0] for item_masks in masks for m in item_masks)
        height = max(m.box[3] - m.box[1] for item_masks in masks for m in item_masks)
        out = []
        for item, item_masks, name in zip(sets, masks, names):
            try:
                out.append([centred_box(box_centre(m.box), (width, height), frame.shape, name)
                            for m, frame in zip(item_masks, item.frames)])
            except ImageShapeError as exc:
                raise ImageShapeError(f"{exc} ({item.path.name})", param=exc.param) from exc
        return out

    def _check_spectral_numbers(self, goal: dict[str, Any], shape: tuple[int, ...]) -> None:
        h, w = int(shape[0]), int(shape[1])
        if "sf" in goal:
            bins = int(radial_bins((h, w)).max()) + 1
            if len(goal["sf"]) != bins:
                raise PyfameValueError(f"target: the 'sf' target has {len(goal['sf'])} radial bins; this set's face box "
                                       f"({w}x{h} px) has {bins} (match sets with face boxes of one size)",
                                       param="target")
        if "spectrum" in goal and np.asarray(goal["spectrum"]).shape != (h, w):
            raise PyfameValueError(f"target: the 'spectrum' target is {np.asarray(goal['spectrum']).shape}; this set's "
                                   f"face box is {(h, w)}", param="target")

    def _match_frames(self, crops: list[list[np.ndarray]], weights: list[list[np.ndarray]],
                      numbers: dict[str, Any] | None, ref_crops: list[list[np.ndarray]],
                      ref_weights: list[list[np.ndarray]], steps: list[str]
                      ) -> tuple[list[list[np.ndarray]], dict[str, Any]]:
        """Every frame matched on its own to one target (exact for a set of stills)."""
        needed = {key for step in steps for key in TARGET_KEYS[step]}
        if numbers is not None:
            goal = {k: (np.asarray(v) if isinstance(v, list) else v) for k, v in numbers.items() if k in needed}
        else:
            pool = ref_crops if ref_crops else crops
            pool_weights = ref_weights if ref_crops else weights
            per_item = [set_statistics([split_luminance(c, self.space)[0] for c in frames], frame_weights, steps,
                                       self.space) for frames, frame_weights in zip(pool, pool_weights)]
            goal = {key: (float(np.mean([s[key] for s in per_item])) if key in ("mean", "sd")
                          else np.mean([s[key] for s in per_item], axis=0).astype(per_item[0][key].dtype))
                    for key in per_item[0]}
        self._check_spectral_numbers(goal, crops[0][0].shape)
        outs = []
        for frames, frame_weights in zip(crops, weights):
            made = []
            for c, w in zip(frames, frame_weights):
                result = match_statistics([c], [w], self.method, target=goal, iterations=self.iterations,
                                          space=self.space)
                made.append(result.images[0])
            outs.append(made)
        return outs, goal

    def _match_clips(self, crops: list[list[np.ndarray]], weights: list[list[np.ndarray]],
                     numbers: dict[str, Any] | None, ref_crops: list[list[np.ndarray]],
                     ref_weights: list[list[np.ndarray]]) -> tuple[list[list[np.ndarray]], dict[str, Any]]:
        """One transform per clip (stills are clips of one frame), refined once for 8 bits."""
        stats = [[frame_statistics(c, w, self.space) for c, w in zip(frames, fw)] for frames, fw in zip(crops, weights)]
        if ref_crops:
            mean, sd, hist = pooled_statistics([frame_statistics(ref_crops[0][0], ref_weights[0][0], self.space)])
            numbers = {"mean": mean, "sd": sd} if self.method == "luminance" else {"histogram": hist / hist.sum()}
        if numbers is None:
            pooled = [pooled_statistics(clip) for clip in stats]
            goal: dict[str, Any] = ({"mean": float(np.mean([p[0] for p in pooled])),
                                     "sd": float(np.mean([p[1] for p in pooled]))} if self.method == "luminance"
                                    else {"histogram": np.mean([p[2] / p[2].sum() for p in pooled], axis=0)})
        else:
            goal = {k: (np.asarray(v, np.float64) / np.sum(v) if k == "histogram" else v) for k, v in numbers.items()
                    if k in TARGET_KEYS[self.method]}
        try:
            transforms = match_clip_statistics(stats, self.method, target=goal)
        except PyfameError as exc:
            exc.param = exc.param or "input_dir"
            raise
        outs = [[apply_clip_transform(c, t, w) for c, w in zip(frames, fw)]
                for frames, fw, t in zip(crops, weights, transforms)]
        if self.method == "luminance":
            measured = [[frame_statistics(o, w, self.space) for o, w in zip(frames, fw)] for frames, fw in zip(outs, weights)]
            transforms = refine_clip_transforms(stats, transforms, measured)
            outs = [[apply_clip_transform(c, t, w) for c, w in zip(frames, fw)]
                    for frames, fw, t in zip(crops, weights, transforms)]
        return outs, goal


def _track(path: Path, context: OperationContext) -> TrackedMedia:
    """One input's frames and faces (a job of :meth:`FaceStatisticsMatch.make`)."""
    return read_tracked(path, context, "input_dir")


def _as(pixels: np.ndarray, grey: bool) -> np.ndarray:
    """A crop as the core takes it: one channel for a grey input (its levels then exact)."""
    return np.ascontiguousarray(pixels[..., 0]) if grey else pixels


__all__ = ["FaceStatisticsMatch"]
