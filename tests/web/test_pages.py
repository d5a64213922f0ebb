"""Pages of the design system: home, errors, and the language switch."""

from __future__ import annotations

import pytest
from django.test import override_settings


@pytest.mark.django_db
def test_home_page_uses_the_design_system_and_needs_no_script(client):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="govuk-template"' in html
    assert 'href="#main-content"' in html, "skip link"
    assert "<script>" not in html, "no inline script: pages work without JavaScript"


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_a_missing_page_is_a_designed_404_not_a_stack_trace(client):
    response = client.get("/benefits/no-such-programme/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in html and "govuk-template" in html
    assert "Traceback" not in html


@pytest.mark.django_db
def test_language_switch_to_arabic_mirrors_the_page(client):
    client.post("/i18n/setlang/", {"language": "ar", "next": "/"})
    html = client.get("/").content.decode()
    assert 'lang="ar"' in html and 'dir="rtl"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/accounts/sign-in/", "/accounts/sign-up/", "/benefits/"])
def test_pages_carry_no_inline_style_or_script(client, citizen, path):
    """Ready for a strict content security policy: no style="" attributes, no inline scripts,
    signed out and signed in."""
    import re

    for signed_in in (False, True):
        if signed_in:
            client.force_login(citizen)
        html = client.get(path).content.decode()
        assert not re.search(r"\sstyle\s*=", html), f"{path}: inline style"
        assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html), f"{path}: inline script"
        assert not re.search(r"\son[a-z]+\s*=", html), f"{path}: inline event handler"
