"""The seed's utilities: landmark regions, constants, timing functions, display options."""

from pyfame.utils.timing_functions import constant, gaussian, linear, sigmoid

__all__ = ["constant", "gaussian", "linear", "sigmoid"]
