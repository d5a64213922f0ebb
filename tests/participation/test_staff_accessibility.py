"""The staff pages that set up participation, checked by axe-core in headless Chromium (WCAG 2.2
AA): each page blank, and each form sent empty so its error state is checked too. The browser
carries the session of a policy author who passed the second factor for real."""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.test import Client

from tests.web.browser import axe_source, launch, run_axe, sync_playwright

pytestmark = pytest.mark.slow

LANGUAGES = ["en", "ar"]  # left to right, and right to left


def _content(policy) -> None:
    from civitas.participation.services import budgets, consultations, conversations, surveys
    from civitas.registry.models import Region

    parks = consultations.create_consultation(
        actor=policy, slug="parks", title="Parks", summary="Parks."
    )
    consultations.save_document(
        actor=policy, consultation=parks, slug="d", title="D", body_html="<p>D</p>"
    )
    budget = budgets.create_budget(
        actor=policy,
        slug="green",
        title="Green budget",
        districts=[(Region.objects.get(code="capital"), 1000)],
    )
    budgets.add_project(actor=policy, district=budget.districts.get(), code="1", title="T", cost=5)
    survey = surveys.start_survey(actor=policy, slug="views", title="Views")
    surveys.add_question(
        actor=policy,
        survey=survey,
        spec={"kind": "multiple", "text": "Which?", "choices": ["A", "B", "C"]},
    )
    conversations.create_conversation(
        actor=policy, slug="talk", topic="Talk", seed_statements=["One idea."]
    )


# (page, whether to send its first form empty as well)
PAGES = [
    ("/participate/staff/", False),
    ("/participate/staff/consultations/new/", True),
    ("/participate/staff/consultations/parks/", False),
    ("/participate/staff/consultations/parks/details/", False),
    ("/participate/staff/surveys/new/", True),
    ("/participate/staff/surveys/views/", False),
    ("/participate/staff/surveys/views/details/", False),
    ("/participate/staff/budgets/new/", True),
    ("/participate/staff/budgets/green/", False),
    ("/participate/staff/budgets/green/settings/", False),
    ("/participate/staff/budgets/green/capital/projects/new/", True),
    ("/participate/staff/budgets/green/capital/projects/1/", False),
    ("/participate/staff/conversations/new/", True),
    ("/participate/staff/conversations/talk/", False),
    ("/participate/staff/conversations/talk/details/", False),
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_set_up_pages_have_no_axe_violations(language, live_server, policy, tmp_path):
    if os.environ.get("DATABASE_URL"):
        pytest.skip("pages do not depend on the database engine: checked on the embedded default")
    from civitas.accounts.testing import sign_in_staff

    _content(policy)
    client = Client()
    sign_in_staff(client, policy)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    axe = axe_source()
    base = live_server.url
    problems: list[str] = []
    with sync_playwright() as playwright:
        context = launch(playwright, tmp_path / "profile")
        try:
            context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base}]
            )
            page = context.pages[0] if context.pages else context.new_page()
            page.goto(base + "/participate/staff/")
            if language != "en":
                page.click(f"button[name=language][value={language}]")
                page.wait_for_load_state()

            def check(label: str) -> None:
                assert "/sign-in/" not in page.url and "two-factor" not in page.url, page.url
                for violation in run_axe(page, axe):
                    problems.append(
                        f"{label} [{language}]: {violation['id']} ({violation['impact']}): "
                        f"{violation['help']} at {violation['nodes']}"
                    )

            for path, send_empty in PAGES:
                response = page.goto(base + path)
                assert response is not None and response.status == 200, path
                check(path)
                if send_empty:
                    page.click("main form button[type=submit]")
                    page.wait_for_load_state()
                    assert page.query_selector(".govuk-error-summary"), path
                    check(f"{path} (sent empty)")
        finally:
            context.close()
    assert not problems, "\n".join(problems)
