"""The seed's utilities: landmark regions, constants, timing functions, display options."""

from pyfame.utils.landmarks import *
from pyfame.utils.landmarks import __all__ as _landmarks_all
from pyfame.utils.predefined_constants import *
from pyfame.utils.predefined_constants import __all__ as _constants_all
from pyfame.utils.timing_functions import constant, gaussian, linear, sigmoid

__all__ = [  # noqa: PLE0604
    *_landmarks_all, "constant", "linear", "sigmoid", "gaussian",
           *_constants_all]  # noqa: PLE0604
