"""The seed API: ``import pyfame.core as pf``.

Every manipulation and measurement of PyFAME, as file-level functions (the seed overview's),
layers, probes and frame plans, with the constants, timing functions, utilities and errors.
The families (``pf.coloring``, ``pf.occlusion``, ...) export what their modules declare, so a
new layer is one new module and appears here by itself.

Examples
--------
>>> import pyfame.core as pf
>>> callable(pf.apply_layers) and callable(pf.face_color_shift)
True
>>> "seed_runner" in dir(pf) or "stream_layers" in dir(pf) or "path_loop" in dir(pf)
False
>>> sorted(set(n for n in dir(pf) if not n.startswith("_")) - set(pf.__all__))
[]
"""

from pyfame.core import (
    analysis,
    coloring,
    face_geometry,
    occlusion,
    point_light_display,
    scrambling,
    stimulus_control,
    temporal_transforms,
)
from pyfame.errors import *
from pyfame.errors import __all__ as _errors_all
from pyfame.notebook import show
from pyfame.pipeline.apply_layers import apply_layers, measure
from pyfame.pipeline.file_pass import FileResult
from pyfame.pipeline.in_memory import apply_layers_to_frames
from pyfame.pipeline.layer import FramePlan, Layer, Probe, SourceInfo
from pyfame.pipeline.output_policy import OutputExistsError
from pyfame.pipeline.run_options import RunOptions
from pyfame.utils import *
from pyfame.utils import __all__ as _utils_all

_FAMILIES = (analysis, coloring, face_geometry, occlusion, point_light_display, scrambling, stimulus_control, temporal_transforms)
for _family in _FAMILIES:
    globals().update({name: getattr(_family, name) for name in _family.__all__})

__all__ = [  # noqa: PLE0604, PLE0605 - computed from the families' declarations
    "analysis", "coloring", "face_geometry", "occlusion", "point_light_display", "scrambling", "stimulus_control",
    "temporal_transforms",
    *(name for family in _FAMILIES for name in family.__all__),
    "apply_layers", "measure", "apply_layers_to_frames", "FileResult", "Layer", "Probe", "FramePlan",
    "SourceInfo", "RunOptions", "OutputExistsError", "show",
    *_errors_all, *_utils_all,
]
del _family
