"""The settings shared by every run, declared once.

:class:`RunSettings` declares every keyword a batch entry point takes besides its
manipulation's own (folders, workers, tracking, seed, no-face policy, encoding, tables);
the seed functions, ``apply_layers`` and the command line take them from here.
:class:`RunOptions` is what one file's pass needs of them.

Examples
--------
>>> RunOptions(seed=7).resolved_seed()
7
>>> settings = RunSettings(seed=3, crf=20)
>>> settings.options().crf, settings.options().preset, settings.options().tracker.num_faces
(20, 'ultrafast', 1)
>>> RunSettings(encoder_profile="fidelity").options().crf
15
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal

from pyfame.errors import PyfameTypeError
from pyfame.face.tracker_settings import TrackerSettings
from pyfame.io.image_source import MAX_PIXELS, check_max_pixels
from pyfame.io.video_sink import DEFAULT_ENCODER_PROFILE, ENCODER_PROFILES, X264_PRESETS, encoder_record, encoder_settings
from pyfame.pipeline.layer import Configurable
from pyfame.pipeline.params import Boolean, Choice, Integer, Kind, Number, Optional, Param
from pyfame.validation import check_bool, check_choice, check_seed

NoFacePolicy = Literal["pass", "drop", "fail", "hold"]
NO_FACE_POLICIES = {"pass": "pass", "drop": "drop", "fail": "fail", "hold": "hold"}
#: With ``no_face="hold"``, the last face found stands in for at most this many seconds.
HOLD_SECONDS = 0.5
#: Largest image or video frame read, in pixels (see :data:`pyfame.io.image_source.MAX_PIXELS`).
DEFAULT_MAX_PIXELS = MAX_PIXELS


@dataclass
class RunOptions:
    """How one file's pass treats frames, randomness, encoding and caching.

    Parameters
    ----------
    tracker : TrackerSettings
        Face tracking settings.
    no_face : {"pass", "drop", "fail", "hold"}
        A frame without a face is passed through unchanged (default), dropped from the
        output, stops the file with ``FaceNotFoundError``, or (``"hold"``) is processed with
        the last face found if that was at most 0.5 s earlier (bridging a blink of the
        tracker, so a masked or occluded stimulus does not flash the raw frame), else passed
        through. A file with no face in any frame always raises ``FaceNotFoundError``.
    seed : int or None
        Base seed of every random draw; None draws one (recorded in the sidecar).
    encoder_profile : {"small", "fast", "fidelity"}
        Named x264 settings (:data:`pyfame.io.video_sink.ENCODER_PROFILES`): ``"small"``
        (the default: at most half a camera clip's bytes, PSNR-Y >= 45 dB, the fastest such)
        or ``"fidelity"`` (0.3.0's default, near-transparent, about the input's bytes).
    crf, preset : int, str, optional
        libx264 quality (0-51, lower is better) and speed preset; each given one replaces the
        profile's (after checking, both hold the values used).
    landmark_cache : bool or path
        True uses the default cache folder, a path uses that folder, False switches it off.
    progress : bool
        Show progress bars (stderr).
    allow_truncated : bool
        Process a video cut short (fewer frames than its container's index promises) with
        a warning, recording ``frames_expected`` and ``frames_read`` in the sidecar, instead
        of failing the file with ``FileReadError`` (the default).
    max_pixels : int
        The pixel limit of an input image or video frame, checked from the header before
        decoding (:data:`pyfame.io.image_source.MAX_PIXELS` by default).

    Examples
    --------
    >>> RunOptions(seed=7).resolved_seed()
    7
    """

    tracker: TrackerSettings = field(default_factory=TrackerSettings)
    no_face: NoFacePolicy = "pass"
    seed: int | None = None
    crf: int | None = None
    preset: str | None = None
    encoder_profile: str = DEFAULT_ENCODER_PROFILE
    landmark_cache: bool | str | os.PathLike[str] = True
    progress: bool = False
    allow_truncated: bool = False
    max_pixels: int = MAX_PIXELS

    def __post_init__(self) -> None:
        self.no_face = check_choice(self.no_face, "no_face", NO_FACE_POLICIES)
        self.seed = check_seed(self.seed, "seed")
        self.preset, self.crf = encoder_settings(self.encoder_profile, self.preset, self.crf)
        self.encoder_profile = check_choice(self.encoder_profile, "encoder_profile", {p: p for p in ENCODER_PROFILES})
        if not isinstance(self.landmark_cache, (bool, str, os.PathLike)):
            raise PyfameTypeError(
                f"landmark_cache must be True, False or a folder path, got {self.landmark_cache!r}",
                param="landmark_cache")
        check_bool(self.progress, "progress")
        self.allow_truncated = check_bool(self.allow_truncated, "allow_truncated")
        self.max_pixels = check_max_pixels(self.max_pixels)
        self._seed = self.seed if self.seed is not None else secrets.randbelow(2**32)

    def resolved_seed(self) -> int:
        """The seed actually used (drawn once when ``seed`` is None)."""
        return self._seed

    def with_resolved_seed(self, progress: bool | None = None) -> RunOptions:
        """A copy whose seed is the one drawn here (for other processes), optionally
        without progress bars."""
        return RunOptions(tracker=self.tracker, no_face=self.no_face, seed=self.resolved_seed(), crf=self.crf,
                          preset=self.preset, encoder_profile=self.encoder_profile,
                          landmark_cache=self.landmark_cache,
                          progress=self.progress if progress is None else progress,
                          allow_truncated=self.allow_truncated, max_pixels=self.max_pixels)

    def encoder_record(self) -> dict[str, Any]:
        """The sidecar's record of the encoding (profile asked for, preset and CRF used)."""
        return encoder_record(self.preset, self.crf, self.encoder_profile)  # type: ignore[arg-type]

    def cache_folder(self) -> Path | None:
        """The landmark cache folder, or None when caching is off."""
        from pyfame.face.landmark_cache import default_cache_dir

        if self.landmark_cache is False:
            return None
        if self.landmark_cache is True:
            return default_cache_dir()
        return Path(self.landmark_cache)


@dataclass(frozen=True)
class CacheSetting(Kind):
    """True (the default cache folder), False (off) or a folder path."""

    annotation = bool

    def check(self, value: Any, name: str) -> Any:
        if isinstance(value, (bool, str, os.PathLike)):
            return value if isinstance(value, bool) else str(value)
        raise PyfameTypeError(f"{name} must be True, False or a folder path, got {value!r}", param=name)

    def parse(self, text: str, name: str) -> Any:
        low = text.strip().lower()
        return {"true": True, "on": True, "false": False, "off": False}.get(low, text)

    def describe(self) -> str:
        return "true, false or a folder"


@dataclass(frozen=True)
class ExecutorSetting(Kind):
    """``"serial"``, ``"processes"``, ``"dask"``, or an executor object / Dask ``Client``."""

    annotation = str

    def check(self, value: Any, name: str) -> Any:
        if value is None or not isinstance(value, str):
            return value  # None or an object: make_executor checks it
        return Choice(("serial", "processes", "dask")).check(value, name)

    def to_data(self, value: Any) -> Any:
        return value if value is None or isinstance(value, str) else type(value).__name__

    def describe(self) -> str:
        return "'serial', 'processes' or 'dask' (or an executor / Dask Client in Python)"


class RunSettings(Configurable):
    """Every run-level keyword, declared once; which apply to a class is derived from what the
    class declares it does (:meth:`applying_to`)."""

    family: ClassVar[str] = "run"
    #: What a class must do (its ``does``, see :class:`~pyfame.pipeline.layer.Configurable`;
    #: several: all of them) for a setting to apply to it; a setting not named here applies to
    #: every run (``max_pixels``: every input is read). Landmark smoothing is over a video's
    #: frames; the landmark cache is the per-file pass's.
    APPLIES_IF: ClassVar[dict[str, str | tuple[str, ...]]] = {
        "with_sub_dirs": "walks_folders",
        "min_detection_confidence": "tracks", "min_tracking_confidence": "tracks", "num_faces": "tracks",
        "smoothing": ("tracks", "reads_video"), "landmark_cache": ("tracks", "per_file"),
        "no_face": "per_file", "image_format": "per_file",
        "allow_truncated": "reads_video",
        "encoder_profile": "writes_video", "crf": "writes_video", "preset": "writes_video",
        "table_format": "writes_tables", "plot": "plots",
    }

    with_sub_dirs: bool = Param(Boolean(), default=False, help="Walk nested folders and mirror them in the output.")
    workers: int | None = Param(Optional(Integer(1, 512)), default=None,
                                help="Process that many files at once (same outputs); one at a time by default.")
    executor: Any = Param(ExecutorSetting(), default=None,
                          help="Where a batch runs: 'serial', 'processes' or 'dask' (default: processes when "
                               "workers > 1).")
    overwrite: bool = Param(Boolean(), default=False,
                            help="Replace existing outputs made with other parameters (default: refuse).")
    progress: bool = Param(Boolean(), default=False, help="Show progress bars.", cli=False)
    min_detection_confidence: float = Param(Number(0.0, 1.0), default=0.5, help="Face detector score threshold.")
    min_tracking_confidence: float = Param(Number(0.0, 1.0), default=0.5,
                                           help="Below this the tracker re-detects instead of following the face.")
    num_faces: int = Param(Integer(1, 16), default=1, help="Most faces tracked per frame.")
    smoothing: float = Param(Number(0.0), default=0.0, unit="Hz",
                             help="Landmark smoothing (One-Euro minimum cutoff; 0 = off).")
    landmark_cache: Any = Param(CacheSetting(), default=True, help="Reuse tracked landmarks of files seen before.",
                                cli=False)
    seed: int | None = Param(Optional(Integer(0, 2**63 - 1)), default=None,
                             help="Base seed of every random draw (drawn and recorded if not given).",
                             seed_name="rand_seed")
    no_face: str = Param(Choice(tuple(NO_FACE_POLICIES)), default="pass",
                         help="Frames without a face: pass unchanged, drop, fail, or hold the last face (0.5 s).")
    allow_truncated: bool = Param(Boolean(), default=False,
                                  help="Accept a video cut short (frames missing against its own index); recorded.")
    max_pixels: int = Param(Integer(1), default=DEFAULT_MAX_PIXELS, unit="pixels",
                            help="Largest image or frame read; larger inputs are refused from the header.")
    encoder_profile: str = Param(Choice(tuple(ENCODER_PROFILES)), default=DEFAULT_ENCODER_PROFILE,
                                 help="Named H.264 settings: " + ", ".join(
                                     f"{name} ({preset}, CRF {crf})" for name, (preset, crf) in ENCODER_PROFILES.items())
                                 + "; a given crf or preset replaces the profile's.")
    crf: int | None = Param(Optional(Integer(0, 51)), default=None,
                            help="H.264 quality (0-51, lower is better; default: the encoder profile's).")
    preset: str | None = Param(Optional(Choice(X264_PRESETS)), default=None,
                               help="x264 speed preset (default: the encoder profile's).")
    image_format: str | None = Param(Optional(Choice(("png", "jpg", "jpeg", "bmp", "tif", "tiff", "webp"))),
                                     default=None, help="Write still outputs in this format (default: the input's).")
    table_format: str = Param(Choice(("csv", "parquet")), default="csv", help="Format of the tables written.")
    plot: bool = Param(Boolean(), default=False, help="Also write a PNG plot beside each table.")

    def options(self) -> RunOptions:
        """The per-file options these settings give."""
        tracker = TrackerSettings(num_faces=self.num_faces, min_detection_confidence=self.min_detection_confidence,
                                  min_tracking_confidence=self.min_tracking_confidence, smoothing=self.smoothing)
        return RunOptions(tracker=tracker, no_face=self.no_face, seed=self.seed, crf=self.crf, preset=self.preset,
                          encoder_profile=self.encoder_profile, landmark_cache=self.landmark_cache, progress=self.progress,
                          allow_truncated=self.allow_truncated, max_pixels=self.max_pixels)

    @classmethod
    def applying_to(cls, *classes: type[Configurable]) -> list[str]:
        """The settings that apply to a run of ``classes`` (together, as in one stack), in
        declaration order: the one place commands and seed-style functions take them from.

        Examples
        --------
        >>> from pyfame.pipeline.registry import lookup
        >>> "crf" in RunSettings.applying_to(lookup("classification_image"))
        False
        >>> "table_format" in RunSettings.applying_to(lookup("classification_image"))
        True
        """
        does: set[str] = set()
        for klass in classes:
            does |= klass.does
        needs = {name: (lambda need: (need,) if isinstance(need, str) else need)(cls.APPLIES_IF.get(name, ()))
                 for name in cls.parameters}
        return [name for name in cls.parameters if set(needs[name]) <= does]


__all__ = ["DEFAULT_MAX_PIXELS", "HOLD_SECONDS", "NO_FACE_POLICIES", "NoFacePolicy", "RunOptions", "RunSettings"]
