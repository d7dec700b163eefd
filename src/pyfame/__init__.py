"""PyFAME: the Python Facial Analysis and Manipulation Environment.

``import pyfame`` exposes ``pyfame.core`` and ``pyfame.utils`` and every public name of
both at the top level.

Examples
--------
>>> import pyfame as pf
>>> pf.PyfameError.__name__
'PyfameError'
"""

from importlib.metadata import PackageNotFoundError as _NotFound
from importlib.metadata import version as _version

from pyfame import core, utils  # noqa: F401 - pyfame.core and pyfame.utils as attributes
from pyfame.core import *
from pyfame.utils import *

# pyfame.stimulus_control is the computational core (a subpackage); the star import above brought
# the seed family of the same name (pyfame.core.stimulus_control): the subpackage keeps its name.
from importlib import import_module as _import_module  # noqa: E402

stimulus_control = _import_module("pyfame.stimulus_control")

try:
    __version__ = _version("pyfame")
except _NotFound:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"
