"""The seed's utilities: landmark regions, constants, timing functions, display options,
logging set-up and media helpers."""

from pyfame.utils.display_options import *
from pyfame.utils.display_options import __all__ as _display_all
from pyfame.utils.geometry import compute_line_intersection, compute_rot_angle, get_variable_name
from pyfame.face.regions import *
from pyfame.face.regions import __all__ as _landmarks_all
from pyfame.utils.predefined_constants import *
from pyfame.utils.predefined_constants import __all__ as _constants_all
from pyfame.utils.setup_logging import setup_logging
from pyfame.utils.timing_functions import constant, gaussian, linear, sigmoid

__all__ = [  # noqa: PLE0604
    *_landmarks_all, *_constants_all, *_display_all,
    "constant", "linear", "sigmoid", "gaussian",
    "compute_rot_angle", "compute_line_intersection", "get_variable_name", "setup_logging",
    "transcode_video_to_mp4", "normalize_image_sizes", "moviefy_images",
]


def __getattr__(name: str):  # noqa: ANN202 - lazy: media helpers import the pipeline
    if name in ("transcode_video_to_mp4", "normalize_image_sizes", "moviefy_images"):
        from pyfame.utils import media_utils

        return getattr(media_utils, name)
    raise AttributeError(name)
