"""Fixtures for the back office: scoped staff, a second supervisor, applications to work on."""

from __future__ import annotations

import itertools

import pytest

VALID_CHILD_BENEFIT = {
    "children_count": "2",
    "household_income": "950.00",
    "bank_account": "CV12 3456 7890",
    "declaration": "yes",
}
_keys = itertools.count(1)


@pytest.fixture
def scoped(demo_country):
    """The demo staff with their demo scope (whole country, every programme)."""
    from civitas.casework.demo import grant_demo_scopes

    grant_demo_scopes()
    return demo_country


@pytest.fixture
def supervisor(scoped):
    from civitas.accounts.models import User

    return User.objects.get(email="supervisor@demo.civitas.example")


@pytest.fixture
def second_supervisor(scoped):
    """Another supervisor, for the second pair of eyes."""
    from civitas.accounts import services
    from civitas.casework.services import set_scope

    user = services.create_staff(
        email="second.supervisor@example.org",
        password="another-pass-123",
        full_name="Sara Second",
        roles=["supervisor", "caseworker"],
    )
    set_scope(user=user, actor="tests", all_programmes=True, whole_country=True)
    return user


def program(slug: str):
    from civitas.programs.models import Program

    return Program.objects.get(slug=slug)


def submit(applicant, slug: str = "child-benefit", answers: dict | None = None, **extra):
    """A sent application, through the applications services."""
    from civitas.applications import services

    return services.submit_application(
        applicant=applicant,
        program=program(slug),
        answers=answers or VALID_CHILD_BENEFIT,
        idempotency_key=f"test-{next(_keys)}",
        **extra,
    ).application


@pytest.fixture
def application(citizen, scoped):
    return submit(citizen)


@pytest.fixture
def staff_client(client):
    """A client signed in as a given staff member, second factor included."""
    from civitas.accounts.testing import sign_in_staff

    def sign_in(user):
        client.logout()
        sign_in_staff(client, user)
        return client

    return sign_in
