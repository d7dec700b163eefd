"""Declared parameters: what a layer, probe or frame plan takes, written down once.

A :class:`Param` gives a parameter's kind (type with bounds or choices), default, unit,
one-line help, the seed API's name for it where the seed names it differently, and older
command-line spellings. Everything else is derived from it: the check of a value (an error
that names the parameter, ``PyfameError.param``), the sidecar's record, ``to_dict`` and
``from_dict``, the YAML schema, the command-line option and the docs table.

Examples
--------
>>> p = Param(Number(low=0.0, high=1.0), default=0.5, help="share of the dots", unit="fraction")
>>> p.kind.check(1, "point_density")
1.0
>>> p.kind.describe()
'number in [0.0, 1.0]'
>>> p.kind.check(2, "point_density")
Traceback (most recent call last):
...
pyfame.errors.PyfameValueError: point_density must be in [0.0, 1.0], got 2
"""

from __future__ import annotations

import copy
import json
import numbers
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from pyfame.errors import PyfameError, PyfameTypeError, PyfameValueError
from pyfame.validation import bound_text, check_bool, check_float, check_int


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


#: The default of a parameter that must be given.
REQUIRED: Any = _Required()


def _plain_number(value: Any) -> Any:
    """NumPy scalars as Python numbers; anything else as it is."""
    if isinstance(value, np.generic) and not isinstance(value, np.bool_):
        return value.item()
    return value


def _bounds_text(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    return bound_text(low, high, not low_open, not high_open)


class Kind:
    """What values a parameter takes. Subclasses implement :meth:`check`.

    ``annotation`` is the Python type shown in signatures; ``multiple`` makes the
    command-line option repeatable; ``flag`` makes it an on/off switch.
    """

    annotation: Any = Any
    multiple: bool = False
    flag: bool = False

    def check(self, value: Any, name: str) -> Any:
        """The value in its canonical form, or a typed error naming ``name``."""
        raise NotImplementedError

    def to_data(self, value: Any) -> Any:
        """The value as plain JSON data (what sidecars, ``to_dict`` and YAML hold)."""
        return value

    def parse(self, text: str, name: str) -> Any:
        """A value from command-line text (``check`` follows)."""
        return text

    def describe(self) -> str:
        """A few words for help texts and the docs table."""
        return self.annotation.__name__ if isinstance(self.annotation, type) else str(self.annotation)

    def schema(self) -> dict[str, Any]:
        """JSON schema of the data form."""
        return {}


@dataclass(frozen=True)
class Number(Kind):
    """A finite real number (``int`` accepted; ``bool``, NaN and infinity refused)."""

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    annotation = float

    def check(self, value: Any, name: str) -> float:
        return check_float(value, name, low=self.low, high=self.high, low_inclusive=not self.low_open,
                           high_inclusive=not self.high_open)

    def bounds(self) -> str:
        """``[0.0, 1.0]``-style text."""
        return _bounds_text(self.low, self.high, self.low_open, self.high_open)

    def parse(self, text: str, name: str) -> Any:
        try:
            return float(text)
        except ValueError as exc:
            raise PyfameValueError(f"{name} must be a number, got {text!r}", param=name) from exc

    def describe(self) -> str:
        b = self.bounds()
        return "number" if b == "any" else f"number {b}"

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "number"}
        if self.low is not None:
            out["exclusiveMinimum" if self.low_open else "minimum"] = self.low
        if self.high is not None:
            out["exclusiveMaximum" if self.high_open else "maximum"] = self.high
        return out


@dataclass(frozen=True)
class Integer(Kind):
    """An integer (``bool`` and floats refused), within inclusive bounds."""

    low: int | None = None
    high: int | None = None
    annotation = int

    def check(self, value: Any, name: str) -> int:
        return check_int(value, name, low=self.low, high=self.high)

    def parse(self, text: str, name: str) -> Any:
        try:
            return int(text)
        except ValueError as exc:
            raise PyfameValueError(f"{name} must be an integer, got {text!r}", param=name) from exc

    def describe(self) -> str:
        b = _bounds_text(self.low, self.high, False, False)
        return "integer" if b == "any" else f"integer {b}"

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "integer"}
        if self.low is not None:
            out["minimum"] = self.low
        if self.high is not None:
            out["maximum"] = self.high
        return out


@dataclass(frozen=True)
class Boolean(Kind):
    """``True`` or ``False`` (NumPy's ``bool_`` too; 0 and 1 are not booleans)."""

    annotation = bool
    flag = True

    def check(self, value: Any, name: str) -> bool:
        return check_bool(value, name)

    def parse(self, text: str, name: str) -> Any:
        low = text.strip().lower()
        if low in ("true", "yes", "on", "1"):
            return True
        if low in ("false", "no", "off", "0"):
            return False
        raise PyfameValueError(f"{name} must be true or false, got {text!r}", param=name)

    def describe(self) -> str:
        return "true/false"

    def schema(self) -> dict[str, Any]:
        return {"type": "boolean"}


@dataclass(frozen=True)
class Choice(Kind):
    """One of a set of names (case-insensitive), or the seed's integer constant for one.

    ``options`` maps the integer constants to names (``{21: "red", ...}``) or is a sequence
    of names. The canonical value is the name.
    """

    options: Mapping[int, str] | tuple[str, ...] = ()
    extra_names: tuple[str, ...] = ()
    annotation = str

    @property
    def names(self) -> list[str]:
        """The accepted names, in order."""
        base = list(self.options.values()) if isinstance(self.options, Mapping) else list(self.options)
        return base + [n for n in self.extra_names if n not in base]

    def check(self, value: Any, name: str) -> str:
        value = _plain_number(value)
        names = self.names
        if isinstance(value, str):
            key = value.strip().lower()
            for n in names:
                if key == n.lower() or key == n.lower().replace(" ", "_") or key == n.lower().replace(" ", "-"):
                    return n
            raise PyfameValueError(f"{name} must be one of {self.describe_options()}, got {value!r}", param=name)
        if isinstance(value, int) and not isinstance(value, bool) and isinstance(self.options, Mapping):
            if value in self.options:
                return self.options[value]
            raise PyfameValueError(f"{name} must be one of {self.describe_options()}, got {value!r}", param=name)
        raise PyfameTypeError(f"{name} must be one of {self.describe_options()}, got {type(value).__name__} "
                              f"({value!r})", param=name)

    def describe_options(self) -> str:
        """``'red', 'green'`` and so on."""
        return ", ".join(repr(n) for n in self.names)

    def describe(self) -> str:
        return "one of " + self.describe_options()

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": self.names}


@dataclass(frozen=True)
class Color(Kind):
    """A colour, always held as an RGB tuple of three ints in 0-255.

    Accepts a 3-sequence of ints (RGB), a ``"#rrggbb"`` hex string or a CSS colour name
    (``"red"``, ``"grey"``, ...). ``words`` are extra accepted strings kept as they are
    (``"mean"`` for "the face's mean colour").
    """

    words: tuple[str, ...] = ()
    annotation = tuple

    def check(self, value: Any, name: str, order: str = "rgb") -> tuple[int, int, int] | str:
        """The colour as RGB. ``order="bgr"`` reads a tuple as (B, G, R), as the seed
        functions take it, and says so in its errors, with each index as the caller wrote it.

        Examples
        --------
        >>> Color().check((0, 0, 255), "color", order="bgr")
        (255, 0, 0)
        >>> Color().check((300, 0, 0), "color", order="bgr")
        Traceback (most recent call last):
        ...
        pyfame.errors.PyfameValueError: color[0] (B of B, G, R) must be in [0, 255], got 300
        """
        if isinstance(value, str):
            text = value.strip().lower()
            if text in self.words:
                return text
            return _named_color(text, name, self.words, order)
        letters = "B, G, R" if order == "bgr" else "R, G, B"
        if isinstance(value, (bytes, Mapping)) or not isinstance(value, Iterable):
            raise PyfameTypeError(f"{name} must be a colour: ({letters}) ints in 0-255, '#rrggbb' or a name, "
                                  f"got {value!r}", param=name)
        items = list(value)
        if len(items) != 3:
            raise PyfameValueError(f"{name} must have 3 values ({letters}), got {len(items)} ({value!r})", param=name)
        channel = Integer(0, 255)
        checked = []
        for i, v in enumerate(items):  # each index as the caller wrote it, with its channel
            try:
                checked.append(channel.check(v, f"{name}[{i}] ({letters.split(', ')[i]} of {letters})"))
            except PyfameError as exc:
                exc.param = name
                raise
        return tuple(reversed(checked) if order == "bgr" else checked)  # type: ignore[return-value]

    def to_data(self, value: Any) -> Any:
        return value if isinstance(value, str) else list(value)

    def parse(self, text: str, name: str) -> Any:
        if "," in text:
            parts = [p.strip() for p in text.split(",")]
            try:
                return tuple(int(p) for p in parts)
            except ValueError as exc:
                raise PyfameValueError(f"{name} must be R,G,B integers, '#rrggbb' or a colour name, got {text!r}",
                                       param=name) from exc
        return text

    def describe(self, order: str = "rgb") -> str:
        extra = "".join(f" or '{w}'" for w in self.words)
        return f"colour: {'B,G,R' if order == 'bgr' else 'R,G,B'} (0-255), #rrggbb or a name{extra}"

    def schema(self) -> dict[str, Any]:
        rgb = {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 255}, "minItems": 3,
               "maxItems": 3}
        return {"oneOf": [rgb, {"type": "string"}]}


def _named_color(text: str, name: str, words: tuple[str, ...], order: str = "rgb") -> tuple[int, int, int]:
    if text.startswith("#") and len(text) == 7:
        try:
            return (int(text[1:3], 16), int(text[3:5], 16), int(text[5:7], 16))
        except ValueError:
            pass
    from matplotlib.colors import CSS4_COLORS

    hex_code = CSS4_COLORS.get(text.replace(" ", ""))
    if hex_code is None:
        extra = "".join(f", '{w}'" for w in words)
        letters = "B, G, R" if order == "bgr" else "R, G, B"
        raise PyfameValueError(f"{name}: {text!r} is not a colour: give ({letters}) ints in 0-255, '#rrggbb' or a "
                               f"CSS colour name{extra}", param=name)
    return _named_color(hex_code.lower(), name, words)


@dataclass(frozen=True)
class Regions(Kind):
    """Face regions: a region, a mask type, a name, a custom loop, or a list of them."""

    annotation = list
    multiple = True

    def check(self, value: Any, name: str) -> list[Any]:
        from pyfame.face.regions import resolve_regions

        if isinstance(value, tuple) and value and not all(isinstance(v, int) for v in value) and not (
                len(value) == 2 and all(isinstance(v, int) for v in value)):
            value = list(value)
        try:
            return resolve_regions(value, name)
        except PyfameError as exc:
            exc.param = exc.param or name
            raise

    def to_data(self, value: Any) -> Any:
        from pyfame.face.regions import region_name

        return region_name(value)

    def describe(self) -> str:
        return "face regions (names joined by '+', see `pyfame regions`)"

    def schema(self) -> dict[str, Any]:
        return {"oneOf": [{"type": "string"}, {"type": "integer"}, {"type": "array"}]}


@dataclass(frozen=True)
class TimingFunction(Kind):
    """A timing function: a callable or one of ``constant``, ``linear``, ``sigmoid``, ``gaussian``."""

    annotation = Callable

    def check(self, value: Any, name: str) -> Callable[..., float]:
        from pyfame.pipeline.timing import resolve_timing_function

        return resolve_timing_function(value, name)

    def to_data(self, value: Any) -> Any:
        from pyfame.utils.timing_functions import TIMING_FUNCTIONS

        for key, func in TIMING_FUNCTIONS.items():
            if func is value:
                return key
        return f"{getattr(value, '__module__', '?')}.{getattr(value, '__qualname__', repr(value))}"

    def describe(self) -> str:
        return "'constant', 'linear', 'sigmoid', 'gaussian' or a callable"

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": ["constant", "linear", "sigmoid", "gaussian"]}


@dataclass(frozen=True)
class IntegerList(Kind):
    """A non-empty list of integers in ``[low, high]``."""

    low: int | None = None
    high: int | None = None
    annotation = list

    def check(self, value: Any, name: str) -> list[int]:
        if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
            raise PyfameTypeError(f"{name} must be a list of integers, got {value!r}", param=name)
        items = list(value)
        if not items:
            raise PyfameValueError(f"{name} must not be empty", param=name)
        one = Integer(self.low, self.high)
        return [one.check(v, f"{name}[{i}]") for i, v in enumerate(items)]

    def parse(self, text: str, name: str) -> Any:
        return [Integer().parse(p.strip(), name) for p in text.split(",") if p.strip()]

    def describe(self) -> str:
        return f"list of integers {_bounds_text(self.low, self.high, False, False)}"

    def schema(self) -> dict[str, Any]:
        return {"type": "array", "items": Integer(self.low, self.high).schema(), "minItems": 1}


@dataclass(frozen=True)
class IntegerPair(Kind):
    """Two integers (a single integer ``n`` means ``(n, n)``)."""

    low: int | None = None
    high: int | None = None
    annotation = tuple

    def check(self, value: Any, name: str) -> tuple[int, int]:
        value = _plain_number(value)
        if isinstance(value, numbers.Integral) and not isinstance(value, bool):
            value = (value, value)
        if isinstance(value, (str, bytes)) or not isinstance(value, Iterable) or len(list(value)) != 2:
            raise PyfameTypeError(f"{name} must be a pair of ints like (15, 15), got {value!r}", param=name)
        one = Integer(self.low, self.high)
        a, b = list(value)
        return (one.check(a, f"{name}[0]"), one.check(b, f"{name}[1]"))

    def to_data(self, value: Any) -> Any:
        return list(value)

    def parse(self, text: str, name: str) -> Any:
        items = IntegerList().parse(text, name)
        return items[0] if len(items) == 1 else items  # "512" is (512, 512)

    def describe(self) -> str:
        return f"two integers {_bounds_text(self.low, self.high, False, False)}"

    def schema(self) -> dict[str, Any]:
        return {"type": "array", "items": Integer(self.low, self.high).schema(), "minItems": 2, "maxItems": 2}


@dataclass(frozen=True)
class Keywords(Kind):
    """A mapping of extra keyword arguments (names to plain values)."""

    annotation = dict

    def check(self, value: Any, name: str) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
            raise PyfameTypeError(f"{name} must be a mapping of names to values, got {value!r}", param=name)
        return {k: _plain_number(v) for k, v in value.items()}

    def parse(self, text: str, name: str) -> Any:
        try:
            return json.loads(text)
        except ValueError as exc:
            raise PyfameValueError(f"{name} must be a JSON object, got {text!r}", param=name) from exc

    def describe(self) -> str:
        return "mapping"

    def schema(self) -> dict[str, Any]:
        return {"type": "object"}


@dataclass(frozen=True)
class Optional(Kind):
    """``None`` or a value of ``kind``."""

    kind: Kind = field(default_factory=Number)

    @property
    def annotation(self) -> Any:  # type: ignore[override]
        return self.kind.annotation

    @property
    def multiple(self) -> bool:  # type: ignore[override]
        return self.kind.multiple

    def check(self, value: Any, name: str) -> Any:
        return None if value is None else self.kind.check(value, name)

    def to_data(self, value: Any) -> Any:
        return None if value is None else self.kind.to_data(value)

    def parse(self, text: str, name: str) -> Any:
        return None if text.strip().lower() in ("none", "") else self.kind.parse(text, name)

    def describe(self) -> str:
        return f"{self.kind.describe()}, or none"

    def schema(self) -> dict[str, Any]:
        return {"oneOf": [{"type": "null"}, self.kind.schema()]}


@dataclass(frozen=True)
class Param:
    """One declared parameter.

    Parameters
    ----------
    kind : Kind
        What values it takes (:class:`Number`, :class:`Choice`, :class:`Color`, ...).
    default : object
        Its default (:data:`REQUIRED` if it must be given).
    help : str
        One line for help texts, docstrings and the docs table.
    unit : str, optional
        The unit of a magnitude ("px", "s", "CIELAB units", "fraction of face width").
    seed_name : str, optional
        The name the seed API gives it, where it differs (``bubble_sigma`` for ``sigma``).
    cli_names : tuple of str
        Older command-line spellings still accepted (``"--magnitude"``).
    cli : bool
        False keeps it off the command line (callables, mappings).
    seed_color_order : bool
        A colour that seed functions take in BGR order (as the seed API documents).

    Examples
    --------
    >>> Param(Integer(1, 100), default=10, help="number of bubbles").default
    10
    """

    kind: Kind
    default: Any = REQUIRED
    help: str = ""
    unit: str | None = None
    seed_name: str | None = None
    cli_names: tuple[str, ...] = ()
    cli: bool = True
    seed_color_order: bool = True
    name: str = ""

    def __set_name__(self, owner: type, name: str) -> None:
        object.__setattr__(self, "name", name)

    def replace(self, **changes: Any) -> Param:
        """A copy with some fields changed (a subclass's own default, say)."""
        return replace(self, **changes)

    def default_value(self) -> Any:
        """A fresh copy of the default."""
        return copy.deepcopy(self.default)

    def check(self, value: Any) -> Any:
        """``value`` checked and in canonical form; the error carries ``param``."""
        try:
            return self.kind.check(value, self.name)
        except PyfameError as exc:
            param = getattr(exc, "param", None)
            if param is None or param.startswith(self.name + "["):  # an item of it: the parameter is named
                exc.param = self.name
            raise

    def describe(self) -> str:
        """Kind, unit and default in a few words (for docs and help)."""
        unit = f" ({self.unit})" if self.unit else ""
        return f"{self.kind.describe()}{unit}"

    def default_data(self) -> Any:
        """The default in data form (as a sidecar would hold it)."""
        if self.default is REQUIRED:
            return REQUIRED
        return self.kind.to_data(self.check(self.default_value()))


def closest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate most like ``name`` (a typo's intended word), or None.

    Examples
    --------
    >>> closest("shift_colour", ["shift_color", "shift_magnitude"])
    'shift_color'
    """
    import difflib

    found = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return found[0] if found else None


__all__ = [
    "REQUIRED", "Boolean", "Choice", "Color", "Integer", "IntegerList", "IntegerPair", "Keywords", "Kind", "Number",
    "Optional", "Param", "Regions", "TimingFunction", "closest",
]
