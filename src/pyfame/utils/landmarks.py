"""The seed's landmark regions: ``create_path``, the ``*_PATH`` constants and the ``*_MASK`` types.

The definitions live in :mod:`pyfame.face.regions`, with the code that rasterises them; this
module is the seed API's name for them.

Examples
--------
>>> from pyfame.utils.landmarks import create_path, CHEEKS_PATH
>>> create_path([1, 12, 20])
[(1, 12), (12, 20), (20, 1)]
"""

from pyfame.face.regions import MASK_CONSTANT_NAMES, PATH_CONSTANT_NAMES, create_path
from pyfame.face.regions import *  # noqa: F403 - the constants listed below

__all__ = ["create_path", *PATH_CONSTANT_NAMES, *MASK_CONSTANT_NAMES]  # noqa: PLE0604
