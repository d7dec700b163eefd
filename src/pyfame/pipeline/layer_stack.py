"""The one engine that runs layers and probes over frames, for files and in-memory frames alike.

Examples
--------
>>> import numpy as np
>>> from pyfame.face.faces import Faces
>>> stack = LayerStack([], [], seed=0)
>>> stack.start(SourceInfo("image", 4, 4, None, 1, 0.0))
>>> out = stack.process(np.zeros((4, 4, 3), np.uint8), Faces.empty(), 0, 0.0, tracked=False)
>>> out.shape
(4, 4, 3)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pyfame.errors import PyfameValueError
from pyfame.face.faces import Faces
from pyfame.pipeline.layer import Layer, Probe, SourceInfo
from pyfame.pipeline.no_face_policy import NoFacePolicy


def layer_rngs(seed: int, n: int) -> list[np.random.Generator]:
    """One independent generator per layer, derived from the run's seed."""
    return [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(n)]


def with_companions(layers: list[Layer], probes: list[Probe]) -> list[Probe]:
    """The probes and, after them, every layer's companion probe not already among them."""
    out = list(probes)
    for layer in layers:
        companion = layer.companion_probe()
        if companion is not None and all(companion is not p for p in out):
            out.append(companion)
    return out


def check_sources(layers: list[Layer], kind: str, source: object) -> None:
    """Refuse a source kind a layer cannot work on (before any frame)."""
    for layer in layers:
        why = layer.accepts(kind)
        if why:
            raise PyfameValueError(f"{source}: {why}", param=layer.name)


class LayerStack:
    """Layers in order, then probes, over a stream of ``(frame, faces)``.

    Each layer gets its own generator from ``seed``; a frame without a face follows the
    ``no_face`` policy; probes observe the frame after every layer. :attr:`rows` holds each
    probe's rows by table name.
    """

    def __init__(self, layers: list[Layer], probes: list[Probe], seed: int, no_face: str = "pass") -> None:
        self.layers = list(layers)
        self.probes = with_companions(self.layers, list(probes))
        self.rngs = layer_rngs(seed, len(self.layers))
        self.policy = NoFacePolicy(no_face)
        self.rows: dict[str, list[dict[str, Any]]] = {p.table_name: [] for p in self.probes}

    def start(self, info: SourceInfo) -> None:
        """Tell every layer and probe a new source begins."""
        for item in (*self.layers, *self.probes):
            item.start(info)

    def process(self, pixels: np.ndarray, faces: Faces, index: int, t: float, tracked: bool = True,
                source: object = "frames") -> np.ndarray | None:
        """The frame after every layer, or None when the policy drops it."""
        keep = True
        if tracked:
            faces, keep = self.policy.decide(faces, index, t, source)
        for layer, rng in zip(self.layers, self.rngs):
            if faces or not layer.needs_face:
                pixels = layer.apply(pixels, faces, t, rng)
        for probe in self.probes:
            for row in probe.observe(pixels, faces, t):
                self.rows[probe.table_name].append({"frame": index, "timestamp_s": t, **row})
        return pixels if keep else None

    def finish(self) -> dict[str, pd.DataFrame]:
        """Each probe's table, once the source has ended."""
        for probe in self.probes:
            self.rows[probe.table_name].extend(probe.finish())
        return {p.table_name: p.to_table(self.rows[p.table_name]) for p in self.probes}

    def alpha(self, source_alpha: np.ndarray | None = None) -> np.ndarray | None:
        """The product of the input's alpha channel (a still's own transparency, kept through
        every layer) and the layers' alpha channels, or None when all are opaque."""
        alphas = [a for a in (source_alpha, *(layer.alpha() for layer in self.layers)) if a is not None]
        if not alphas:
            return None
        out = alphas[0].astype(np.float32)
        for a in alphas[1:]:
            out *= a.astype(np.float32) / 255.0
        return np.clip(np.rint(out), 0, 255).astype(np.uint8)
