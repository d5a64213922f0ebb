"""The sign-in page says plainly when sign-in is locked, and says the same whether or not the
account exists (security/signin.py locks names that have no account too)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from civitas.demo.catalogue import DEMO_PASSWORD

LOCKED = "Too many failed attempts to sign in. Wait 15 minutes and try again."


def _fail_five_times(client, email: str) -> None:
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": email, "password": "not-this-one"})


def _error_summary(response) -> str:
    page = response.content.decode()
    start = page.index('class="govuk-error-summary"')
    return page[start : page.index("</div>", page.index("govuk-error-summary__body", start))]


@pytest.mark.django_db
def test_a_locked_sign_in_is_explained_even_with_the_right_password(client, citizen):
    _fail_five_times(client, citizen.email)
    response = client.post(
        reverse("accounts:login"), {"username": citizen.email, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session, "the right password is refused while locked"
    assert LOCKED in _error_summary(response)
    assert "Enter a correct email address and password" not in response.content.decode()
    assert response.context["form"].data["username"] == citizen.email, "what was typed is kept"


@pytest.mark.django_db
def test_the_lock_message_does_not_tell_whether_the_account_exists(client, citizen):
    _fail_five_times(client, citizen.email)
    known = client.post(reverse("accounts:login"), {"username": citizen.email, "password": "x"})
    _fail_five_times(client, "nobody-here@example.org")
    unknown = client.post(
        reverse("accounts:login"), {"username": "nobody-here@example.org", "password": "x"}
    )
    assert _error_summary(known) == _error_summary(unknown).replace(
        "nobody-here@example.org", citizen.email
    )
    assert LOCKED in _error_summary(unknown)


@pytest.mark.django_db
def test_before_the_lock_a_wrong_password_asks_to_check_it(client, citizen):
    response = client.post(
        reverse("accounts:login"), {"username": citizen.email, "password": "not-this-one"}
    )
    assert "Enter a correct email address and password" in response.content.decode()
    assert "Too many failed attempts" not in response.content.decode()


@pytest.mark.django_db
def test_the_lock_message_is_translated(client, citizen):
    _fail_five_times(client, citizen.email)
    response = client.post(
        reverse("accounts:login"),
        {"username": citizen.email, "password": DEMO_PASSWORD},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert "Trop de tentatives de connexion" in response.content.decode()
