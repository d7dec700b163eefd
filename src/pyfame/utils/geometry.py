"""Small geometry helpers of the seed's utils."""

from __future__ import annotations

import inspect
import math
from typing import Any

from pyfame.errors import PyfameValueError
from pyfame.validation import check_bool, check_float


def compute_rot_angle(slope1: float, slope2: float = 0.0) -> float:
    """Angle in degrees from a line of slope ``slope2`` to one of slope ``slope1``
    (counter-clockwise positive, in (-90, 90]).

    Examples
    --------
    >>> round(compute_rot_angle(1.0), 6)
    45.0
    """
    a = math.atan(check_float(slope1, "slope1"))
    b = math.atan(check_float(slope2, "slope2"))
    angle = math.degrees(a - b)
    if angle <= -90:
        angle += 180
    elif angle > 90:
        angle -= 180
    return angle


def compute_line_intersection(p1: tuple[float, float], p2: tuple[float, float], line: float,
                              vertical: bool = False) -> tuple[float, float]:
    """Where the line through ``p1`` and ``p2`` crosses the horizontal line ``y = line``
    (or the vertical line ``x = line`` with ``vertical=True``).

    Raises ``PyfameValueError`` if the lines are parallel.

    Examples
    --------
    >>> compute_line_intersection((0, 0), (2, 2), 1.0)
    (1.0, 1.0)
    """
    (x1, y1), (x2, y2) = (tuple(map(float, p1)), tuple(map(float, p2)))
    line = check_float(line, "line")
    check_bool(vertical, "vertical")
    if vertical:
        if x1 == x2:
            raise PyfameValueError("compute_line_intersection: the line through p1 and p2 is vertical too")
        t = (line - x1) / (x2 - x1)
        return (line, y1 + t * (y2 - y1))
    if y1 == y2:
        raise PyfameValueError("compute_line_intersection: the line through p1 and p2 is horizontal too")
    t = (line - y1) / (y2 - y1)
    return (x1 + t * (x2 - x1), line)


def get_variable_name(variable: Any, namespace: dict[str, Any] | None = None) -> str | None:
    """The name bound to ``variable`` in ``namespace`` (the caller's globals by default), or None.

    Examples
    --------
    >>> answer = object()
    >>> get_variable_name(answer, {"answer": answer})
    'answer'
    """
    if namespace is None:
        frame = inspect.currentframe()
        namespace = frame.f_back.f_globals if frame is not None and frame.f_back is not None else {}
    for name, value in namespace.items():
        if value is variable and not name.startswith("_"):
            return name
    return None
