"""The studio in the browser: pages work without JavaScript, keep what was typed, and answer 404
to people without a studio role."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from civitas.accounts.testing import sign_in_staff
from civitas.programs.models import ProgramVersion


@pytest.fixture
def author_client(client, author):
    sign_in_staff(client, author)
    return client


def test_people_without_a_studio_role_get_not_found(client, caseworker, flood_draft):
    sign_in_staff(client, caseworker)
    assert client.get(reverse("studio:index")).status_code == 404
    assert client.get(reverse("studio:version", args=[flood_draft.pk])).status_code == 404


def test_a_missing_version_is_not_found(author_client, flood_draft):
    assert (
        author_client.get(reverse("studio:version", args=[flood_draft.pk + 999])).status_code == 404
    )


def test_the_overview_lists_programmes_and_the_version_page_shows_tests(author_client, flood_draft):
    index = author_client.get(reverse("studio:index")).content.decode()
    assert "Flood relief" in index and "Child benefit" in index
    page = author_client.get(reverse("studio:version", args=[flood_draft.pk])).content.decode()
    assert "2 of 2 tests pass." in page
    assert "<script>" not in page and 'style="' not in page


def test_rules_errors_show_next_to_the_file_and_the_text_is_kept(author_client, flood_draft):
    url = reverse("studio:rules", args=[flood_draft.pk])
    page = author_client.get(url).content.decode()
    assert 'src="/static/studio/editor.js"' in page or "studio/editor.js" in page
    paths = re.findall(r'name="path_(\d+)" value="([^"]+)"', page)
    data = {"revision": flood_draft.studio.revision}
    for index, path in paths:
        text = flood_draft.rules[path]
        if path == "variables/emergency.yaml":
            text = text.replace("count()", "count(")
        data[f"path_{index}"] = path
        data[f"text_{index}"] = text
    response = author_client.post(url, data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "The rules do not load yet" in body
    assert re.search(r"variables/emergency.yaml, line \d+", body)
    assert "formula: count(\n" in body  # what they typed is still there
    stale = author_client.post(url, data).content.decode()  # the same (old) revision again
    assert "Someone else saved this version" in stale


def test_adding_a_test_case_in_the_browser_runs_it(author_client, flood_draft):
    url = reverse("studio:tests", args=[flood_draft.pk])
    response = author_client.post(
        url,
        {
            "revision": flood_draft.studio.revision,
            "name": "Someone alone in the west gets nothing",
            "period": flood_draft.effective_from.strftime("%Y-%m"),
            "situation": "household: {adults: [al], region: west}\npersons:\n  al: {income: 0}\n",
            "expected": "amount: 50\n",
            "tolerance": "0",
        },
    )
    assert response.status_code == 302
    page = author_client.get(url).content.decode()
    assert "2 of 3 tests pass." in page
    assert "How the rules worked it out" in page


def test_approving_is_refused_on_the_page_for_a_past_date(client, approver, author, flood_draft):
    from datetime import date, timedelta

    from civitas.studio import services

    services.submit_for_review(actor=author, version=flood_draft)
    ProgramVersion.objects.filter(pk=flood_draft.pk).update(
        effective_from=date.today() - timedelta(days=3)
    )
    sign_in_staff(client, approver)
    response = client.post(
        reverse("studio:review", args=[flood_draft.pk]), {"decision": "approve"}, follow=True
    )
    assert "would take effect in the past" in response.content.decode()
    assert ProgramVersion.objects.get(pk=flood_draft.pk).status == "in_review"


def test_from_template_to_scheduled_programme_through_the_pages(client, author, approver, start):
    """The policy officer's journey: five forms from nothing to a scheduled emergency programme."""
    from datetime import timedelta

    from civitas.programs.models import Program

    sign_in_staff(client, author)
    assert client.get(reverse("studio:new_programme")).status_code == 200
    response = client.post(
        reverse("studio:new_programme"),
        {
            "name": "Flood relief",
            "slug": "flood-relief",
            "start": start.isoformat(),
            "end": (start + timedelta(days=60)).isoformat(),
            "reference": "Flood Emergency Decree 2026, art. 2",
        },
    )
    assert response.status_code == 302
    version = Program.objects.get(slug="flood-relief").versions.get()
    for name in ("rules", "form", "details", "tests"):
        page = client.get(reverse(f"studio:{name}", args=[version.pk]))
        assert page.status_code == 200, name
    assert client.get(reverse("studio:new_version", args=["child-benefit"])).status_code == 200
    client.post(reverse("studio:simulate", args=[version.pk]), {"period": start.strftime("%Y-%m")})
    assert version.simulations.count() == 1
    client.post(reverse("studio:submit", args=[version.pk]))
    version.refresh_from_db()
    assert version.status == "in_review"
    client.logout()
    sign_in_staff(client, approver)
    page = client.post(
        reverse("studio:review", args=[version.pk]),
        {"decision": "approve", "comment": "Checked against the decree."},
        follow=True,
    ).content.decode()
    assert "Approved: it takes effect on" in page
    version.refresh_from_db()
    assert version.status == "scheduled"


@pytest.mark.django_db
def test_a_version_made_outside_the_studio_opens_in_it(client, demo_country):
    """The demo loader's versions have no studio record; opening one must not fail."""
    from civitas.accounts.models import User
    from civitas.accounts.testing import sign_in_staff
    from civitas.programs.models import Program

    author = User.objects.get(email="policy@demo.civitas.example")
    sign_in_staff(client, author)
    version = Program.objects.get(slug="child-benefit").version_in_force()
    response = client.get(f"/staff/studio/versions/{version.pk}/")
    assert response.status_code == 200
    assert "Child benefit" in response.content.decode()


def test_choices_are_radios_the_design_system_can_draw(client, author, approver, flood_draft):
    """A decision or a template is picked from radios: a field drawn as ``<input type="select">``
    would be a text box where the approver has to guess the value to type."""
    from civitas.studio import services

    services.submit_for_review(actor=author, version=flood_draft)
    sign_in_staff(client, approver)
    page = client.get(reverse("studio:version", args=[flood_draft.pk])).content.decode()
    assert 'type="radio" value="approve"' in page and 'type="select"' not in page
    client.logout()
    sign_in_staff(client, author)
    page = client.get(reverse("studio:new_version", args=["child-benefit"])).content.decode()
    assert 'type="radio" value="top_up"' in page and 'type="select"' not in page


def test_dates_shown_in_forms_are_read_back_when_sent_unchanged(client, author, flood_draft):
    """Saving the details page without touching the date keeps it (the date is drawn as
    YYYY-MM-DD, the format the field reads, not in the page's date format)."""
    sign_in_staff(client, author)
    url = reverse("studio:details", args=[flood_draft.pk])
    page = client.get(url).content.decode()
    assert f'value="{flood_draft.effective_from.isoformat()}"' in page
    data = {
        name: value
        for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page)
        if name != "csrfmiddlewaretoken"
    }
    data.update(re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>([^<]*)</textarea>', page))
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
