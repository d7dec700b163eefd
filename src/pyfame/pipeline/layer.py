"""The two kinds of work a pipeline runs on every frame: layers (change) and probes (measure)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from pyfame.face.faces import Faces


@dataclass(frozen=True)
class SourceInfo:
    """What a layer or probe may know about the source before frames flow.

    Examples
    --------
    >>> SourceInfo("video", 640, 480, 30.0, 300, 10.0).duration
    10.0
    """

    kind: str
    width: int
    height: int
    fps: float | None
    frame_count: int
    duration: float


class Layer(ABC):
    """One manipulation of a frame.

    A layer holds its parameters, never reads or writes files and never runs the tracker.
    Subclasses set ``name`` and implement :meth:`apply`; :meth:`params` feeds the sidecar.

    Examples
    --------
    >>> class Invert(Layer):
    ...     name = "invert"
    ...     def apply(self, frame, faces, t, rng):
    ...         return 255 - frame
    >>> import numpy as np
    >>> Invert().apply(np.zeros((2, 2, 3), np.uint8), None, 0.0, None)[0, 0, 0]
    255
    """

    name: ClassVar[str] = "layer"
    #: False for layers that act on the whole frame and run when no face is found.
    needs_face: ClassVar[bool] = True

    def start(self, info: SourceInfo) -> None:
        """Called once before the first frame of each source."""

    @abstractmethod
    def apply(self, frame: np.ndarray, faces: Faces, t: float, rng: np.random.Generator) -> np.ndarray:
        """Return the changed RGB uint8 frame (may be ``frame`` itself, changed in place)."""

    def params(self) -> dict[str, Any]:
        """The layer's parameters, for the sidecar."""
        return {k: v for k, v in vars(self).items() if not k.startswith("_")}

    def alpha(self) -> np.ndarray | None:
        """An alpha channel (uint8, full frame) for the last frame, or None (opaque).

        Still outputs in a format with transparency (PNG, TIFF, WebP) get it written.
        """
        return None

    def draws(self) -> dict[str, Any]:
        """Random draws actually used (bubble centres, permutations), for the sidecar."""
        return {}


class Probe(ABC):
    """One measurement per frame; rows become a table (one CSV per probe and input).

    Examples
    --------
    >>> class MeanLevel(Probe):
    ...     name = "mean_level"
    ...     def observe(self, frame, faces, t):
    ...         return [{"mean": float(frame.mean())}]
    """

    name: ClassVar[str] = "probe"

    def start(self, info: SourceInfo) -> None:
        """Called once before the first frame of each source; reset state here."""

    @abstractmethod
    def observe(self, frame: np.ndarray, faces: Faces, t: float) -> list[dict[str, Any]]:
        """Rows measured on this frame (may be empty)."""

    def finish(self) -> list[dict[str, Any]]:
        """Rows to add once the source has ended."""
        return []

    def params(self) -> dict[str, Any]:
        """The probe's parameters, for the sidecar."""
        return {k: v for k, v in vars(self).items() if not k.startswith("_")}
