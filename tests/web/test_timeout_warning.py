"""With JavaScript on, a warning dialog appears before the idle time-out, and "Stay signed in"
extends the session without leaving the page (without JavaScript, see tests/accounts/test_session)."""

from __future__ import annotations

import os

import pytest

from tests.web.browser import launch, sync_playwright

pytestmark = pytest.mark.slow


@pytest.mark.django_db(transaction=True)
def test_the_warning_dialog_extends_the_session_in_place(
    live_server, demo_country, citizen, settings, tmp_path
):
    if os.environ.get("DATABASE_URL"):
        pytest.skip("browser behaviour does not depend on the database engine")
    from civitas.demo.catalogue import DEMO_PASSWORD

    settings.SESSION_COOKIE_AGE = 123  # the warning shows 120 s before: after 3 s
    base = live_server.url
    with sync_playwright() as playwright:
        context = launch(playwright, tmp_path / "profile")
        try:
            page = context.pages[0] if context.pages else context.new_page()
            page.goto(base + "/accounts/sign-in/")
            page.fill("#id_username", citizen.email)
            page.fill("#id_password", DEMO_PASSWORD)
            page.click("main form button[type=submit]")
            page.goto(base + "/benefits/")
            dialog = page.locator("#civitas-timeout")
            assert not dialog.is_visible()
            dialog.wait_for(state="visible", timeout=15_000)
            assert "You will be signed out soon" in dialog.inner_text()
            with page.expect_response(lambda r: "/accounts/session/extend/" in r.url) as reply:
                page.click("#civitas-timeout button[data-civitas-extend]")
            assert reply.value.json() == {"signed_in": True, "expires_in": 123}
            dialog.wait_for(state="hidden", timeout=5_000)
            assert page.url == base + "/benefits/", "stayed on the page"
        finally:
            context.close()
