"""The idle time-out: signed-in pages say when we sign people out and offer to stay signed in,
without JavaScript; the sign-in page says why it is shown after a time-out."""

from __future__ import annotations

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_signed_in_pages_offer_to_stay_signed_in(client, citizen, settings):
    client.force_login(citizen)
    html = client.get("/benefits/").content.decode()
    minutes = settings.SESSION_COOKIE_AGE // 60
    assert f"we sign you out after {minutes} minutes without activity" in html
    assert reverse("accounts:session") + "?next=/benefits/" in html.replace("%2F", "/")
    assert 'id="civitas-timeout"' in html, "the dialog the script shows before the time-out"
    page = client.get(reverse("accounts:session"), {"next": "/benefits/"})
    assert "You are still signed in" in page.content.decode()
    assert page.cookies["sessionid"]["max-age"] == settings.SESSION_COOKIE_AGE, "extended"


@pytest.mark.django_db
def test_extend_answers_the_script_and_the_form(client, citizen):
    url = reverse("accounts:session_extend")
    assert client.post(url, HTTP_ACCEPT="application/json").json()["signed_in"] is False
    client.force_login(citizen)
    assert client.post(url, HTTP_ACCEPT="application/json").json()["signed_in"] is True
    back = client.post(url, {"next": "/benefits/"})
    assert back.url == "/benefits/"
    elsewhere = client.post(url, {"next": "https://evil.example/"})
    assert elsewhere.url == "/", "never sends people to another site"


@pytest.mark.django_db
def test_after_a_time_out_the_sign_in_page_says_why(client, citizen):
    from civitas.demo.catalogue import DEMO_PASSWORD

    client.post(reverse("accounts:login"), {"username": citizen.email, "password": DEMO_PASSWORD})
    client.cookies.pop("sessionid")  # what the browser does when the session cookie expires
    response = client.get(reverse("applications:mine"), follow=True)
    assert "You were signed out because you did nothing for a while" in response.content.decode()
    client.post(reverse("accounts:logout"))
    fresh = client.get(reverse("accounts:login") + "?next=/applications/")
    assert "You were signed out" not in fresh.content.decode(), "not after signing out"
