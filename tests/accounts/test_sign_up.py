"""Creating an account: the address is confirmed by a signed one-use link, passwords follow the
length and common-password rules, and the form never tells whether an address is registered."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from civitas.accounts import tokens
from civitas.accounts.models import User
from civitas.audit.models import AuditEvent

GOOD = {
    "full_name": "Ines Example",
    "email": "ines@example.org",
    "password": "correct horse battery staple",
}


def link_in(message) -> str:
    return re.search(r"https?://testserver(/\S+)", message.body).group(1)


def without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


@pytest.mark.django_db
def test_sign_up_confirm_then_sign_in(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:sign_up"), GOOD)
    assert response.url == reverse("accounts:check_email")
    assert "ines@example.org" in client.get(response.url).content.decode()
    user = User.objects.get(email="ines@example.org")
    assert user.email_verified_at is None and user.full_name == "Ines Example"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ines@example.org"]

    # before confirming, the right password does not sign in: a new link is sent instead
    with django_capture_on_commit_callbacks(execute=True):
        early = client.post(
            reverse("accounts:login"), {"username": GOOD["email"], "password": GOOD["password"]}
        )
    assert early.url == reverse("accounts:check_email") and "_auth_user_id" not in client.session
    assert len(mail.outbox) == 2

    link = link_in(mail.outbox[0])
    page = client.get(link)
    assert page.status_code == 200 and "Confirm email address" in page.content.decode()
    user.refresh_from_db()
    assert user.email_verified_at is None, "opening the link alone confirms nothing"
    confirmed = client.post(link)
    assert confirmed.url == reverse("accounts:login")
    user.refresh_from_db()
    assert user.email_verified_at is not None
    assert client.post(link).status_code == 400, "a link works once"
    assert client.get(link_in(mail.outbox[1])).status_code == 400, "older links stop too"

    signed_in = client.post(
        reverse("accounts:login"), {"username": GOOD["email"], "password": GOOD["password"]}
    )
    assert signed_in.status_code == 302 and client.session["_auth_user_id"] == str(user.pk)
    assert AuditEvent.objects.filter(action="accounts:email:verified").count() == 1


@pytest.mark.django_db
def test_signing_up_with_a_registered_address_reveals_nothing(
    client, other_citizen, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        new = client.post(reverse("accounts:sign_up"), GOOD)
        new_page = client.get(new.url).content.decode()
        taken = client.post(reverse("accounts:sign_up"), {**GOOD, "email": other_citizen.email})
        taken_page = client.get(taken.url).content.decode()
    assert (new.status_code, new.url) == (taken.status_code, taken.url)
    assert without_csrf(new_page.replace(GOOD["email"], "ADDRESS")) == without_csrf(
        taken_page.replace(other_citizen.email, "ADDRESS")
    )
    assert User.objects.filter(email=other_citizen.email).count() == 1
    other_citizen.refresh_from_db()
    assert other_citizen.check_password("another-pass-123"), "the existing account is unchanged"
    to_owner = [m for m in mail.outbox if m.to == [other_citizen.email]]
    assert len(to_owner) == 1 and "already have" in to_owner[0].subject


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "error"),
    [
        ("short-pass", "too short"),
        ("password1234", "too common"),
        ("ines@example.org", "too similar"),
        ("4815162342000", "entirely numeric"),
        ("", "Enter a password"),
    ],
)
def test_weak_passwords_are_refused_with_what_to_do(client, password, error):
    response = client.post(reverse("accounts:sign_up"), {**GOOD, "password": password})
    html = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in html
    assert error in html
    assert 'value="Ines Example"' in html and 'value="ines@example.org"' in html, "kept"
    assert not re.search(r'<input[^>]*type="password"[^>]*value=', html), "never sent back"
    assert not User.objects.exists()


@pytest.mark.django_db
def test_bad_email_address_is_explained(client):
    response = client.post(reverse("accounts:sign_up"), {**GOOD, "email": "ines-at-example"})
    assert "Enter an email address in the correct format" in response.content.decode()


@pytest.mark.django_db
def test_forged_and_expired_links_do_not_work(client, monkeypatch):
    user = User.objects.create_user(email="old@example.org", password="a very long password")
    token = tokens.make_token(tokens.VERIFY_EMAIL, user)
    assert client.get(reverse("accounts:verify_email", args=[token[:-2] + "xx"])).status_code == 400
    assert client.get(reverse("accounts:verify_email", args=[token])).status_code == 200
    monkeypatch.setitem(tokens.MAX_AGE, tokens.VERIFY_EMAIL, -1)
    assert client.get(reverse("accounts:verify_email", args=[token])).status_code == 400
    other = tokens.make_token(tokens.RESET_PASSWORD, user)
    assert tokens.read_token(tokens.VERIFY_EMAIL, other) is None, "tokens are per purpose"
