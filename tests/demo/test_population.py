"""The synthetic population is deterministic and loads idempotently."""

from __future__ import annotations

from datetime import date

import pytest

from civitas.demo.population import generate
from civitas.registry.national_id import is_valid_national_id


def test_same_seed_same_people_different_seed_different_people():
    first = list(generate(households=50, seed=7))
    again = list(generate(households=50, seed=7))
    other = list(generate(households=50, seed=8))
    assert first == again
    assert first != other


def test_people_are_plausible():
    households = list(generate(households=500, seed=3, today=date(2026, 1, 1)))
    people = [p for h in households for p in h.members]
    assert len({p.national_id for p in people}) == len(people)
    assert all(is_valid_national_id(p.national_id) for p in people)
    assert all(1 <= len(h.members) <= 6 for h in households)
    assert all(any(p.role == "adult" for p in h.members) for h in households)
    children = [p for p in people if p.role == "child"]
    assert children and all((date(2026, 1, 1) - p.birth_date).days < 18 * 365 for p in children)
    assert all(not p.pregnant for p in people if p.sex == "male")


@pytest.mark.django_db
def test_populate_is_idempotent_and_audited(demo_country):
    from civitas.audit.models import AuditEvent
    from civitas.registry.models import Household, Person

    added = demo_country.populate(households=120, seed=5, batch=50)
    households, persons = Household.objects.count(), Person.objects.count()
    assert added == 120
    assert demo_country.populate(households=120, seed=5) == 0
    assert (Household.objects.count(), Person.objects.count()) == (households, persons)
    assert AuditEvent.objects.filter(action="registry:households:imported").count() >= 3


@pytest.mark.django_db
def test_demo_load_creates_programmes_with_forms_and_staff(demo_country):
    from civitas.accounts.models import User
    from civitas.programs.models import Program

    slugs = set(Program.objects.values_list("slug", flat=True))
    assert slugs == {
        "maternity-care",
        "child-benefit",
        "old-age-pension",
        "housing-allowance",
        "food-allowance",
    }
    for program in Program.objects.all():
        assert program.version_in_force().form["questions"]
    assert User.objects.get(email="caseworker@demo.civitas.example").has_role("caseworker")
    demo_country.load_programmes()
    assert Program.objects.get(slug="child-benefit").versions.count() == 1
