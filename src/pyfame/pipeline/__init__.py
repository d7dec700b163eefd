"""The one-pass pipeline: layers and probes over sources into sinks."""

from pyfame.pipeline.apply_layers import apply_layers
from pyfame.pipeline.file_pass import FileResult, run_file
from pyfame.pipeline.in_memory import apply_layers_to_frames, stream_layers
from pyfame.pipeline.layer import Layer, Probe, SourceInfo
from pyfame.pipeline.run_options import RunOptions

__all__ = [
    "FileResult",
    "Layer",
    "Probe",
    "RunOptions",
    "SourceInfo",
    "apply_layers",
    "apply_layers_to_frames",
    "run_file",
    "stream_layers",
]
