"""Fixtures for the e-participation tests: residents linked to the registry, staff, content."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import pytest

from civitas.demo.catalogue import DEMO_PASSWORD

_numbers = itertools.count(1)


@pytest.fixture
def policy(demo_country):
    from civitas.accounts.models import User

    return User.objects.get(email="policy@demo.civitas.example")


@pytest.fixture
def make_resident(demo_country):
    """A citizen account linked to a registry person living in ``region`` (a region code)."""
    from civitas.accounts import services as accounts
    from civitas.registry import services as registry
    from civitas.registry.models import Household, Person, Region
    from civitas.registry.national_id import make_national_id

    def make(region: str = "capital", *, born: date = date(1990, 1, 1), name: str = "Resident"):
        n = next(_numbers)
        user = accounts.create_citizen(
            email=f"resident{n}@example.org", password=DEMO_PASSWORD, full_name=f"{name} Number{n}"
        )
        household = Household(
            reference=f"H-TEST-{n:05d}",
            address=f"{n} Test Street",
            region=Region.objects.get(code=region),
            monthly_rent=Decimal("100.00"),
        )
        person = Person(
            national_id=make_national_id(98_000_000 + n),
            given_name=name,
            family_name=f"Number{n}",
            birth_date=born,
            sex="female",
            monthly_income=Decimal("500.00"),
        )
        registry.bulk_add_households(
            actor="test",
            households=[household],
            persons=[person],
            memberships=[(0, 0, "adult")],
            source="test",
        )
        registry.link_account(
            actor="test",
            person=Person.objects.with_national_id(person.national_id).get(),
            user=user,
        )
        return user

    return make


@pytest.fixture
def sign_in():
    """Open a session for ``user``; staff also pass the second factor, for real."""

    def do(client, user) -> None:
        client.force_login(user)
        if user.is_staff:
            try:
                from civitas.accounts.testing import sign_in_staff
            except ImportError:  # no second factor in this tree
                return
            sign_in_staff(client, user)

    return do


@pytest.fixture
def trusted(db):
    """Mark an account as trusted: it already has a published comment, so posts go live."""
    from django.utils import timezone

    from civitas.participation.models import Comment

    def make(user, consultation):
        Comment.objects.create(
            consultation=consultation,
            author=user,
            body="An earlier comment that passed review.",
            status="published",
            created_at=timezone.now(),
            idempotency_key=f"trusted-{user.pk}",
        )
        return user

    return make


@pytest.fixture
def open_consultation(policy):
    from civitas.participation.services import consultations as services

    consultation = services.create_consultation(
        actor=policy,
        slug="parks",
        title="Parks strategy",
        summary="How our parks should change over the next ten years.",
    )
    services.save_document(
        actor=policy,
        consultation=consultation,
        slug="draft",
        title="Draft strategy",
        body_html="<h2>Why</h2><p>Parks matter.</p>",
    )
    services.advance_phase(actor=policy, consultation=consultation, target="information")
    return services.advance_phase(actor=policy, consultation=consultation, target="consultation")
