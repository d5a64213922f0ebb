"""Following an application: plain-language status with the expected date, the caseworker's
messages, answering a request for information, withdrawing."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from civitas.applications import services
from civitas.applications.lifecycle import TransitionNotAllowed, add_working_days
from civitas.audit.models import AuditEvent
from tests.applications.conftest import VALID_CHILD_BENEFIT
from tests.applications.journeys import apply_online


@pytest.fixture
def sent(client, citizen):
    client.force_login(citizen)
    return apply_online(client, "child-benefit", VALID_CHILD_BENEFIT)


def detail(client, application) -> str:
    return client.get(reverse("applications:detail", args=[application.reference])).content.decode()


def test_working_days_skip_the_weekend():
    from datetime import date

    assert add_working_days(date(2026, 11, 27), 1) == date(2026, 11, 30)  # Friday -> Monday
    assert add_working_days(date(2026, 11, 23), 10) == date(2026, 12, 7)


@pytest.mark.django_db
def test_the_status_is_explained_with_the_date_we_aim_to_decide_by(client, sent):
    html = detail(client, sent)
    assert "We have your application. A caseworker will start looking at it soon." in html
    assert "We aim to decide by" in html
    assert "Most applications are decided within 10 working days." in html
    mine = client.get(reverse("applications:mine")).content.decode()
    assert sent.reference in mine and "Received" in mine


@pytest.mark.django_db
def test_a_request_for_information_is_answered_and_goes_back_to_review(
    client, sent, caseworker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.request_information(
            application=sent, actor=caseworker, body="Please send your rental contract."
        )
    sent.refresh_from_db()
    assert sent.status == "information_requested"
    assert "We need more information" in mail.outbox[-1].subject
    assert sent.reference in mail.outbox[-1].subject
    html = detail(client, sent)
    assert "Please send your rental contract." in html and "Reply to the request" in html

    empty = client.post(reverse("applications:respond", args=[sent.reference]), {"reply": " "})
    assert empty.status_code == 400 and "Enter your reply" in empty.content.decode()

    reply = client.post(
        reverse("applications:respond", args=[sent.reference]), {"reply": "It is attached."}
    )
    assert reply.status_code == 302
    sent.refresh_from_db()
    assert sent.status == "under_review"
    assert "It is attached." in detail(client, sent)
    assert AuditEvent.objects.filter(action="applications:message:information_response").exists()


@pytest.mark.django_db
def test_a_message_from_the_caseworker_shows_and_is_emailed(
    client, sent, caseworker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.send_message(
            application=sent,
            actor=caseworker,
            body="We are checking the registry.",
            to_applicant=True,
        )
    assert "From your caseworker" in detail(client, sent)
    assert mail.outbox[-1].body == "We are checking the registry."
    messages_page = client.get(reverse("my:messages")).content.decode()
    assert "A message about your application" in messages_page


@pytest.mark.django_db
def test_withdrawing_asks_first_then_stops_the_application(client, sent, caseworker):
    url = reverse("applications:withdraw", args=[sent.reference])
    assert "Are you sure you want to withdraw" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    sent.refresh_from_db()
    assert sent.status == "withdrawn"
    assert "This application was withdrawn." in detail(client, sent)
    with pytest.raises(TransitionNotAllowed):
        services.record_decision(application=sent, approved=True, reason="ok", actor=caseworker)


@pytest.mark.django_db
def test_a_decision_shows_with_its_reason(client, sent, caseworker):
    services.start_review(application=sent, actor=caseworker)
    services.record_decision(
        application=sent,
        approved=False,
        reason="Income above the limit (s.12(2)).",
        actor=caseworker,
    )
    html = detail(client, sent)
    assert "has not been approved" in html and "Income above the limit (s.12(2))." in html
