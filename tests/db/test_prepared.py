"""Prepared reads give exactly what the queryset gives, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civitas.db.prepared import Prepared
from civitas.registry.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return [
        Person.objects.create(
            national_id=number, given_name=name, family_name="Doe", birth_date=date(1990, 1, day)
        )
        for day, (number, name) in enumerate([("AB123456C", "Ada"), ("CD654321E", "Bo")], start=1)
    ]


BY_NAME = Prepared(lambda name: Person.objects.filter(given_name=name).order_by("pk")[:1], str)


def test_same_rows_and_values_as_the_queryset(people):
    prepared = BY_NAME.first("Bo")
    through_orm = Person.objects.get(given_name="Bo")
    assert prepared.pk == through_orm.pk
    for field in Person._meta.concrete_fields:  # converters applied: decrypted, dates parsed
        assert getattr(prepared, field.attname) == getattr(through_orm, field.attname)
    assert prepared.national_id == "CD654321E"
    assert prepared.birth_date == date(1990, 1, 2)
    assert BY_NAME.first("Nobody") is None


def test_new_values_reuse_the_compiled_sql(people):
    BY_NAME("Ada")  # compiles
    with CaptureQueriesContext(connection) as queries:
        assert [p.given_name for p in BY_NAME("Ada")] == ["Ada"]
        assert [p.given_name for p in BY_NAME("Bo")] == ["Bo"]
    assert len(queries) == 2
    assert queries[0]["sql"].replace("Ada", "Bo") == queries[1]["sql"]


def test_constants_in_the_query_stay(people):
    named_doe = Prepared(
        lambda pk: Person.objects.filter(pk=pk, family_name="Doe", given_name__in=["Ada"]), int
    )
    assert [p.given_name for p in named_doe(people[0].pk)] == ["Ada"]
    assert named_doe(people[1].pk) == []  # pk matches, the constant filter does not


def test_values_of_the_wrong_type_are_refused(people):
    with pytest.raises(TypeError):
        BY_NAME(1)
    with pytest.raises(TypeError):
        BY_NAME("Ada", "Bo")
    by_pk = Prepared(lambda pk: Person.objects.filter(pk=pk), int)
    with pytest.raises(TypeError):
        by_pk(True)  # a bool is an int to Python, not a key


def test_a_parameter_the_sql_uses_twice_is_refused_clearly(people):
    twice = Prepared(lambda name: Person.objects.filter(given_name=name, family_name=name), str)
    with pytest.raises(ImproperlyConfigured, match="exactly once"):
        twice("Ada")


def test_only_plain_parameter_types():
    with pytest.raises(ImproperlyConfigured):
        Prepared(lambda day: Person.objects.filter(birth_date=day), date)


def test_insert_saves_what_create_would(people):
    from django.db import IntegrityError, transaction

    from civitas.db.prepared import insert

    person = insert(
        Person(
            national_id="EF111111G", given_name="Cy", family_name="Lee", birth_date=date(2001, 5, 6)
        )
    )
    assert person.pk and not person._state.adding
    stored = Person.objects.with_national_id("EF111111G").get()  # the keyed hash was computed
    assert (stored.pk, stored.national_id, stored.birth_date) == (
        person.pk,
        "EF111111G",
        date(2001, 5, 6),
    )
    with pytest.raises(IntegrityError), transaction.atomic():  # constraints still hold
        insert(
            Person(
                national_id="EF111111G",
                given_name="Dup",
                family_name="Lee",
                birth_date=date(2001, 5, 6),
            )
        )
    assert Person.objects.count() == 3


def test_only_whole_rows_of_one_model():
    from civitas.registry.models import Membership

    joined = Prepared(lambda pk: Membership.objects.select_related("person").filter(pk=pk), int)
    with pytest.raises(ImproperlyConfigured, match="whole rows"):
        joined(1)
    partial = Prepared(lambda pk: Person.objects.only("given_name").filter(pk=pk), int)
    with pytest.raises(ImproperlyConfigured, match="whole rows"):
        partial(1)
