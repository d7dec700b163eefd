"""The settings shared by every pipeline run."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pyfame.face.tracker_settings import TrackerSettings
from pyfame.io.image_source import MAX_PIXELS, check_max_pixels
from pyfame.io.video_sink import DEFAULT_CRF, DEFAULT_PRESET, X264_PRESETS
from pyfame.validation import check_bool, check_choice, check_int, check_seed

NoFacePolicy = Literal["pass", "drop", "fail", "hold"]
NO_FACE_POLICIES = {"pass": "pass", "drop": "drop", "fail": "fail", "hold": "hold"}
#: With ``no_face="hold"``, the last face found stands in for at most this many seconds.
HOLD_SECONDS = 0.5


@dataclass
class RunOptions:
    """How a pipeline run treats frames, randomness, encoding and caching.

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
    crf, preset : int, str
        libx264 quality (0-51, lower is better) and speed preset; ``ultrafast`` at CRF 15 by
        default (see :data:`pyfame.io.video_sink.DEFAULT_PRESET`).
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
    crf: int = DEFAULT_CRF
    preset: str = DEFAULT_PRESET
    landmark_cache: bool | str | os.PathLike[str] = True
    progress: bool = False
    allow_truncated: bool = False
    max_pixels: int = MAX_PIXELS

    def __post_init__(self) -> None:
        self.no_face = check_choice(self.no_face, "no_face", NO_FACE_POLICIES)
        self.seed = check_seed(self.seed, "seed")
        self.crf = check_int(self.crf, "crf", low=0, high=51)
        self.preset = check_choice(self.preset, "preset", {p: p for p in X264_PRESETS})
        if not isinstance(self.landmark_cache, (bool, str, os.PathLike)):
            from pyfame.errors import PyfameTypeError

            raise PyfameTypeError(
                f"landmark_cache must be True, False or a folder path, got {self.landmark_cache!r}"
            )
        check_bool(self.progress, "progress")
        self.allow_truncated = check_bool(self.allow_truncated, "allow_truncated")
        self.max_pixels = check_max_pixels(self.max_pixels)
        self._seed = self.seed if self.seed is not None else secrets.randbelow(2**32)

    def resolved_seed(self) -> int:
        """The seed actually used (drawn once when ``seed`` is None)."""
        return self._seed

    def cache_folder(self) -> Path | None:
        """The landmark cache folder, or None when caching is off."""
        from pyfame.face.landmark_cache import default_cache_dir

        if self.landmark_cache is False:
            return None
        if self.landmark_cache is True:
            return default_cache_dir()
        return Path(self.landmark_cache)
