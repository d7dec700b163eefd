"""``display_*_options()``: print the options of a parameter with their constants.

These print to standard output (their one job); the rest of the package logs through
``logging``.

Examples
--------
>>> display_color_options()  # doctest: +NORMALIZE_WHITESPACE
color options (shift_color):
  COLOR_RED = 21  ('red')
  COLOR_BLUE = 22  ('blue')
  COLOR_GREEN = 23  ('green')
  COLOR_YELLOW = 24  ('yellow')
"""

from __future__ import annotations

from pyfame.face import regions as _landmarks
from pyfame.utils import predefined_constants as _c


def _show(title: str, parameter: str, names: dict[int, str]) -> None:
    lines = [f"{title} options ({parameter}):"]
    constants = {v: k for k, v in vars(_c).items() if k.isupper() and isinstance(v, int)}
    constants.update({v: k for k, v in _landmarks.MASK_CONSTANT_NAMES.items()} if parameter == "mask_type" else {})
    for value, name in names.items():
        lines.append(f"  {constants.get(value, value)} = {value}  ({name!r})")
    print("\n".join(lines))


def display_mask_type_options() -> None:
    """Mask types (``mask_type``)."""
    _show("mask type", "mask_type", {v: _landmarks.MASK_REGIONS[v].name for v in sorted(_landmarks.MASK_REGIONS)})


def display_color_options() -> None:
    """Colours of ``face_color_shift`` (``shift_color``)."""
    _show("color", "shift_color", _c.COLOR_NAMES)


def display_occlusion_fill_options() -> None:
    """Fills of ``occlude_face_region`` (``occlusion_fill``; also ``"bubbles"``)."""
    _show("occlusion fill", "occlusion_fill", _c.OCCLUSION_FILL_NAMES)


def display_blur_method_options() -> None:
    """Blur methods (``blur_method``)."""
    _show("blur method", "blur_method", _c.BLUR_METHOD_NAMES)


def display_noise_method_options() -> None:
    """Noise methods (``noise_method``)."""
    _show("noise method", "noise_method", _c.NOISE_METHOD_NAMES)


def display_color_space_options() -> None:
    """Colour spaces of ``extract_face_color_means`` (``color_space``)."""
    _show("color space", "color_space", _c.COLOR_SPACE_NAMES)


def display_scramble_method_options() -> None:
    """Scramble methods (``scramble_method``)."""
    _show("scramble method", "scramble_method", _c.SCRAMBLE_METHOD_NAMES)


def display_shuffle_method_options() -> None:
    """Frame shuffle methods (``shuffle_method``)."""
    _show("shuffle method", "shuffle_method", _c.SHUFFLE_METHOD_NAMES)


def display_history_mode_options() -> None:
    """Point-light history modes (``history_mode``)."""
    _show("history mode", "history_mode", _c.HISTORY_MODE_NAMES)


def display_optical_flow_options() -> None:
    """Optical flow types (``optical_flow_type``)."""
    _show("optical flow", "optical_flow_type", _c.OPTICAL_FLOW_NAMES)


def display_timing_function_options() -> None:
    """Timing functions (``timing_func``): names or the functions themselves."""
    print("timing function options (timing_func):\n  constant\n  linear\n  sigmoid  (k)\n  gaussian  (mean, sigma)\n"
          "  or any callable f(t, onset=..., offset=..., **kwargs) -> weight in [0, 1]")


__all__ = [name for name in dir() if name.startswith("display_")]
