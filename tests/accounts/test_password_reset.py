"""Password reset never reveals whether an account exists; its link is signed, short-lived and
works once; a new password ends the other sessions."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from civitas.accounts.models import User

NEW = "a brand new passphrase for me"


def without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def ask(client, email, capture):
    with capture(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": email})
    return response, client.get(response.url)


@pytest.mark.django_db
def test_the_answer_is_the_same_whether_or_not_the_account_exists(
    client, other_citizen, django_capture_on_commit_callbacks
):
    known, known_page = ask(client, other_citizen.email, django_capture_on_commit_callbacks)
    unknown, unknown_page = ask(client, "nobody@example.org", django_capture_on_commit_callbacks)
    assert (known.status_code, known.url) == (unknown.status_code, unknown.url)
    assert known_page.status_code == unknown_page.status_code == 200
    assert without_csrf(known_page.content.decode()) == without_csrf(unknown_page.content.decode())
    assert [m.to for m in mail.outbox] == [[other_citizen.email]], "only the owner gets an email"


@pytest.mark.django_db
def test_reset_link_sets_a_new_password_once_and_ends_other_sessions(
    client, other_citizen, django_capture_on_commit_callbacks
):
    elsewhere = Client()
    elsewhere.force_login(other_citizen)
    assert elsewhere.get(reverse("accounts:account")).status_code == 200

    ask(client, other_citizen.email, django_capture_on_commit_callbacks)
    link = re.search(r"https?://testserver(/\S+)", mail.outbox[0].body).group(1)
    opened = client.get(link)
    assert opened.url == reverse("accounts:password_reset_confirm", args=["set-password"]), (
        "the token leaves the address bar at once"
    )
    weak = client.post(opened.url, {"password": "123"})
    assert "There is a problem" in weak.content.decode()
    done = client.post(opened.url, {"password": NEW})
    assert done.url == reverse("accounts:login")
    other_citizen.refresh_from_db()
    assert other_citizen.check_password(NEW)

    assert elsewhere.get(reverse("accounts:account")).status_code == 302, "old session ended"
    assert client.get(link).status_code == 302
    assert client.get(opened.url).status_code == 400, "the link worked once"


@pytest.mark.django_db
def test_resetting_confirms_an_unconfirmed_address(client, django_capture_on_commit_callbacks):
    user = User.objects.create_user(email="late@example.org", password="first password here")
    assert user.email_verified_at is None
    ask(client, user.email, django_capture_on_commit_callbacks)
    link = re.search(r"https?://testserver(/\S+)", mail.outbox[0].body).group(1)
    client.post(client.get(link).url, {"password": NEW})
    user.refresh_from_db()
    assert user.email_verified_at is not None and user.check_password(NEW)


@pytest.mark.django_db
def test_an_invalid_email_is_explained_not_looked_up(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "not an address"})
    assert response.status_code == 200
    assert "Enter an email address in the correct format" in response.content.decode()
    assert mail.outbox == []
