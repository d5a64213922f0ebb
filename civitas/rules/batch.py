"""Evaluate a whole population (Polars tables in, Polars tables out)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from civitas.rules.errors import EvaluationError, InputDataError
from civitas.rules.model import DATE, ENUM, FLOAT, STR, Programme, Variable
from civitas.rules.periods import Period, parse_period, period_for_unit
from civitas.rules.population import Population, build_population
from civitas.rules.vector import Block

DEFAULT_BLOCK = 32_768  # at most this many households per block
# ...and about this many persons: a block's float arrays (240 kB) stay in the processor's
# cache, and blocks of the same size reuse the same memory (measured best of 8k-60k on the
# template at 10k and 100k households).
BLOCK_PERSONS = 30_000


@dataclass
class PopulationResult:
    """Computed values by entity: each table has the entity's id column, then one
    column per requested variable of that entity, in the input's row order."""

    period: str
    tables: dict[str, pl.DataFrame]

    @property
    def persons(self) -> pl.DataFrame:
        return self.tables["person"]

    @property
    def households(self) -> pl.DataFrame:
        return self.tables["household"]


def evaluate_population(
    programme: Programme,
    period: str | Period,
    persons: pl.DataFrame,
    households: pl.DataFrame | None = None,
    variables: Sequence[str] | None = None,
    *,
    groups: dict[str, pl.DataFrame] | None = None,
    block_size: int = DEFAULT_BLOCK,
    block_persons: int = BLOCK_PERSONS,
    progress: Callable[[int, int], None] | None = None,
) -> PopulationResult:
    """Compute ``variables`` (default: the programme's outputs) for every person and
    household. Input columns hold the values of ``period``; where a formula reads
    another period (the housing tax reads January), the same values apply."""
    per = period if isinstance(period, Period) else _period(period)
    names = list(variables) if variables is not None else list(programme.outputs)
    for name in names:
        if name not in programme.variables:
            raise InputDataError(f"unknown variable {name!r}")
    tables: dict[str, pl.DataFrame] = {programme.person_entity.key: persons}
    if households is not None:
        tables["household"] = households
    tables.update(groups or {})
    needed = [v for v in programme.dependencies(names) if programme.variables[v].is_input]
    pop = build_population(programme, tables, needed)
    chunks = evaluate_chunks(
        programme,
        per,
        pop,
        names,
        block_size=block_size,
        block_persons=block_persons,
        progress=progress,
    )
    return PopulationResult(str(per), _tables(programme, pop, names, chunks))


def _period(text: str) -> Period:
    try:
        return parse_period(text)
    except ValueError as exc:
        raise InputDataError(str(exc)) from None


def evaluate_arrays(
    programme: Programme,
    per: Period,
    pop: Population,
    names: Sequence[str],
    *,
    block_size: int = DEFAULT_BLOCK,
    block_persons: int = BLOCK_PERSONS,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, np.ndarray]:
    """The values of ``names`` for every row of their entity's table."""
    chunks = evaluate_chunks(
        programme,
        per,
        pop,
        names,
        block_size=block_size,
        block_persons=block_persons,
        progress=progress,
    )
    return {
        name: parts[0] if len(parts) == 1 else np.concatenate(parts)
        for name, parts in chunks.items()
    }


def evaluate_chunks(
    programme: Programme,
    per: Period,
    pop: Population,
    names: Sequence[str],
    *,
    block_size: int = DEFAULT_BLOCK,
    block_persons: int = BLOCK_PERSONS,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, list[np.ndarray]]:
    """The values of ``names`` in row order, as one array per block: the blocks' arrays
    are kept as they are instead of being copied into one large array."""
    person = programme.person_entity.key
    groups = programme.group_entities
    f32 = programme.settings.float_storage == "float32"
    # Blocks of whole households need persons ordered by household.
    main = groups[0].key if len(groups) == 1 else None
    order = None
    if main is not None:
        index = pop.links[main].index
        if len(index) > 1 and not bool(np.all(index[1:] >= index[:-1])):
            order = np.argsort(index, kind="stable")
    person_inputs = {n for n in pop.inputs if programme.variables[n].entity == person}

    def persons_sorted(a: np.ndarray) -> np.ndarray:
        return a[order] if order is not None else a

    links_index = {g.key: persons_sorted(pop.links[g.key].index) for g in groups}
    links_role = {g.key: persons_sorted(pop.links[g.key].role) for g in groups}
    inputs = {n: persons_sorted(a) if n in person_inputs else a for n, a in pop.inputs.items()}
    total = pop.counts[main] if main is not None else 0
    if main is None:
        bounds = [(0, total, 0, pop.counts[person])]
    else:
        bounds = _bounds(links_index[main], total, block_size, block_persons)
    for name in names:
        entity = programme.variables[name].entity
        if main is not None and entity not in (person, main):
            raise EvaluationError(f"{name}: population runs cover persons and {main}s")
    # Float results of a float32 programme are exactly single-precision values: keep
    # them so, halving the memory of the results.
    narrow = {n for n in names if f32 and programme.variables[n].value_type.kind == FLOAT}
    # Each block's values are copied into one array per variable, so that a block's
    # memory is all given back when it ends and the next block reuses it as it is.
    results: dict[str, np.ndarray] = {}
    with np.errstate(all="ignore"):
        for h0, h1, p0, p1 in bounds:
            block = _block(
                programme,
                pop,
                main,
                (h0, h1, p0, p1),
                links_index,
                links_role,
                inputs,
                person_inputs,
                f32,
            )
            for name in names:
                var = programme.variables[name]
                values = block.get(name, period_for_unit(per, var.period_unit))
                out = results.get(name)
                if out is None:
                    size = pop.counts[var.entity]
                    dtype = np.float32 if name in narrow else values.dtype
                    out = results[name] = np.empty(size, dtype=dtype)
                if var.entity == person:
                    target = out[p0:p1]
                else:
                    target = out[h0:h1] if main is not None else out
                np.copyto(target, values, casting="unsafe")  # float32 values: exact
            del block
            if progress is not None:
                progress(h1, total)
    if order is not None:
        for name in names:
            if programme.variables[name].entity == person:
                restored = np.empty_like(results[name])
                restored[order] = results[name]
                results[name] = restored
    chunks = {name: [results[name]] for name in names}
    return chunks


def _bounds(
    index: np.ndarray, total: int, block_size: int, block_persons: int
) -> list[tuple[int, int, int, int]]:
    """Blocks of whole households (first and last household, first and last person):
    at most ``block_size`` households, and at most ``block_persons`` persons unless one
    household alone has more. ``index`` is each person's household, in order."""
    persons = len(index)
    bounds = []
    h0 = p0 = 0
    while h0 < total:
        h1 = min(h0 + block_size, total)
        p1 = int(np.searchsorted(index, h1)) if h1 < total else persons
        if p1 - p0 > block_persons:
            h1 = max(int(index[p0 + block_persons]), h0 + 1)  # cut before that household
            p1 = int(np.searchsorted(index, h1))
        bounds.append((h0, h1, p0, p1))
        h0, p0 = h1, p1
    return bounds or [(0, 0, 0, persons)]


_ROUND_STEP = 65_536  # values rounded at a time: the scratch buffer stays in cache


def _single_precision(values: np.ndarray) -> np.ndarray:
    """A float64 copy of ``values`` rounded to single precision, through a small
    buffer instead of a whole float32 copy."""
    out = np.empty(len(values), dtype=np.float64)
    buffer = np.empty(min(len(values), _ROUND_STEP), dtype=np.float32)
    for start in range(0, len(values), _ROUND_STEP):
        part = buffer[: min(_ROUND_STEP, len(values) - start)]
        np.copyto(part, values[start : start + len(part)], casting="same_kind")
        np.copyto(out[start : start + len(part)], part)
    return out


def _block(
    programme: Programme,
    pop: Population,
    main: str | None,
    bounds: tuple[int, int, int, int],
    links_index: dict[str, np.ndarray],
    links_role: dict[str, np.ndarray],
    inputs: dict[str, np.ndarray],
    person_inputs: set[str],
    f32: bool,
) -> Block:
    person = programme.person_entity.key
    h0, h1, p0, p1 = bounds
    if main is None:
        counts = dict(pop.counts)
        psl = slice(None)
        gsl: dict[str, slice] = {}
        group_index = dict(links_index)
    else:
        counts = {person: p1 - p0, main: h1 - h0}
        psl = slice(p0, p1)
        gsl = {main: slice(h0, h1)}
        group_index = {main: links_index[main][psl] - h0}
    block_inputs = {}
    for name, arr in inputs.items():
        entity = programme.variables[name].entity
        part = arr[psl] if name in person_inputs else arr[gsl.get(entity, slice(None))]
        if f32 and programme.variables[name].value_type.kind == FLOAT:
            part = _single_precision(part)  # stored as OpenFisca does
        block_inputs[name] = part
    roles = {g: r[psl] for g, r in links_role.items()}
    return Block(programme, counts, group_index, roles, block_inputs)


def _tables(
    programme: Programme,
    pop: Population,
    names: Sequence[str],
    chunks: dict[str, list[np.ndarray]],
) -> dict[str, pl.DataFrame]:
    result: dict[str, pl.DataFrame] = {}
    for entity in programme.entities.values():
        columns = [pop.ids[entity.key].alias(f"{entity.key}_id")]
        for name in names:
            var = programme.variables[name]
            if var.entity != entity.key:
                continue
            parts = [_series(name, var, values) for values in chunks[name]]
            columns.append(parts[0] if len(parts) == 1 else pl.concat(parts, rechunk=False))
        result[entity.key] = pl.DataFrame(columns)
    return result


def _series(name: str, var: Variable, values: np.ndarray) -> pl.Series:
    kind = var.value_type.kind
    if kind == ENUM:
        return pl.Series(name, np.asarray(var.value_type.choices)[values])
    if kind == DATE:
        return pl.Series(name, values).cast(pl.Date)
    if kind == STR:
        return pl.Series(name, values.tolist(), dtype=pl.String)
    return pl.Series(name, values)
