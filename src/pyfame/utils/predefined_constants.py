"""Option constants of the seed API. Every function that takes one also takes its name.

Example
-------
>>> COLOR_NAMES[COLOR_RED]
'red'
"""

from __future__ import annotations

# colours for face_color_shift
COLOR_RED = 21
COLOR_BLUE = 22
COLOR_GREEN = 23
COLOR_YELLOW = 24
COLOR_NAMES = {COLOR_RED: "red", COLOR_BLUE: "blue", COLOR_GREEN: "green", COLOR_YELLOW: "yellow"}


def options(names: dict[int, str]) -> dict[object, str]:
    """Accepted keys (the ints and the lower-case names) → canonical name."""
    return {**names, **{v: v for v in names.values()}}


__all__ = ["COLOR_RED", "COLOR_BLUE", "COLOR_GREEN", "COLOR_YELLOW", "COLOR_NAMES"]
