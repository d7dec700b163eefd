"""core.face_geometry: alignment, averages, morphs, caricatures, Thatcher and composite faces and
configural feature shifts on stills and videos (the file-level side of
:mod:`pyfame.face.geometry`)."""

from pyfame.pipeline.registry import public_names as _public_names

_exports = _public_names(__name__)
globals().update(_exports)
__all__ = sorted(_exports)  # noqa: PLE0605 - computed: every module's layers, operations and seed functions
