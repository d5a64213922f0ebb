"""The registry as Polars tables, the shape the rules engine's vectorised evaluator reads.

``persons``: person_id, household_id, role, birth, sex, income, pregnant (one row per member).
``households``: household_id, rent, region.

Read with one plain SQL statement per table (COPY on PostgreSQL), never row by row through the
ORM, so a registry of a million households loads in seconds. ``pregnant`` is health data,
encrypted at rest: the column is read as ciphertext and decrypted here in one pass over the column
(null cells are skipped), about 2-3 s per million persons.
"""

from __future__ import annotations

from collections.abc import Sequence

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

_PERSONS_SQL = (
    "SELECT m.household_id, p.id, m.role, CAST(p.birth_date AS TEXT), p.sex, "
    "CAST(p.monthly_income AS {real}), p.pregnant "
    "FROM registry_membership m JOIN registry_person p ON p.id = m.person_id"
)
_HOUSEHOLDS_SQL = (
    "SELECT h.id, CAST(h.monthly_rent AS {real}), r.code "
    "FROM registry_household h JOIN registry_region r ON r.id = h.region_id"
)


def population_frames(
    *, households_in: tuple[str, Sequence] | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Persons and households, ordered by household id.

    ``households_in`` narrows the population to ``(sql returning household ids, params)``, e.g.
    the households enrolled in a programme.
    """
    real = "DOUBLE PRECISION" if connection.vendor == "postgresql" else "REAL"
    persons_sql = _PERSONS_SQL.format(real=real)
    households_sql = _HOUSEHOLDS_SQL.format(real=real)
    params: list = []
    if households_in is not None:
        subquery, params = households_in[0], list(households_in[1])
        persons_sql += f" WHERE m.household_id IN ({subquery})"
        households_sql += f" WHERE h.id IN ({subquery})"
    persons = _read(persons_sql, params, {**PERSON_SCHEMA, "pregnant": pl.Utf8})
    households = _read(households_sql, params, HOUSEHOLD_SCHEMA)
    pregnant = decrypt_series(persons.get_column("pregnant"), context=PREGNANT_CONTEXT)
    persons = persons.with_columns(
        pl.col("birth").str.to_date("%Y-%m-%d"),
        (pregnant == "1").fill_null(False).alias("pregnant"),
    ).sort("household_id", "person_id")
    return persons, households.sort("household_id")


def _read(sql: str, params: list, schema: dict) -> pl.DataFrame:
    return read_frame(sql, params, schema)
