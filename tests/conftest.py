"""Shared fixtures: demo data, signed-in clients, and reaching real services."""

from __future__ import annotations

import os
import socket

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"


def require_service(host: str, port: int, what: str) -> None:
    """Skip a test whose real service is unreachable on a user's machine; fail it in CI."""
    try:
        with socket.create_connection((host, port), timeout=1):
            return
    except OSError:
        message = f"{what} is not reachable at {host}:{port}"
        if IN_CI:
            pytest.fail(f"{message} (CI=true: services are required)")
        pytest.skip(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def demo_country(db):
    """Regions, offices, the five programmes, staff and the demo citizen (no synthetic people)."""
    from civitas.demo import services

    services.load_geography()
    services.load_programmes()
    services.load_accounts()
    return services


@pytest.fixture
def citizen(demo_country):
    from civitas.accounts.models import User
    from civitas.demo.catalogue import DEMO_CITIZEN

    return User.objects.get(email=DEMO_CITIZEN)


@pytest.fixture
def caseworker(demo_country):
    from civitas.accounts.models import User

    return User.objects.get(email="caseworker@demo.civitas.example")


@pytest.fixture
def other_citizen(demo_country):
    from civitas.accounts import services

    return services.create_citizen(email="someone.else@example.org", password="another-pass-123")


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a page rendered in Arabic by one test must not
    leave the thread speaking Arabic to the next."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()
