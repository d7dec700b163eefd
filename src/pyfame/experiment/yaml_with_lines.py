"""Load YAML and remember the line of every key, for error messages that point at the file."""

from __future__ import annotations

from typing import Any

import yaml

from pyfame.errors import FileReadError

Where = dict[tuple[Any, ...], int]


def load_with_lines(text: str, source: str) -> tuple[Any, Where]:
    """Parsed YAML and a map from each key path (``("conditions", 0, "layers")``) to its
    1-based line.

    Examples
    --------
    >>> data, lines = load_with_lines("a:\\n  b: 1\\n", "x.yaml")
    >>> data, lines[("a", "b")]
    ({'a': {'b': 1}}, 2)
    """
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise FileReadError(f"{source}: not valid YAML ({exc})") from exc
    where: Where = {}
    if node is None:
        return None, where
    return _convert(node, (), where), where


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
