"""Batch inputs: persons and households tables checked and turned into arrays.

Persons carry ``person_id``, ``household_id`` and ``role`` (for the first group
entity; other groups use ``<group>_id`` and ``<group>_role``) plus person inputs;
each group table carries its id column plus group inputs. Every problem is
reported before anything is computed, naming the column and the first
offending rows (1-based, as a spreadsheet shows them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from civitas.rules.errors import InputDataError
from civitas.rules.model import BOOL, DATE, ENUM, FLOAT, INT, STR, Programme, Variable

SHOW_ROWS = 5


@dataclass
class GroupLinks:
    """Where each person sits in one group entity."""

    index: np.ndarray  # person -> group row (int64)
    role: np.ndarray  # person -> role code (int8), position in the entity's roles


@dataclass
class Population:
    """Checked batch inputs, in the order the tables gave them."""

    counts: dict[str, int]  # entity key -> number of rows
    ids: dict[str, pl.Series]  # entity key -> its id column, to label outputs
    links: dict[str, GroupLinks]  # group entity key -> links of every person
    inputs: dict[str, np.ndarray]  # variable -> values, one per row of its entity


def id_column(programme: Programme, group_key: str) -> str:
    return f"{group_key}_id"


def role_column(programme: Programme, group_key: str) -> str:
    first = programme.group_entities[0].key if programme.group_entities else group_key
    return "role" if group_key == first else f"{group_key}_role"


def _rows(mask: np.ndarray) -> str:
    bad = np.flatnonzero(mask)
    shown = ", ".join(str(int(r) + 1) for r in bad[:SHOW_ROWS])
    more = f" and {len(bad) - SHOW_ROWS} more" if len(bad) > SHOW_ROWS else ""
    return f"row{'s' if len(bad) > 1 else ''} {shown}{more}"


def build_population(
    programme: Programme,
    tables: dict[str, pl.DataFrame],
    needed_inputs: list[str],
) -> Population:
    """Check ``tables`` (entity key -> DataFrame) and convert the inputs in
    ``needed_inputs`` to arrays. Raises ``InputDataError`` on the first problem."""
    person = programme.person_entity
    groups = programme.group_entities
    persons = _table(tables, person.key, person.plural)
    counts = {person.key: persons.height}
    ids: dict[str, pl.Series] = {}
    _require_columns(persons, person.plural, [f"{person.key}_id"])
    ids[person.key] = _unique_ids(persons, f"{person.key}_id", person.plural)
    links: dict[str, GroupLinks] = {}
    for g in groups:
        table = _table(tables, g.key, g.plural)
        gid, grole = id_column(programme, g.key), role_column(programme, g.key)
        _require_columns(table, g.plural, [gid])
        _require_columns(persons, person.plural, [gid, grole])
        group_ids = _unique_ids(table, gid, g.plural)
        ids[g.key] = group_ids
        counts[g.key] = table.height
        links[g.key] = GroupLinks(
            _join_index(persons[gid], group_ids, person.plural, gid, g.plural),
            _role_codes(persons[grole], g.roles, person.plural, grole),
        )
    inputs: dict[str, np.ndarray] = {}
    missing: list[str] = []
    for name in needed_inputs:
        var = programme.variables[name]
        entity = programme.entities[var.entity]
        table = persons if entity.is_person else _table(tables, entity.key, entity.plural)
        if name not in table.columns:
            missing.append(f"{name} ({entity.plural})")
            continue
        inputs[name] = column_values(table[name], var, entity.plural)
    if missing:
        raise InputDataError(
            "missing input column" + ("s" if len(missing) > 1 else "") + ": " + ", ".join(missing)
        )
    return Population(counts, ids, links, inputs)


def _table(tables: dict[str, pl.DataFrame], key: str, plural: str) -> pl.DataFrame:
    table = tables.get(key)
    if table is None:
        table = tables.get(plural)
    if table is None:
        raise InputDataError(f"no {plural} table was given")
    return table


def _require_columns(table: pl.DataFrame, name: str, columns: list[str]) -> None:
    absent = [c for c in columns if c not in table.columns]
    if absent:
        raise InputDataError(
            f"{name}: missing column{'s' if len(absent) > 1 else ''} " + ", ".join(absent)
        )


def _unique_ids(table: pl.DataFrame, column: str, name: str) -> pl.Series:
    series = table[column]
    if series.null_count():
        raise InputDataError(f"{name}.{column}: empty id in {_rows(series.is_null().to_numpy())}")
    if series.dtype.is_numeric():
        values = series.to_numpy()
        if len(values) < 2 or bool(np.all(values[1:] > values[:-1])):
            return series  # strictly increasing: unique, and cheap to check
        order = np.argsort(values, kind="stable")
        same = values[order][1:] == values[order][:-1]
        if same.any():
            dup = np.zeros(len(values), bool)
            dup[order[1:][same]] = True
            raise InputDataError(f"{name}.{column}: the same id appears twice, {_rows(dup)}")
        return series
    dup = series.is_duplicated()
    if dup.any():
        raise InputDataError(f"{name}.{column}: the same id appears twice, {_rows(dup.to_numpy())}")
    return series


def _join_index(
    person_group_ids: pl.Series,
    group_ids: pl.Series,
    persons_name: str,
    column: str,
    groups_name: str,
) -> np.ndarray:
    """Row of each person's group, with numpy's sort and binary search."""
    if person_group_ids.null_count():
        raise InputDataError(
            f"{persons_name}.{column}: empty value in "
            f"{_rows(person_group_ids.is_null().to_numpy())}"
        )
    try:
        left = person_group_ids.cast(group_ids.dtype, strict=True).to_numpy()
    except Exception:
        raise InputDataError(
            f"{persons_name}.{column} has type {person_group_ids.dtype} but "
            f"{groups_name}.{column} has type {group_ids.dtype}"
        ) from None
    right = group_ids.to_numpy()
    if _consecutive(right) and left.dtype.kind in "iu":
        # Ids 7, 8, 9...: a person's group row is its group id minus the first id.
        first = int(right[0]) if len(right) else 0
        index = left.astype(np.int64, copy=False)
        if first:
            index = index - first
        if len(index) and (int(index.min()) < 0 or int(index.max()) >= len(right)):
            orphan = (index < 0) | (index >= len(right))
            raise InputDataError(
                f"{persons_name}.{column}: no such {groups_name[:-1]} in "
                f"{groups_name} for {_rows(orphan)}"
            )
        return index
    fast = _sorted_join(left, right)
    if fast is not None:
        return fast
    if len(right) > 1 and not bool(np.all(right[1:] > right[:-1])):
        order = np.argsort(right, kind="stable")
        sorted_ids = right[order]
    else:
        order = None
        sorted_ids = right
    if not len(sorted_ids):
        raise InputDataError(f"{persons_name}.{column}: {groups_name} is empty")
    pos = np.searchsorted(sorted_ids, left)
    orphan = (pos >= len(sorted_ids)) | (sorted_ids[np.minimum(pos, len(sorted_ids) - 1)] != left)
    if orphan.any():
        raise InputDataError(
            f"{persons_name}.{column}: no such {groups_name[:-1]} in "
            f"{groups_name} for {_rows(orphan)}"
        )
    return (order[pos] if order is not None else pos).astype(np.int64, copy=False)


def _consecutive(ids: np.ndarray) -> bool:
    if ids.dtype.kind not in "iu" or not len(ids):
        return False
    return int(ids[-1]) - int(ids[0]) == len(ids) - 1 and (
        len(ids) < 2 or bool(np.all(ids[1:] > ids[:-1]))
    )


def _sorted_join(left: np.ndarray, right: np.ndarray) -> np.ndarray | None:
    """The common case in one pass: groups listed in order, each with members, and
    persons listed group by group. None when the data is not laid out that way."""
    if not len(left) or len(left) < len(right):
        return None
    change = np.empty(len(left), dtype=bool)
    change[0] = True
    np.not_equal(left[1:], left[:-1], out=change[1:])
    index = np.cumsum(change, dtype=np.int64)
    index -= 1
    if index[-1] != len(right) - 1 or not bool(np.array_equal(right[index], left)):
        return None
    return index


def _role_codes(series: pl.Series, roles: tuple, name: str, column: str) -> np.ndarray:
    keys = [r.key for r in roles]
    return category_codes(series, keys, f"{name}.{column}", "roles").astype(np.int8, copy=False)


def category_codes(
    series: pl.Series, choices: list[str], where: str, what: str = "values"
) -> np.ndarray:
    """Position of each value in ``choices``; an InputDataError names other values' rows."""
    if series.null_count():
        raise InputDataError(f"{where}: empty value in {_rows(series.is_null().to_numpy())}")
    dtype = series.dtype
    if isinstance(dtype, pl.Enum) and list(dtype.categories) == choices:
        return series.to_physical().to_numpy().astype(np.int16, copy=False)
    text = series.cast(pl.String)
    if len(choices) <= 16 and len(text) < 500_000:
        # Small tables: a few vectorised comparisons, with the least fixed cost.
        codes = np.zeros(len(text), dtype=np.int16)
        matched = np.zeros(len(text), dtype=bool)
        for i, choice in enumerate(choices):
            hit = (text == choice).to_numpy()
            matched |= hit
            if i:
                codes += hit.view(np.int8) * np.int16(i)
        if not matched.all():
            raise InputDataError(
                f"{where}: {what} are {', '.join(choices)}; other value in {_rows(~matched)}"
            )
        return codes
    if len(choices) <= 16:
        # Large tables: the same comparisons as one query, which polars runs faster.
        column = pl.col("v")
        chain = pl.when(column == choices[0]).then(pl.lit(0, pl.Int16))
        for i, choice in enumerate(choices[1:], start=1):
            chain = chain.when(column == choice).then(pl.lit(i, pl.Int16))
        found = pl.DataFrame({"v": text}).select(chain.alias("c"))["c"]
        if found.null_count():
            raise InputDataError(
                f"{where}: {what} are {', '.join(choices)}; other value in "
                f"{_rows(found.is_null().to_numpy())}"
            )
        return found.to_numpy()
    try:
        codes_s = text.cast(pl.Enum(choices), strict=True).to_physical()
    except Exception:
        bad = ~text.is_in(choices).to_numpy()
        raise InputDataError(
            f"{where}: {what} are {', '.join(choices)}; other value in {_rows(bad)}"
        ) from None
    return codes_s.to_numpy().astype(np.int16, copy=False)


def column_values(series: pl.Series, var: Variable, table: str) -> np.ndarray:
    """One input column as the array type the evaluator uses for ``var``."""
    where = f"{table}.{series.name}"
    if series.null_count():
        raise InputDataError(f"{where}: empty value in {_rows(series.is_null().to_numpy())}")
    kind = var.value_type.kind
    dtype = series.dtype
    if kind in (FLOAT, INT):
        if not dtype.is_numeric() or dtype == pl.Boolean:
            raise InputDataError(
                f"{where}: expected numbers but the column holds {dtype}" + _first_bad_text(series)
            )
        if kind == INT:
            values = series.to_numpy()
            if dtype.is_float() and not np.all(np.floor(values) == values):
                raise InputDataError(
                    f"{where}: expected whole numbers in {_rows(np.floor(values) != values)}"
                )
            return values.astype(np.int64, copy=False)
        return series.cast(pl.Float64).to_numpy()
    if kind == BOOL:
        if dtype == pl.Boolean:
            return series.to_numpy()
        if dtype.is_integer():
            values = series.to_numpy()
            bad = (values != 0) & (values != 1)
            if bad.any():
                raise InputDataError(f"{where}: expected true/false (or 1/0) in {_rows(bad)}")
            return values.astype(bool)
        if dtype == pl.String:
            low = series.str.to_lowercase()
            ok = low.is_in(["true", "false", "1", "0"])
            if not ok.all():
                raise InputDataError(f"{where}: expected true/false in {_rows(~ok.to_numpy())}")
            return low.is_in(["true", "1"]).to_numpy()
        raise InputDataError(f"{where}: expected true/false but the column holds {dtype}")
    if kind == DATE:
        if dtype == pl.Date:
            return series.to_numpy().astype("datetime64[D]", copy=False)
        if dtype == pl.Datetime:
            return series.dt.date().to_numpy().astype("datetime64[D]", copy=False)
        if dtype == pl.String:
            parsed = series.str.to_date("%Y-%m-%d", strict=False)
            if parsed.null_count():
                raise InputDataError(
                    f"{where}: expected dates YYYY-MM-DD in {_rows(parsed.is_null().to_numpy())}"
                )
            return parsed.to_numpy().astype("datetime64[D]", copy=False)
        raise InputDataError(f"{where}: expected dates but the column holds {dtype}")
    if kind == ENUM:
        return category_codes(series, list(var.value_type.choices), where)
    if kind == STR:
        return series.cast(pl.String).to_numpy().astype(object)
    raise InputDataError(f"{where}: unsupported type {kind}")


def _first_bad_text(series: pl.Series) -> str:
    if series.dtype != pl.String:
        return ""
    parsed = series.cast(pl.Float64, strict=False)
    bad = parsed.is_null().to_numpy()
    return f" (not a number in {_rows(bad)})" if bad.any() else ""
