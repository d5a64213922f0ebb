"""The foundation journey: a citizen applies for child benefit, a caseworker approves it, the
citizen sees the decision — every step audited, the email carrying the reference."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from civitas.accounts.testing import sign_in_staff
from civitas.applications.models import Application
from civitas.audit.models import AuditEvent
from civitas.audit.services import verify_chain
from civitas.demo.catalogue import DEMO_PASSWORD
from tests.applications.journeys import apply_online, send, start_online

VALID = {
    "children_count": "2",
    "household_income": "950.00",
    "bank_account": "CV12 3456 7890",
    "declaration": "yes",
}


def sign_in(client, email: str) -> None:
    response = client.post(
        reverse("accounts:login"), {"username": email, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302, "signed in"


@pytest.mark.django_db
def test_citizen_applies_and_caseworker_approves(
    client, citizen, caseworker, django_capture_on_commit_callbacks
):
    from civitas.casework.demo import grant_demo_scopes

    grant_demo_scopes()  # the demo caseworker's scope: every programme, the whole country
    sign_in(client, citizen.email)

    catalogue = client.get(reverse("programs:catalogue"))
    assert "Child benefit" in catalogue.content.decode()

    draft = start_online(client, "child-benefit", VALID)
    question = client.get(
        reverse("applications:question", args=[draft.reference, "children_count"])
    )
    assert "How many children under 18 live with you?" in question.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, draft)
    assert response.status_code == 302
    application = Application.objects.get()
    assert response.url == reverse("applications:confirmation", args=[application.reference])
    confirmation = client.get(response.url).content.decode()
    assert application.reference in confirmation

    assert len(mail.outbox) == 1
    assert application.reference in mail.outbox[0].subject
    assert application.reference in mail.outbox[0].body
    assert mail.outbox[0].to == [citizen.email]

    client.logout()
    sign_in_staff(client, caseworker, password=DEMO_PASSWORD)
    queue = client.get(reverse("casework:queue")).content.decode()
    assert application.reference in queue

    case_url = reverse("casework:case", args=[application.reference])
    with django_capture_on_commit_callbacks(execute=True):
        decided = client.post(
            case_url,
            {
                "outcome": "approve",
                "reason": "Two children under 18; income below the limit (s.12).",
            },
        )
    assert decided.status_code == 302
    application.refresh_from_db()
    assert application.status == "approved"
    assert len(mail.outbox) == 2 and "approved" in mail.outbox[1].body

    client.logout()
    sign_in(client, citizen.email)
    detail = client.get(
        reverse("applications:detail", args=[application.reference])
    ).content.decode()
    assert "Approved" in detail and "income below the limit" in detail

    actions = list(AuditEvent.objects.values_list("action", flat=True))
    for expected in (
        "applications:application:submitted",
        "applications:application:under_review",
        "applications:application:approved",
        "notify:message:queued",
        "notify:message:sent",
    ):
        assert expected in actions
    assert verify_chain().ok


@pytest.mark.django_db
def test_a_double_submission_makes_one_application(client, citizen):
    sign_in(client, citizen.email)
    url = reverse("applications:apply", args=["child-benefit"])
    first = client.post(url, {"idempotency_key": "abc123"})
    second = client.post(url, {"idempotency_key": "abc123"})
    assert first.url == second.url
    draft = start_online(client, "child-benefit", VALID)
    assert send(client, draft).url == send(client, draft).url
    assert Application.objects.count() == 1
    assert Application.objects.get().status == "submitted"


@pytest.mark.django_db
def test_invalid_answers_are_explained_and_kept(client, citizen):
    sign_in(client, citizen.email)
    draft = start_online(client, "child-benefit", {"children_count": "2"}, partial=True)
    page = reverse("applications:question", args=[draft.reference, "household_income"])
    response = client.post(page, {"household_income": "lots"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Enter a number, like 2 or 1250" in html
    assert 'value="lots"' in html, "what was typed is not lost"
    check = send(client, draft).content.decode()
    assert "There is a problem" in check and "Select yes or no" in check
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.answers == {"children_count": 2}


@pytest.mark.django_db
def test_someone_elses_application_is_the_same_404_as_a_missing_one(client, citizen, other_citizen):
    sign_in(client, citizen.email)
    reference = apply_online(client, "child-benefit", VALID).reference
    client.logout()
    client.force_login(other_citizen)
    theirs = client.get(reverse("applications:detail", args=[reference]))
    missing = client.get(reverse("applications:detail", args=["CIV-XXXX-XXXX"]))
    assert theirs.status_code == missing.status_code == 404

    def normalised(response, ref):
        html = response.content.decode().replace(ref, "REF")
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)

    assert normalised(theirs, reference) == normalised(missing, "CIV-XXXX-XXXX")
    assert client.get(reverse("casework:case", args=[reference])).status_code == 404


@pytest.mark.django_db
def test_a_decision_without_a_reason_is_refused(client, citizen, caseworker):
    from civitas.casework.demo import grant_demo_scopes

    grant_demo_scopes()
    client.force_login(citizen)
    application = apply_online(client, "child-benefit", VALID)
    sign_in_staff(client, caseworker)
    response = client.post(
        reverse("casework:case", args=[application.reference]), {"outcome": "reject", "reason": ""}
    )
    assert "Enter the reason for the decision" in response.content.decode()
    application.refresh_from_db()
    assert application.status == "submitted"


@pytest.mark.django_db
def test_a_withdrawn_application_cannot_be_approved(citizen, caseworker):
    from civitas.applications import services
    from civitas.applications.lifecycle import TransitionNotAllowed
    from civitas.casework.services import decide
    from civitas.programs.models import Program

    outcome = services.submit_application(
        applicant=citizen,
        program=Program.objects.get(slug="child-benefit"),
        answers=VALID,
        idempotency_key="k4",
    )
    services.withdraw(application=outcome.application, actor=citizen)
    with pytest.raises(TransitionNotAllowed, match="withdrawn"):
        decide(application=outcome.application, approved=True, reason="ok", actor=caseworker)
