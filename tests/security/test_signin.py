"""Sign-in throttling: five wrong passwords lock the name (even the right password is refused),
the owner is told by email and the lock is audited; unknown names lock alike and nobody is told."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.core import mail
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone

from civitas.audit.models import AuditEvent
from civitas.demo.catalogue import DEMO_PASSWORD
from civitas.security import signin
from civitas.security.models import SignInThrottle, ThrottleScope


def attempt(email: str, password: str, address: str = "192.0.2.10"):
    request = RequestFactory().post("/accounts/sign-in/", REMOTE_ADDR=address)
    return request, authenticate(request, username=email, password=password)


@pytest.mark.django_db
def test_five_failures_lock_the_account_and_tell_its_owner(
    citizen, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            request, user = attempt(citizen.email, "wrong-password")
            assert user is None
    assert signin.lockout_error(request) is not None, "the fifth failure locks"
    request, user = attempt(citizen.email, DEMO_PASSWORD)
    assert user is None, "even the right password is refused while locked"
    assert "Wait 15 minutes" in signin.lockout_error(request).messages[0]

    [notice] = [m for m in mail.outbox if citizen.email in m.to]
    assert "locked" in notice.subject
    assert "nobody signed in" in notice.body
    event = AuditEvent.objects.get(action="security:signin:locked")
    assert event.subject_id == str(citizen.pk)


@pytest.mark.django_db
def test_a_success_before_the_limit_clears_the_count(citizen):
    for _ in range(4):
        attempt(citizen.email, "wrong-password")
    _, user = attempt(citizen.email, DEMO_PASSWORD)
    assert user == citizen
    for _ in range(4):
        attempt(citizen.email, "wrong-password")
    _, user = attempt(citizen.email, DEMO_PASSWORD)
    assert user == citizen, "four new failures are below the limit again"


@pytest.mark.django_db
def test_unknown_names_lock_alike_and_nothing_stores_the_name(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            request, _ = attempt("nobody@example.org", "guess")
    assert signin.lockout_error(request) is not None
    assert mail.outbox == []
    keys = SignInThrottle.objects.values_list("key", flat=True)
    assert all("nobody" not in key for key in keys)


@pytest.mark.django_db
def test_each_consecutive_lock_lasts_twice_as_long(citizen):
    for _ in range(5):
        attempt(citizen.email, "wrong")
    row = SignInThrottle.objects.get(scope=ThrottleScope.ACCOUNT)
    first = row.locked_until - row.window_started_at
    # the lock ends; the next five failures lock again, for twice as long
    SignInThrottle.objects.filter(pk=row.pk).update(
        locked_until=timezone.now() - timedelta(seconds=1)
    )
    for _ in range(5):
        attempt(citizen.email, "wrong")
    row.refresh_from_db()
    assert row.locked_until - row.window_started_at == 2 * first
    assert row.lockouts == 2


@pytest.mark.django_db
def test_many_names_from_one_address_lock_the_address(citizen):
    with override_settings(CIVITAS_SIGNIN={"address_max_failures": 6}):
        for n in range(6):
            attempt(f"someone{n}@example.org", "guess", address="198.51.100.7")
        _, elsewhere = attempt(citizen.email, DEMO_PASSWORD, address="198.51.100.8")
        request, here = attempt(citizen.email, DEMO_PASSWORD, address="198.51.100.7")
    assert elsewhere == citizen
    assert here is None and signin.lockout_error(request) is not None


@pytest.mark.django_db
def test_the_sign_in_page_refuses_a_locked_account(client, citizen):
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": citizen.email, "password": "nope"})
    response = client.post(
        reverse("accounts:login"), {"username": citizen.email, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200, "not signed in"
    assert "_auth_user_id" not in client.session
