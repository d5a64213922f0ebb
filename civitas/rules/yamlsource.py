"""YAML reading that remembers where each value came from.

Mappings load as ``LocatedDict`` and lists as ``LocatedList``; both know the
line and column of each key and item, so every later error can name the file,
line and column of the offending text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from civitas.rules.errors import Location, ProgrammeError


@dataclass(frozen=True, slots=True)
class Mark:
    line: int  # 1-based
    column: int  # 1-based
    style: str | None  # None (plain), "'", '"', "|", ">"


class LocatedDict(dict):
    """A mapping with ``key_marks`` and ``value_marks`` by key, and its own ``mark``."""

    mark: Mark
    key_marks: dict[Any, Mark]
    value_marks: dict[Any, Mark]


class LocatedList(list):
    mark: Mark
    item_marks: list[Mark]


def _mark(node: yaml.Node) -> Mark:
    style = getattr(node, "style", None)
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1, style)


class _Loader(yaml.SafeLoader):
    pass


# Dates stay text: the engine parses them itself, so a bad date (2020-13-01) is
# reported with its file and line instead of failing inside the YAML library.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LocatedDict:
    loader.flatten_mapping(node)
    result = LocatedDict()
    result.mark = _mark(node)
    result.key_marks = {}
    result.value_marks = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value", key_node.start_mark
            ) from None
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_marks[key] = _mark(key_node)
        result.value_marks[key] = _mark(value_node)
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LocatedList:
    result = LocatedList(loader.construct_object(child, deep=True) for child in node.value)
    result.mark = _mark(node)
    result.item_marks = [_mark(child) for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_yaml(text: str, file: str) -> Any:
    """Parse YAML text; syntax errors become a ``ProgrammeError`` naming file and line."""
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - safe loader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = Location(file, mark.line + 1, mark.column + 1) if mark else Location(file)
        problem = exc.problem or exc.context or "invalid YAML"
        raise ProgrammeError.single(loc, f"YAML syntax: {problem}") from None
    except yaml.YAMLError as exc:
        raise ProgrammeError.single(Location(file), f"YAML syntax: {exc}") from None


def key_location(file: str, mapping: Any, key: Any) -> Location:
    marks = getattr(mapping, "key_marks", None)
    if marks and key in marks:
        m = marks[key]
        return Location(file, m.line, m.column)
    return node_location(file, mapping)


def value_location(file: str, mapping: Any, key: Any) -> Location:
    marks = getattr(mapping, "value_marks", None)
    if marks and key in marks:
        m = marks[key]
        return Location(file, m.line, m.column)
    return node_location(file, mapping)


def item_location(file: str, seq: Any, index: int) -> Location:
    marks = getattr(seq, "item_marks", None)
    if marks and index < len(marks):
        m = marks[index]
        return Location(file, m.line, m.column)
    return node_location(file, seq)


def node_location(file: str, node: Any) -> Location:
    m = getattr(node, "mark", None)
    return Location(file, m.line, m.column) if m else Location(file)


def scalar_offset_location(
    file: str, text_lines: list[str], mark: Mark | None, value: str, offset: int
) -> Location:
    """Where character ``offset`` of a string scalar sits in the file.

    Exact for plain, quoted single-line and literal block (``|``) scalars, which is
    how formulas are written; approximate (the scalar's first line) otherwise.
    """
    if mark is None:
        return Location(file)
    before = value[:offset]
    line_in_value = before.count("\n")
    col_in_line = offset - (before.rfind("\n") + 1)
    if mark.style in ("|", ">"):
        file_line = mark.line + 1 + line_in_value
        if mark.style == ">":
            file_line = mark.line + 1
        indent = 0
        if 0 < file_line <= len(text_lines):
            src = text_lines[file_line - 1]
            indent = len(src) - len(src.lstrip(" "))
        return Location(file, file_line, indent + col_in_line + 1)
    if line_in_value == 0:
        quote = 1 if mark.style in ("'", '"') else 0
        return Location(file, mark.line, mark.column + quote + col_in_line)
    return Location(file, mark.line + line_in_value, col_in_line + 1)
