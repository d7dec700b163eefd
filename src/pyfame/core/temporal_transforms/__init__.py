"""core.temporal_transforms: reorder a video's frames in blocks."""

from pyfame.pipeline.registry import public_names as _public_names

_exports = _public_names(__name__)
globals().update(_exports)
__all__ = sorted(_exports)  # noqa: PLE0605 - computed: every module's layers, probes and seed functions
