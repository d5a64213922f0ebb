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


def _told(calls: list[tuple[int, int]], persons: pl.DataFrame, households: pl.DataFrame) -> None:
    """Rising counts of rows of work, ending at every person read and decrypted and every
    household read."""
    work = 2 * persons.height + households.height
    done = [d for d, _total in calls]
    assert done == sorted(set(done)), calls
    assert all(d <= total for d, total in calls)
    assert calls[-1] == (work, work)


@pytest.mark.django_db(transaction=True)
def test_the_read_tells_its_progress_and_reads_the_same(demo_country, monkeypatch):
    from civitas.registry import bulk, frames

    demo_country.load_geography()
    demo_country.populate(households=25, seed=4)
    plain = population_frames()
    monkeypatch.setattr(bulk, "FETCH_ROWS", 7)
    monkeypatch.setattr(bulk, "REPORT_EVERY", 1)
    monkeypatch.setattr(frames, "DECRYPT_ROWS", 10)
    for inside in (False, True):  # the reader process's batches; the cursor's fetchmany
        calls: list[tuple[int, int]] = []
        if inside:
            with transaction.atomic():
                told = population_frames(progress=lambda *c, calls=calls: calls.append(c))
        else:
            told = population_frames(progress=lambda *c, calls=calls: calls.append(c))
        assert told[0].equals(plain[0]) and told[1].equals(plain[1])
        _told(calls, *plain)
        work = calls[-1][1]
        assert {total for _d, total in calls} == {work}, "counted right beforehand"
        persons = plain[0].height
        if inside and connection.vendor == "sqlite":  # every fetch of 7 rows, every 10 decrypted
            assert len(calls) >= persons // 7 + 25 // 7 + persons // 10, calls
        else:  # the reader process's batches, or PostgreSQL's COPY told as each one ends
            assert len(calls) >= 2 + persons // 10, calls
        assert (persons, work) in calls, "the persons read, before the households"


@pytest.mark.django_db(transaction=True)
def test_a_subset_is_counted_as_it_is_read(demo_country):
    demo_country.load_geography()
    demo_country.populate(households=10, seed=5)
    first = list(Household.objects.order_by("pk").values_list("pk", flat=True)[:3])
    marks = ", ".join(["%s"] * len(first))
    calls: list[tuple[int, int]] = []
    persons, households = population_frames(
        households_in=(f"SELECT id FROM registry_household WHERE id IN ({marks})", first),  # noqa: S608
        progress=lambda *c: calls.append(c),
    )
    assert households.height == 3
    _told(calls, persons, households)
    assert {total for _d, total in calls} == {calls[-1][1]}


@pytest.mark.django_db(transaction=True)
def test_a_progress_callback_that_raises_stops_the_reader(demo_country):
    demo_country.load_geography()
    demo_country.populate(households=5, seed=6)

    class Stop(Exception):
        pass

    def stop(done: int, total: int) -> None:
        if done:
            raise Stop

    with pytest.raises(Stop):
        population_frames(progress=stop)
