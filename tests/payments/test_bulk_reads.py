"""Reads of a million rows go around the ORM (ADBC into Arrow, or COPY): they must give the same
values, with the caller's names and types, whichever path the database takes."""

from __future__ import annotations

import polars as pl
import pytest
from django.db import connection, transaction

from civitas.casework.lifecycles import EnrolmentStatus
from civitas.casework.models import Enrolment
from civitas.registry.bulk import read_frame

SQL = (
    "SELECT id, CAST(person_id AS INTEGER), CAST(person_id AS INTEGER), status, "
    "status = %s, CAST(id AS REAL) / 2 FROM casework_enrolment WHERE program_id = %s ORDER BY id"
)
SCHEMA = {
    "id": pl.Int64,
    "person": pl.Int64,
    "again": pl.Int64,  # an unnamed twin of the column before: names come from the caller
    "status": pl.Utf8,
    "active": pl.Boolean,
    "half": pl.Float64,
}


def _expected(program) -> list[tuple]:
    return [
        (e.pk, e.person_id, e.person_id, e.status, e.status == "active", e.pk / 2)
        for e in Enrolment.objects.filter(program=program).order_by("pk")
    ]


@pytest.mark.django_db(transaction=True)
def test_a_read_outside_a_transaction_gives_the_orms_values(beneficiaries, child_benefit):
    """Outside a transaction PostgreSQL reads through ADBC and a file database through the
    reader process (an in-memory test database falls back to the cursor)."""
    frame = read_frame(SQL, [EnrolmentStatus.ACTIVE, child_benefit.pk], SCHEMA)
    assert frame.schema == pl.Schema(SCHEMA)
    assert frame.rows() == _expected(child_benefit) and frame.height > 0
    empty = read_frame(SQL, [EnrolmentStatus.ACTIVE, -1], SCHEMA)
    assert empty.height == 0 and empty.schema == pl.Schema(SCHEMA)


@pytest.mark.django_db(transaction=True)
def test_a_read_inside_a_transaction_sees_its_uncommitted_rows(beneficiaries, child_benefit):
    with transaction.atomic():
        Enrolment.objects.filter(program=child_benefit).update(status=EnrolmentStatus.SUSPENDED)
        frame = read_frame(SQL, [EnrolmentStatus.ACTIVE, child_benefit.pk], SCHEMA)
        assert set(frame["status"]) == {"suspended"}, connection.vendor
        assert frame.rows() == _expected(child_benefit)
