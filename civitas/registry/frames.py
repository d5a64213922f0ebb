"""The registry as Polars tables, the shape the rules engine's vectorised evaluator reads.

``persons``: person_id, household_id, role, birth, sex, income, pregnant (one row per member).
``households``: household_id, rent, region.

Read with one plain SQL statement per table (COPY on PostgreSQL), never row by row through the
ORM, so a registry of a million households loads in seconds. ``pregnant`` is health data,
encrypted at rest: the column is read as ciphertext and decrypted here in one pass over the column
(null cells are skipped), about 2-3 s per million persons, in slices of ``DECRYPT_ROWS``.

With a ``progress`` callback the read tells how far it has got, as ``(done, total)`` in rows of
work: each person row counts once when read and once when its encrypted cell is decrypted, each
household row once when read (on SQLite a row of each kind takes about a microsecond, so the count
moves about evenly with time). ``total`` comes from two ``COUNT(*)`` beforehand, of memberships
and households, which stands for the joins without running them (every membership has its person
and every household its region: foreign keys), about 70 ms on a million households against about
9 s for the read. The reads tell their rows as their batches come in (see
``registry.bulk.read_frame``), the decryption after each slice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import polars as pl
from django.db import connection

from civitas.registry.bulk import read_frame
from civitas.security.bulk import decrypt_series

PERSON_SCHEMA = {
    "household_id": pl.Int64,
    "person_id": pl.Int64,
    "role": pl.Utf8,
    "birth": pl.Utf8,
    "sex": pl.Utf8,
    "income": pl.Float64,
    "pregnant": pl.Boolean,
}
PREGNANT_CONTEXT = "registry.person.pregnant"  # the encrypted column, bound into each value
HOUSEHOLD_SCHEMA = {"household_id": pl.Int64, "rent": pl.Float64, "region": pl.Utf8}
DECRYPT_ROWS = 262_144  # persons decrypted at a time (measured: no slower than all at once)
Progress = Callable[[int, int], None]  # (rows of work done, rows of work in all)

_PERSONS_SQL = (
    "SELECT m.household_id, p.id, m.role, CAST(p.birth_date AS TEXT), p.sex, "
    "CAST(p.monthly_income AS {real}), p.pregnant "
    "FROM registry_membership m JOIN registry_person p ON p.id = m.person_id"
)
_HOUSEHOLDS_SQL = (
    "SELECT h.id, CAST(h.monthly_rent AS {real}), r.code "
    "FROM registry_household h JOIN registry_region r ON r.id = h.region_id"
)
# as many rows as the reads above, without their joins (5 s instead of 55 ms for the persons')
_COUNT_SQL = (
    "SELECT (SELECT COUNT(*) FROM registry_membership m{persons}), "
    "(SELECT COUNT(*) FROM registry_household h{households})"
)


def population_frames(
    *,
    households_in: tuple[str, Sequence] | None = None,
    progress: Progress | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Persons and households, ordered by household id.

    ``households_in`` narrows the population to ``(sql returning household ids, params)``, e.g.
    the households enrolled in a programme. ``progress`` is told ``(done, total)`` as the read
    goes (see the module's description), ``done`` rising to ``total`` at the end.
    """
    real = "DOUBLE PRECISION" if connection.vendor == "postgresql" else "REAL"
    persons_sql = _PERSONS_SQL.format(real=real)
    households_sql = _HOUSEHOLDS_SQL.format(real=real)
    params: list = []
    persons_where = households_where = ""
    if households_in is not None:
        subquery, params = households_in[0], list(households_in[1])
        persons_where = f" WHERE m.household_id IN ({subquery})"
        households_where = f" WHERE h.id IN ({subquery})"
        persons_sql += persons_where
        households_sql += households_where
    work = _Work(progress, _counts(persons_where, households_where, params)) if progress else None
    person_schema = {**PERSON_SCHEMA, "pregnant": pl.Utf8}
    persons = _read(persons_sql, params, person_schema, work.part() if work else None)
    households = _read(households_sql, params, HOUSEHOLD_SCHEMA, work.part() if work else None)
    pregnant = _decrypt(persons.get_column("pregnant"), work)
    persons = persons.with_columns(
        pl.col("birth").str.to_date("%Y-%m-%d"),
        (pregnant == "1").fill_null(False).alias("pregnant"),
    ).sort("household_id", "person_id")
    households = households.sort("household_id")
    if work is not None:
        work.end()
    return persons, households


def _read(
    sql: str, params: list, schema: dict, progress: Callable[[int], None] | None = None
) -> pl.DataFrame:
    return read_frame(sql, params, schema, progress=progress)


def _counts(persons_where: str, households_where: str, params: list) -> tuple[int, int]:
    """Persons and households the reads will bring, counted without the reads' joins."""
    sql = _COUNT_SQL.format(persons=persons_where, households=households_where)
    with connection.cursor() as cursor:
        cursor.execute(sql, params * 2 if params else params)
        persons, households = cursor.fetchone()
    return int(persons), int(households)


def _decrypt(tokens: pl.Series, work: _Work | None) -> pl.Series:
    """``decrypt_series`` slice by slice, telling ``work`` after each."""
    if tokens.len() <= DECRYPT_ROWS:
        plain = decrypt_series(tokens, context=PREGNANT_CONTEXT)
        if work is not None:
            work.add(tokens.len())
        return plain
    parts = []
    for start in range(0, tokens.len(), DECRYPT_ROWS):
        part = tokens.slice(start, DECRYPT_ROWS)
        parts.append(decrypt_series(part, context=PREGNANT_CONTEXT))
        if work is not None:
            work.add(part.len())
    return pl.concat(parts, rechunk=False)


class _Work:
    """Rows of work done so far, told to ``progress``: the reads' rows (each read tells its own
    count from 0), then each slice decrypted. ``total`` is the counts' estimate, raised if the
    registry grew between the count and the read."""

    def __init__(self, progress: Progress, counts: tuple[int, int]) -> None:
        persons, households = counts
        self.progress = progress
        self.total = 2 * persons + households
        self.done = 0  # rows of the reads and slices that have ended
        self.told = (-1, -1)

    def tell(self, done: int) -> None:
        if done > self.told[0]:
            self.total = max(self.total, done)
            self.told = (done, self.total)
            self.progress(done, self.total)

    def part(self) -> Callable[[int], None]:
        """The callback of one read: rows of that read so far."""
        start = self.done

        def rows(read: int) -> None:
            self.done = start + read
            self.tell(self.done)

        return rows

    def add(self, rows: int) -> None:
        self.done += rows
        self.tell(self.done)

    def end(self) -> None:
        """The last word: all the work done, whatever the count said."""
        last = (self.done, self.done)
        if self.told != last:
            self.total, self.told = self.done, last
            self.progress(*last)
