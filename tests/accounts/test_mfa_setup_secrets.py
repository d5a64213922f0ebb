"""The authenticator-app key awaiting confirmation and the recovery codes awaiting display pass
through the session, which is a row in the database: there they are only ever encrypted, the key is
never a second factor before a code confirms it, and each is gone once it has served."""

from __future__ import annotations

import json
import re

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from civitas.accounts import selectors, services, totp
from civitas.accounts.models import RecoveryCode, TOTPDevice
from civitas.accounts.sessions import NEW_CODES_KEY, PENDING_SECRET_KEY
from civitas.audit.models import AuditEvent
from civitas.demo.catalogue import DEMO_PASSWORD

SETUP = reverse("accounts:mfa_setup")
VERIFY = reverse("accounts:mfa_verify")
CODES = reverse("accounts:mfa_codes")
CODE = re.compile(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>")  # as the codes page shows them


def secret_on(page) -> str:
    found = re.search(r'class="civitas-secret"[^>]*>([A-Z2-7 ]+)<', page.content.decode())
    assert found, page.content.decode()[:500]
    return found.group(1).replace(" ", "")


def session_row(client) -> tuple[str, dict]:
    """The session as stored in the database: the raw column and what it decodes to."""
    row = Session.objects.get(pk=client.cookies[settings.SESSION_COOKIE_NAME].value)
    return row.session_data, SessionStore().decode(row.session_data)


def assert_not_stored(client, *values: str) -> dict:
    raw, decoded = session_row(client)
    stored = json.dumps(decoded)
    for value in values:
        assert value not in raw
        assert value not in stored, f"{value!r} is in the session in clear"
        assert totp.grouped(value) not in stored
    return decoded


def sign_in(client, user) -> None:
    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302, response.content.decode()[:500]


@pytest.mark.django_db
def test_the_session_row_holds_the_pending_key_only_encrypted(client, caseworker):
    client.force_login(caseworker)
    secret = secret_on(client.get(SETUP))
    decoded = assert_not_stored(client, secret, secret.lower())
    assert decoded[PENDING_SECRET_KEY].startswith("enc1:")
    assert not TOTPDevice.objects.filter(user=caseworker).exists()
    assert secret_on(client.get(SETUP)) == secret, "the same key until it is confirmed"


@pytest.mark.django_db
def test_a_sealed_key_opens_only_for_its_own_account(client, caseworker, citizen):
    client.force_login(caseworker)
    secret = secret_on(client.get(SETUP))
    token = session_row(client)[1][PENDING_SECRET_KEY]

    other = Client()
    other.force_login(citizen)
    session = other.session
    session[PENDING_SECRET_KEY] = token  # copied from the caseworker's session row
    session.save()
    assert secret_on(other.get(SETUP)) != secret
    assert session_row(other)[1][PENDING_SECRET_KEY] != token


@pytest.mark.django_db
def test_a_key_kept_in_clear_or_altered_is_dropped_and_set_up_starts_again(client, caseworker):
    client.force_login(caseworker)
    for stored in ("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "enc1:dev:AAAA", ["not", "a", "key"]):
        session = client.session
        session[PENDING_SECRET_KEY] = stored
        session.save()
        secret = secret_on(client.get(SETUP))
        assert secret != stored
        assert session_row(client)[1][PENDING_SECRET_KEY].startswith("enc1:")
    assert client.post(SETUP, {"code": totp.totp(secret)}).status_code == 302


@pytest.mark.django_db
def test_set_up_still_works_and_leaves_nothing_in_clear(client, caseworker):
    sign_in(client, caseworker)
    secret = secret_on(client.get(SETUP))
    done = client.post(SETUP, {"code": totp.totp(secret)})
    assert done.status_code == 302 and done.url.startswith(CODES)

    raw, waiting = session_row(client)  # between the set-up and the page that shows the codes
    assert PENDING_SECRET_KEY not in waiting
    assert waiting[NEW_CODES_KEY].startswith("enc1:")

    codes = CODE.findall(client.get(done.url).content.decode())
    assert len(codes) == 10
    for code in codes:
        assert code not in raw and code not in json.dumps(waiting)
    after = assert_not_stored(client, secret, *codes)
    assert NEW_CODES_KEY not in after, "the codes are removed once shown"
    assert client.get(CODES).url == reverse("accounts:account"), "and never shown again"
    assert TOTPDevice.objects.get(user=caseworker).secret == secret
    assert client.get("/staff/").status_code == 200


@pytest.mark.django_db
def test_new_recovery_codes_are_sealed_and_shown_once(staff_client):
    asked = staff_client.post(reverse("accounts:mfa_new_codes"))
    assert asked.url == CODES
    raw, waiting = session_row(staff_client)
    assert waiting[NEW_CODES_KEY].startswith("enc1:")
    codes = CODE.findall(staff_client.get(CODES).content.decode())
    assert len(codes) == 10
    assert not any(code in raw or code in json.dumps(waiting) for code in codes)
    assert NEW_CODES_KEY not in assert_not_stored(staff_client, *codes)
    assert staff_client.get(CODES).status_code == 302


@pytest.mark.django_db
def test_codes_kept_in_clear_are_dropped_not_shown(client, citizen):
    client.force_login(citizen)
    session = client.session
    session[NEW_CODES_KEY] = ["abcde-fghjk"]
    session.save()
    assert client.get(CODES).url == reverse("accounts:account")
    assert NEW_CODES_KEY not in session_row(client)[1]


@pytest.mark.django_db
def test_a_pending_key_is_no_second_factor_for_staff(client, caseworker):
    sign_in(client, caseworker)
    secret = secret_on(client.get(SETUP))
    assert not selectors.has_authenticator(caseworker)
    assert client.get("/staff/").url.startswith(SETUP + "?next=")

    # a code from the unconfirmed key passes neither the code page nor the service behind it
    refused = client.post(VERIFY, {"code": totp.totp(secret)})
    assert refused.url.startswith(SETUP)
    with pytest.raises(services.CodeRefused):
        services.verify_second_factor(user=caseworker, code=totp.totp(secret))
    assert client.get("/staff/").url.startswith(SETUP + "?next=")

    # nor a sign-in elsewhere: it is sent to set up an app, not asked for a code
    other = Client()
    other.post(reverse("accounts:login"), {"username": caseworker.email, "password": DEMO_PASSWORD})
    assert other.get(VERIFY).url.startswith(SETUP)
    assert other.post(VERIFY, {"code": totp.totp(secret)}).url.startswith(SETUP)
    assert other.get("/staff/").url.startswith(SETUP + "?next=")
    assert not AuditEvent.objects.filter(action="accounts:mfa:passed").exists()


@pytest.mark.django_db
def test_a_pending_key_does_not_turn_the_second_factor_on_for_a_citizen(client, citizen):
    sign_in(client, citizen)
    secret = secret_on(client.get(SETUP))
    assert not selectors.mfa_required(citizen)
    assert not selectors.security_of(citizen).authenticator

    other = Client()
    signed = other.post(
        reverse("accounts:login"), {"username": citizen.email, "password": DEMO_PASSWORD}
    )
    assert not signed.url.startswith(VERIFY), "no code is asked for an app never confirmed"
    assert other.post(VERIFY, {"code": totp.totp(secret)}).url.startswith(SETUP)


@pytest.mark.django_db
def test_restarting_set_up_replaces_the_pending_key(client, caseworker):
    sign_in(client, caseworker)
    first = secret_on(client.get(SETUP))
    client.post(reverse("accounts:logout"))

    sign_in(client, caseworker)
    second = secret_on(client.get(SETUP))
    assert second != first
    old = client.post(SETUP, {"code": totp.totp(first)})
    assert "The code is not right" in old.content.decode()
    assert not TOTPDevice.objects.filter(user=caseworker).exists()
    assert client.post(SETUP, {"code": totp.totp(second)}).status_code == 302
    assert TOTPDevice.objects.get(user=caseworker).secret == second


@pytest.mark.django_db
def test_a_key_confirmed_in_another_session_ends_the_set_up_here(client, caseworker):
    sign_in(client, caseworker)
    secret = secret_on(client.get(SETUP))
    meanwhile = Client()
    sign_in(meanwhile, caseworker)
    other_secret = secret_on(meanwhile.get(SETUP))
    assert meanwhile.post(SETUP, {"code": totp.totp(other_secret)}).status_code == 302

    assert client.get(SETUP).url.startswith(VERIFY)
    assert PENDING_SECRET_KEY not in session_row(client)[1]
    assert (
        "The code is not right" in client.post(VERIFY, {"code": totp.totp(secret)}).content.decode()
    )
    assert client.get("/staff/").status_code == 302


@pytest.mark.django_db
def test_a_wrong_code_confirms_nothing(client, caseworker):
    sign_in(client, caseworker)
    secret = secret_on(client.get(SETUP))
    wrong = client.post(SETUP, {"code": "000000" if totp.totp(secret) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert "The code is not right" in wrong.content.decode()
    assert secret_on(wrong) == secret, "the person can try again with the same app"
    assert not TOTPDevice.objects.filter(user=caseworker).exists()
    assert not RecoveryCode.objects.filter(user=caseworker).exists()
    assert not AuditEvent.objects.filter(action="accounts:mfa:enrolled").exists()
    decoded = assert_not_stored(client, secret)
    assert NEW_CODES_KEY not in decoded
    assert client.get("/staff/").url.startswith(SETUP + "?next=")
