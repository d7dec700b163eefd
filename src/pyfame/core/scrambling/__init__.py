"""core.scrambling: grid, landmark and phase scrambles of the face."""

from pyfame.pipeline.registry import public_names as _public_names

_exports = _public_names(__name__)
globals().update(_exports)
__all__ = sorted(_exports)  # noqa: PLE0605 - computed: every module's layers, probes and seed functions
