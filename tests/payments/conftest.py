"""Fixtures for payments: the demo country with a small population and its beneficiaries."""

from __future__ import annotations

from datetime import date

import pytest

TODAY = date(2026, 3, 15)
PERIOD = "2026-03"


@pytest.fixture
def beneficiaries(demo_country, settings, tmp_path):
    """60 synthetic households, those who qualify enrolled in every programme (as the demo)."""
    from civitas.payments.demo import enrol_demo_beneficiaries

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
    demo_country.populate(households=60, seed=11)
    return enrol_demo_beneficiaries(today=TODAY)


@pytest.fixture
def finance_officer(demo_country):
    from civitas.accounts.models import User

    return User.objects.get(email="finance@demo.civitas.example")


@pytest.fixture
def child_benefit(demo_country):
    from civitas.programs.models import Program

    return Program.objects.get(slug="child-benefit")
