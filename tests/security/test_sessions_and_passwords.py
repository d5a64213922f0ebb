"""Sessions end after a fixed lifetime whatever the activity; passwords follow the length and
common-password rules, and any composition of a long password is accepted."""

from __future__ import annotations

import logging
import time

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import RequestFactory, override_settings
from django.urls import reverse

from civitas.demo.catalogue import DEMO_PASSWORD
from civitas.security.sessions import STARTED


@pytest.mark.django_db
def test_a_session_older_than_its_absolute_lifetime_is_signed_out(client, citizen):
    client.force_login(citizen)
    client.get(reverse("programs:catalogue"))
    assert "_auth_user_id" in client.session
    session = client.session
    session[STARTED] = int(time.time()) - 3601
    session.save()
    with override_settings(CIVITAS_SESSION_ABSOLUTE_SECONDS=3600):
        client.get(reverse("programs:catalogue"))
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_young_session_stays_signed_in(client, citizen):
    client.force_login(citizen)
    with override_settings(CIVITAS_SESSION_ABSOLUTE_SECONDS=3600):
        client.get(reverse("programs:catalogue"))
        client.get(reverse("programs:catalogue"))
    assert "_auth_user_id" in client.session


def test_idle_sessions_expire_and_each_request_extends_them(settings):
    assert settings.SESSION_COOKIE_AGE <= 60 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


@pytest.mark.parametrize(
    "password",
    ["short-pw1", "password1234", "qwertyuiop123", "123456789012345"],
)
def test_short_and_common_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",  # spaces and words: any composition
        "ÉtéàParis-2026!",
        "x" * 64 + "y" * 64,  # long passwords are fine
        "كلمة سر طويلة جداً",
    ],
)
def test_long_passwords_of_any_composition_are_accepted(password):
    validate_password(password)


@pytest.mark.django_db
def test_sign_ins_are_logged_without_the_name_typed(citizen, caplog):
    from django.contrib.auth import authenticate

    request = RequestFactory().post("/accounts/sign-in/", REMOTE_ADDR="192.0.2.1")
    with caplog.at_level(logging.INFO, logger="civitas.security"):
        authenticate(request, username=citizen.email, password="wrong-password")
        authenticate(request, username=citizen.email, password=DEMO_PASSWORD)
    events = [getattr(r, "event", "") for r in caplog.records]
    assert "security:signin:failed" in events and "security:signin:succeeded" in events
    assert all(citizen.email not in r.getMessage() for r in caplog.records)
    assert all(citizen.email not in str(r.__dict__) for r in caplog.records)
