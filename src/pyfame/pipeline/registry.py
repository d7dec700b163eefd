"""Every layer, probe and frame plan by name: PyFAME's own and those of installed plugins.

Classes register themselves when they are defined (a subclass of
:class:`~pyfame.pipeline.layer.Layer`, ``Probe`` or ``FramePlan`` with a ``name``). Plugins
are packages that declare an entry point in the group ``pyfame.layers`` pointing at a module
(or class) that defines their classes; :func:`registered` loads PyFAME's own families and
every plugin once, so a plugin's layer is on the command line, in experiment files and in
``pyfame verify`` with no change to PyFAME.

Examples
--------
>>> "color_shift" in registered("layer")
True
>>> build({"type": "blur", "k_size": 9}).k_size
9
"""

from __future__ import annotations

import logging
from importlib import import_module
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

from pyfame.errors import PyfameTypeError, PyfameValueError

if TYPE_CHECKING:
    from pyfame.pipeline.layer import Configurable

log = logging.getLogger(__name__)

#: The entry-point group plugins use.
PLUGIN_GROUP = "pyfame.layers"
FAMILIES = ("layer", "probe", "frame_plan", "operation")

_classes: dict[str, dict[str, type[Configurable]]] = {family: {} for family in FAMILIES}
_loaded = False


def register(cls: type[Configurable]) -> None:
    """Record ``cls`` under its family and name (called on class definition).

    Defining a class again with the same module and name replaces it (a notebook cell run
    twice); another class taking a name already used is an error.
    """
    table = _classes[cls.family]
    old = table.get(cls.name)
    if old is not None and (old.__module__, old.__qualname__) != (cls.__module__, cls.__qualname__):
        raise PyfameValueError(f"{cls.family} name {cls.name!r} is taken by {old.__module__}.{old.__qualname__}; "
                               f"{cls.__module__}.{cls.__qualname__} needs another name", param="name")
    table[cls.name] = cls


def _load() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    import_module("pyfame.core")  # PyFAME's own families define and so register their classes
    for entry in entry_points(group=PLUGIN_GROUP):
        try:
            entry.load()
        except Exception as exc:  # a broken plugin must not take PyFAME down
            log.warning("could not load the PyFAME plugin %s (%s): %s", entry.name, entry.value, exc)


def registered(family: str = "layer") -> dict[str, type[Configurable]]:
    """The registered classes of a family (``"layer"``, ``"probe"``, ``"frame_plan"``) by name,
    PyFAME's own and plugins' alike."""
    if family not in _classes:
        raise PyfameValueError(f"family must be one of {FAMILIES}, got {family!r}", param="family")
    _load()
    return dict(sorted(_classes[family].items()))


def lookup(name: str, family: str | None = None) -> type[Configurable]:
    """The class registered as ``name`` (in ``family``, or in any family)."""
    families = [family] if family else list(FAMILIES)
    for fam in families:
        table = registered(fam)
        if name in table:
            return table[name]
    known = sorted(n for fam in families for n in registered(fam))
    from pyfame.pipeline.params import closest

    guess = closest(str(name), known)
    hint = f" (did you mean {guess!r}?)" if guess else ""
    what = family.replace("_", " ") if family else "layer, probe or frame plan"
    raise PyfameValueError(f"unknown {what} type {name!r}{hint}; known: {', '.join(known)}", param="type")


def build(spec: Any, family: str | None = None) -> Configurable:
    """An object from ``{"type": name, **parameters}`` (a parameter the class does not take
    is an error naming the class and the parameter)."""
    from pyfame.pipeline.layer import unknown_parameter

    if not isinstance(spec, dict) or "type" not in spec:
        raise PyfameTypeError(f"a {family or 'layer'} must be a mapping with a 'type' key, got {spec!r}",
                              param="type")
    cls = lookup(spec["type"], family)
    args = {k: v for k, v in spec.items() if k != "type"}
    for key in args:
        if key not in cls.parameters:
            raise unknown_parameter(cls, key)
    return cls(**args)


__all__ = ["FAMILIES", "PLUGIN_GROUP", "build", "lookup", "register", "registered"]


def public_names(package: str) -> dict[str, Any]:
    """What a package of PyFAME's families exports: every name its modules list in
    ``__all__``, every registered class and every seed function defined in them.

    Importing the modules defines (and so registers) their classes; a new layer is one new
    module in a family's package, and it appears in ``pyfame.core`` with nothing to list.
    """
    import pkgutil

    from pyfame.pipeline.layer import Configurable

    pkg = import_module(package)
    out: dict[str, Any] = {}
    for info in sorted(pkgutil.walk_packages(pkg.__path__, package + "."), key=lambda i: i.name):
        module = import_module(info.name)
        for name in getattr(module, "__all__", ()):
            out[name] = getattr(module, name)
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
                continue
            declared = isinstance(obj, type) and issubclass(obj, Configurable) and bool(obj.name)
            if declared or getattr(obj, "declaration", None) is not None:
                out[name] = obj
    return out
