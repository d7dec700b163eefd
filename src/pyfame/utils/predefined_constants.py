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


__all__ = ["COLOR_RED", "COLOR_BLUE", "COLOR_GREEN", "COLOR_YELLOW", "COLOR_NAMES", "options"]

# occlusion fills for occlude_face_region
OCCLUSION_FILL_BLACK = 31
OCCLUSION_FILL_MEAN = 32
OCCLUSION_FILL_BAR = 33
OCCLUSION_FILL_NAMES = {OCCLUSION_FILL_BLACK: "black", OCCLUSION_FILL_MEAN: "mean", OCCLUSION_FILL_BAR: "bar"}

# blurring
BLUR_METHOD_GAUSSIAN = 41
BLUR_METHOD_AVERAGE = 42
BLUR_METHOD_MEDIAN = 43
BLUR_METHOD_NAMES = {BLUR_METHOD_GAUSSIAN: "gaussian", BLUR_METHOD_AVERAGE: "average", BLUR_METHOD_MEDIAN: "median"}

# noise
NOISE_METHOD_PIXELATE = 51
NOISE_METHOD_SALT_AND_PEPPER = 52
NOISE_METHOD_GAUSSIAN = 53
NOISE_METHOD_NAMES = {
    NOISE_METHOD_PIXELATE: "pixelate",
    NOISE_METHOD_SALT_AND_PEPPER: "salt and pepper",
    NOISE_METHOD_GAUSSIAN: "gaussian",
}

__all__ += [
    "OCCLUSION_FILL_BLACK", "OCCLUSION_FILL_MEAN", "OCCLUSION_FILL_BAR", "OCCLUSION_FILL_NAMES",
    "BLUR_METHOD_GAUSSIAN", "BLUR_METHOD_AVERAGE", "BLUR_METHOD_MEDIAN", "BLUR_METHOD_NAMES",
    "NOISE_METHOD_PIXELATE", "NOISE_METHOD_SALT_AND_PEPPER", "NOISE_METHOD_GAUSSIAN", "NOISE_METHOD_NAMES",
]

# colour spaces for extract_face_color_means
COLOR_SPACE_RGB = 61
COLOR_SPACE_HSV = 62
COLOR_SPACE_GRAYSCALE = 63
COLOR_SPACE_LAB = 64
COLOR_SPACE_YCRCB = 65
COLOR_SPACE_NAMES = {COLOR_SPACE_RGB: "rgb", COLOR_SPACE_HSV: "hsv", COLOR_SPACE_GRAYSCALE: "grayscale",
                     COLOR_SPACE_LAB: "lab", COLOR_SPACE_YCRCB: "ycrcb"}

# optical flow
SPARSE_OPTICAL_FLOW = 71
DENSE_OPTICAL_FLOW = 72
OPTICAL_FLOW_NAMES = {SPARSE_OPTICAL_FLOW: "sparse", DENSE_OPTICAL_FLOW: "dense"}

__all__ += [
    "COLOR_SPACE_RGB", "COLOR_SPACE_HSV", "COLOR_SPACE_GRAYSCALE", "COLOR_SPACE_LAB", "COLOR_SPACE_YCRCB",
    "COLOR_SPACE_NAMES", "SPARSE_OPTICAL_FLOW", "DENSE_OPTICAL_FLOW", "OPTICAL_FLOW_NAMES",
]
