"""Sources of published tables: other parts of Civitas hand the catalogue tables of aggregates.

The catalogue does not import the apps it publishes for (the layers forbid it: e-participation is
our sibling). A module above both registers a source at start-up::

    register_source(
        "participation",
        result_tables,
        publisher="participation",
        publisher_title="Public participation",
        protect={"survey": Protect(counts=("respondents",), derived=("share_percent",),
                                   within=("question_number",))},
    )

``tables`` is called at each publication and returns objects shaped like ``SourceTable`` (the
attributes are read, the class need not be ours). ``civitas opendata publish-statistics`` and its
scheduled task publish every source (``services.publish_sources``): each group of tables becomes a
dataset of the source's publisher, each table a datastore resource with CSV, JSON and Parquet
downloads, after the disclosure rule declared for its kind has been applied.

Disclosure: tables from sources are aggregates already, but a count of people can still be small
enough to point at someone (two people answered "no" in a survey of a small village). For the
columns declared as counts of people, counts from 1 to threshold-1 are hidden; within a group of
rows that add up to a known total (the answers to one question), a single hidden count is joined
by the next smallest, so it cannot be recovered by subtraction; and columns computed from counts
(shares) are hidden on any row where a count is. Under the rounding method, counts are rounded
to the base and derived columns are left out. Sources declare no rule for tables that are public
results by nature (the votes of a participatory budget, like an election's).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from civitas.opendata.disclosure.protect import ROUNDING, Method


class SourceColumn(Protocol):
    name: str
    type: str  # "string", "integer", "number" or "boolean"
    description: str


class SourceTable(Protocol):
    key: str  # stable and unique: "<source>/<kind>/<slug>/<table>"
    title: str
    description: str
    kind: str
    source_url: str
    updated_at: datetime
    columns: Sequence[SourceColumn]
    rows: list[tuple]


@dataclass(frozen=True)
class Protect:
    """How to protect one kind of table (see the module's docstring)."""

    counts: tuple[str, ...]
    derived: tuple[str, ...] = ()
    within: tuple[str, ...] = ()


@dataclass(frozen=True)
class Source:
    name: str
    tables: Callable[[], Iterable[SourceTable]]
    publisher: str
    publisher_title: str
    protect: dict[str, Protect] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    theme: tuple[str, ...] = ("GOVE",)


_SOURCES: dict[str, Source] = {}


def register_source(
    name: str,
    tables: Callable[[], Iterable[SourceTable]],
    *,
    publisher: str,
    publisher_title: str = "",
    protect: dict[str, Protect] | None = None,
    tags: Iterable[str] = (),
    theme: Iterable[str] = ("GOVE",),
) -> None:
    """Register (or replace: registering twice is harmless) a source of published tables."""
    _SOURCES[name] = Source(
        name=name,
        tables=tables,
        publisher=publisher,
        publisher_title=publisher_title or publisher.replace("-", " ").title(),
        protect=dict(protect or {}),
        tags=tuple(tags),
        theme=tuple(theme),
    )


def unregister_source(name: str) -> None:
    _SOURCES.pop(name, None)


def sources() -> list[Source]:
    return [_SOURCES[name] for name in sorted(_SOURCES)]


@dataclass
class Protected:
    """A table after its disclosure rule: rows with hidden cells as None."""

    columns: list[dict]  # {"name", "type", "description"}
    rows: list[tuple]
    hidden: int  # cells hidden
    rule: str  # one sentence for the dataset's metadata


def protect(table: SourceTable, rule: Protect | None, method: Method) -> Protected:
    columns = [
        {"name": c.name, "type": c.type, "description": getattr(c, "description", "")}
        for c in table.columns
    ]
    names = [c["name"] for c in columns]
    rows = [list(row) for row in table.rows]
    if rule is None:
        return Protected(columns, [tuple(r) for r in rows], 0, "")
    counts = [names.index(n) for n in rule.counts if n in names]
    derived = [names.index(n) for n in rule.derived if n in names]
    if method.name == ROUNDING:
        base = max(method.base, 1)
        for row in rows:
            for i in counts:
                if isinstance(row[i], int | float) and row[i] is not True:
                    value = int(row[i])
                    row[i] = None if 0 < value < method.threshold else base * round(value / base)
        keep = [i for i in range(len(names)) if i not in derived]
        return Protected(
            [columns[i] for i in keep],
            [tuple(row[i] for i in keep) for row in rows],
            0,
            f"Counts of people ({', '.join(rule.counts)}) from 1 to {method.threshold - 1} are "
            f"not published; the others are rounded to a multiple of {base}.",
        )
    hidden: set[tuple[int, int]] = set()
    for r, row in enumerate(rows):
        for i in counts:
            value = row[i]
            if isinstance(value, int | float) and 0 < value < method.threshold:
                hidden.add((r, i))
    # a lone hidden count in a group that adds up to a known total gets company
    groups: dict[tuple, list[tuple[int, int]]] = {}
    within = [names.index(n) for n in rule.within if n in names]
    for r, row in enumerate(rows):
        key = tuple(row[i] for i in within) if within else (r,)
        groups.setdefault(key, []).extend((r, i) for i in counts)
    for cells in groups.values():
        if sum(1 for cell in cells if cell in hidden) != 1:
            continue
        visible = [
            cell
            for cell in cells
            if cell not in hidden and isinstance(rows[cell[0]][cell[1]], int | float)
        ]
        if visible:
            hidden.add(
                min(visible, key=lambda cell: (rows[cell[0]][cell[1]] == 0, rows[cell[0]][cell[1]]))
            )
    for r, i in hidden:
        rows[r][i] = None
        for d in derived:
            rows[r][d] = None
    return Protected(
        columns,
        [tuple(row) for row in rows],
        len(hidden),
        f"Counts of people ({', '.join(rule.counts)}) from 1 to {method.threshold - 1} are "
        "hidden, with one more count of the same group where a single one would be, and "
        + (f"{', '.join(rule.derived)} hidden with them." if rule.derived else "nothing else."),
    )


def dataset_key(table_key: str) -> str:
    """Tables are grouped into datasets by their key without its last part:
    ``participation/budget/pb-2026/results`` goes to ``participation/budget/pb-2026``."""
    parts = [p for p in table_key.split("/") if p]
    return "/".join(parts[:-1]) if len(parts) > 2 else "/".join(parts)


def as_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value
