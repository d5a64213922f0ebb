"""The registry as Polars frames for the vectorised rules engine, read the fast way (ADBC into
Arrow on SQLite, COPY on PostgreSQL) and the plain way, with the same result."""

from __future__ import annotations

import polars as pl
import pytest
from django.db import connection, transaction

from civitas.registry.frames import population_frames
from civitas.registry.models import Household, Membership


@pytest.mark.django_db(transaction=True)
def test_fast_and_plain_reads_agree(demo_country):
    demo_country.load_geography()
    demo_country.populate(households=25, seed=4)
    fast_persons, fast_households = population_frames()  # outside a transaction
    with transaction.atomic():  # a transaction's own cursor
        persons, households = population_frames()
    assert fast_persons.equals(persons) and fast_households.equals(households)
    assert persons.height == Membership.objects.count()
    assert households.height == Household.objects.count()
    assert persons.schema["birth"] == pl.Date and persons.schema["pregnant"] == pl.Boolean
    assert persons["household_id"].is_sorted()


@pytest.mark.django_db(transaction=True)
def test_a_subset_of_households_can_be_read(demo_country):
    demo_country.load_geography()
    demo_country.populate(households=10, seed=5)
    first = list(Household.objects.order_by("pk").values_list("pk", flat=True)[:3])
    marks = ", ".join(["%s"] * len(first))
    persons, households = population_frames(
        households_in=(f"SELECT id FROM registry_household WHERE id IN ({marks})", first)  # noqa: S608
    )
    assert sorted(households["household_id"].to_list()) == first
    assert set(persons["household_id"].to_list()) <= set(first)
    assert connection.vendor in {"sqlite", "postgresql"}
