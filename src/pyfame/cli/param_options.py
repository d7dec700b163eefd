"""Command-line options made from declared parameters: one rule for every layer and setting.

An option is named after the Python parameter (``shift_magnitude`` → ``--shift-magnitude``),
keeps the older spellings its declaration lists (``--magnitude``), shows its default, unit
and help, and its value goes through the parameter's own check, so the command line refuses
exactly what the Python API refuses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from pyfame.errors import PyfameError
from pyfame.pipeline.params import REQUIRED, Boolean, Choice, Integer, Number, Optional, Param


def option_name(name: str) -> str:
    """``shift_magnitude`` → ``--shift-magnitude``."""
    return "--" + name.replace("_", "-")


def _shown(param: Param) -> Any:
    if param.default is REQUIRED or param.default is None:
        return None
    try:
        data = param.default_data()
    except PyfameError:
        return None
    if isinstance(data, list):
        return ",".join(str(v) for v in data)
    return data


def _help(param: Param) -> str:
    unit = f" [{param.unit}]" if param.unit else ""
    kind = param.kind.kind if isinstance(param.kind, Optional) else param.kind
    shown = "" if isinstance(kind, (Boolean, Choice)) and not isinstance(param.kind, Optional) else \
        f" ({param.kind.describe()})"
    return f"{param.help}{unit}{shown}".strip()


def make_option(param: Param, dest: str | None = None) -> Callable[[Any], Any]:
    """A click option for ``param`` whose value is checked by the parameter itself."""
    kind = param.kind.kind if isinstance(param.kind, Optional) else param.kind
    dest = dest or param.name
    names = [option_name(param.name)]
    decls = [n for n in param.cli_names if n.startswith("--") and "/" not in n]
    if isinstance(kind, Boolean):
        negations = [n.lstrip("/") for n in param.cli_names if n.startswith("/")]  # "/--keep-last-block"
        off = negations[0] if negations else f"--no-{names[0][2:]}"
        primary = f"{names[0]}/{off}" if param.default is True or negations else names[0]
        return click.option(primary, *decls, dest, is_flag=True, default=param.default,
                            help=_help(param) + (" [default: on]" if param.default is True else ""))
    click_type: Any = str
    if isinstance(kind, Choice) and not isinstance(param.kind, Optional):
        click_type = click.Choice(kind.names, case_sensitive=False)
    elif isinstance(kind, Number) and not isinstance(param.kind, Optional):
        click_type = float
    elif isinstance(kind, Integer) and not isinstance(param.kind, Optional):
        click_type = int  # an optional number stays text here, so 'none' reaches the kind's parse

    def convert(ctx: click.Context, option: click.Parameter, value: Any) -> Any:
        if value is None or value == ():
            return _Unset
        try:
            if param.kind.multiple and isinstance(param.kind, Optional) and [str(v).lower() for v in value] == ["none"]:
                return param.check(None)
            if param.kind.multiple:
                parsed: list[Any] = []
                for item in value:
                    got = param.kind.parse(item, param.name) if isinstance(item, str) else item
                    parsed.extend(got if isinstance(got, list) else [got])
                return param.check(parsed)
            parsed_one = param.kind.parse(value, param.name) if isinstance(value, str) else value
            return param.check(parsed_one)
        except PyfameError as exc:
            raise click.BadParameter(str(exc), ctx=ctx, param=option) from exc

    shown = _shown(param)
    text = _help(param) + (f"  [default: {shown}]" if shown is not None and shown != "" else "")
    return click.option(*names, *decls, dest, type=click_type, multiple=param.kind.multiple, default=None,
                        callback=convert, help=text)


class _UnsetType:
    def __repr__(self) -> str:
        return "unset"


#: What an option not given on the command line holds (its parameter keeps its default).
_Unset: Any = _UnsetType()


def given(values: dict[str, Any]) -> dict[str, Any]:
    """The options that were given (booleans always count: their default is the parameter's;
    an optional parameter given as 'none' counts as given, None)."""
    return {k: v for k, v in values.items() if v is not _Unset}


__all__ = ["given", "make_option", "option_name"]
