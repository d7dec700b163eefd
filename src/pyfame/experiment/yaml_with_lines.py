"""Load YAML and remember the line of every key, for error messages that point at the file."""

from __future__ import annotations

from typing import Any

import yaml

from pyfame.errors import FileReadError

Where = dict[tuple[Any, ...], int]


def load_with_lines(text: str, source: str) -> tuple[Any, Where]:
    """Parsed YAML and a map from each key path (``("conditions", 0, "layers")``) to its
    1-based line.

    Anchors and aliases (``&name`` / ``*name``, merge keys ``<<: *name`` too) are refused
    before anything is built (:func:`refuse_aliases`): expanding them is how a few hundred
    bytes ("billion laughs") become gigabytes, and how a file refers to itself.

    Raises
    ------
    FileReadError
        Not valid YAML.
    ExperimentError
        An anchor or alias; the message names the file and line.

    Examples
    --------
    >>> data, lines = load_with_lines("a:\\n  b: 1\\n", "x.yaml")
    >>> data, lines[("a", "b")]
    ({'a': {'b': 1}}, 2)
    """
    refuse_aliases(text, source)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise FileReadError(f"{source}: not valid YAML ({exc})") from exc
    where: Where = {}
    if node is None:
        return None, where
    return _convert(node, (), where), where


def refuse_aliases(text: str, source: str, error: type[Exception] | None = None, **details: Any) -> None:
    """Raise ``ExperimentError`` (or ``error(message, **details)``) at the first anchor or
    alias of a YAML text.

    Only the parser's event stream is read (no node is composed, nothing is expanded), so
    the time and memory are those of reading the text once.

    Examples
    --------
    >>> refuse_aliases("a: &x [1]\\nb: *x\\n", "exp.yaml")
    Traceback (most recent call last):
    ...
    pyfame.experiment.experiment.ExperimentError: exp.yaml line 1: YAML anchors and aliases are not allowed (anchor &x); write the values out
    """
    if error is None:
        from pyfame.experiment.experiment import ExperimentError

        error = ExperimentError
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                what = f"alias *{event.anchor}"
            elif isinstance(event, yaml.NodeEvent) and event.anchor is not None:
                what = f"anchor &{event.anchor}"
            else:
                continue
            raise error(
                f"{source} line {event.start_mark.line + 1}: YAML anchors and aliases are not allowed "
                f"({what}); write the values out", **details
            )
    except yaml.YAMLError as exc:
        raise FileReadError(f"{source}: not valid YAML ({exc})") from exc


def _convert(node: yaml.Node, path: tuple[Any, ...], where: Where) -> Any:
    where.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node)
            where[(*path, key)] = key_node.start_mark.line + 1
            out[key] = _convert(value_node, (*path, key), where)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, (*path, i), where) for i, item in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: yaml.Node) -> Any:
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()
