"""core.stimulus_control: statistics matching, spatial-frequency filters, hybrid faces and
reverse-correlation stimuli and classification images on the tracked face (the file-level
side of :mod:`pyfame.stimulus_control`)."""

from pyfame.pipeline.registry import public_names as _public_names

_exports = _public_names(__name__)
globals().update(_exports)
__all__ = sorted(_exports)  # noqa: PLE0605 - computed: every module's layers, operations and seed functions
