"""The settings of a face tracking pass; part of the landmark cache key and of every sidecar."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from pyfame.validation import check_bool, check_float, check_int


@dataclass(frozen=True)
class TrackerSettings:
    """How faces are tracked.

    Parameters
    ----------
    num_faces : int
        Most faces to track per frame (default 1).
    min_detection_confidence : float
        In [0, 1]: the face detector's score threshold.
    min_tracking_confidence : float
        In [0, 1]: below this, the tracker re-detects instead of following the face.
    min_presence_confidence : float
        In [0, 1]: the landmark model's face-presence threshold.
    blendshapes : bool
        Also compute the 52 expression blendshape scores.
    head_pose : bool
        Also compute the 4x4 facial transformation matrix (head pose).
    smoothing : float
        0 switches landmark smoothing off. Otherwise the One-Euro filter's minimum cutoff
        frequency in Hz (lower is steadier; 1.0 is a good start) for video landmarks.

    Examples
    --------
    >>> TrackerSettings(num_faces=2).num_faces
    2
    """

    num_faces: int = 1
    min_detection_confidence: float = 0.5
    min_tracking_confidence: float = 0.5
    min_presence_confidence: float = 0.5
    blendshapes: bool = False
    head_pose: bool = False
    smoothing: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "num_faces", check_int(self.num_faces, "num_faces", low=1, high=16))
        for name in ("min_detection_confidence", "min_tracking_confidence", "min_presence_confidence"):
            object.__setattr__(self, name, check_float(getattr(self, name), name, low=0.0, high=1.0))
        check_bool(self.blendshapes, "blendshapes")
        check_bool(self.head_pose, "head_pose")
        object.__setattr__(self, "smoothing", check_float(self.smoothing, "smoothing", low=0.0))

    def as_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return asdict(self)
