"""Studio fixtures: the demo country's policy author and approver, a second author, and drafts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from civitas.accounts.models import User

PASSWORD = "studio-test-pass-123"


@pytest.fixture
def author(demo_country):
    return User.objects.get(email="policy@demo.civitas.example")


@pytest.fixture
def approver(demo_country):
    return User.objects.get(email="approver@demo.civitas.example")


@pytest.fixture
def second_author(demo_country):
    from civitas.accounts import services

    return services.create_staff(
        email="second.author@example.org",
        password=PASSWORD,
        full_name="Second Author",
        roles=["policy_author"],
    )


@pytest.fixture
def author_and_approver(demo_country):
    from civitas.accounts import services

    return services.create_staff(
        email="both@example.org",
        password=PASSWORD,
        full_name="Both Roles",
        roles=["policy_author", "approver"],
    )


@pytest.fixture
def start():
    return date.today() + timedelta(days=7)


@pytest.fixture
def flood_draft(author, start):
    """A flat emergency payment drafted from the template, dated a week ahead."""
    from civitas.studio import services

    return services.start_emergency_programme(
        actor=author,
        slug="flood-relief",
        name="Flood relief",
        start=start,
        end=start + timedelta(days=90),
        reference="Flood Emergency Decree 2026, art. 2",
    )
