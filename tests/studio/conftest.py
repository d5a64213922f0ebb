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


@pytest.fixture
def simulate_now(django_capture_on_commit_callbacks):
    """Press "simulate" and let the queue run it (the immediate backend runs the task when the
    request's transaction commits); the simulation as the worker left it."""
    from civitas.studio import services

    def run(*, actor, version, period):
        with django_capture_on_commit_callbacks(execute=True):
            simulation, started = services.start_simulation(
                actor=actor, version=version, period=period
            )
        assert started
        simulation.refresh_from_db()
        return simulation

    return run
