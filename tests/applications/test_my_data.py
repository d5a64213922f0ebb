"""Your data: everything held about a person, to read and to download, and asking for a
correction; your messages and text-message choice."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.urls import reverse

from civitas.applications import services
from civitas.applications.models import CorrectionRequest
from civitas.audit.models import AuditEvent
from tests.applications.conftest import VALID_CHILD_BENEFIT
from tests.applications.journeys import apply_online


@pytest.fixture
def decided(client, citizen, caseworker):
    client.force_login(citizen)
    application = apply_online(client, "child-benefit", VALID_CHILD_BENEFIT, use_registry=True)
    services.start_review(application=application, actor=caseworker)
    services.record_decision(
        application=application,
        approved=True,
        reason="Two children, income below the limit.",
        actor=caseworker,
    )
    return application


@pytest.mark.django_db
def test_the_download_holds_everything_about_me(client, citizen, decided):
    response = client.get(reverse("my:data_json"))
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["account"]["email"] == citizen.email
    assert data["registry"]["person"]["national_id"] == citizen.person.national_id
    household = data["registry"]["household"]
    assert household["monthly_rent"] == "420.00"
    assert {m["given_name"] for m in household["other_members"]} == {"Omar", "Leila", "Yusuf"}
    assert all("monthly_income" not in m for m in household["other_members"]), (
        "others' details stay theirs"
    )
    [application] = data["applications"]
    assert application["reference"] == decided.reference
    assert application["status"] == "approved"
    assert application["decision_reason"] == "Two children, income below the limit."
    assert application["rules_assessment"]["headline"] == "You may get 110 CVT a month."
    assert application["answers_from_registry"] == ["children_count", "household_income"]
    assert [c["purpose"] for c in data["consents"]] == ["prefill_from_registry"]
    assert any(decided.reference in m["subject"] for m in data["messages"])
    assert any(a["action"] == "applications:application:submitted" for a in data["activity"])


@pytest.mark.django_db
def test_the_page_shows_the_same_in_words(client, decided):
    html = client.get(reverse("my:data")).content.decode()
    for expected in (
        "What the social registry holds",
        "12 Liberty Street",
        decided.reference,
        "Two children, income below the limit.",
        "How the rules assessed it",
        "Use what the registry holds to fill in an application",
    ):
        assert expected in html


@pytest.mark.django_db
def test_asking_for_a_correction_is_recorded_and_acknowledged(
    client, citizen, django_capture_on_commit_callbacks
):
    client.force_login(citizen)
    url = reverse("my:correction")
    refused = client.post(url, {"topic": "household", "details": ""})
    assert "Enter what is wrong and what it should say" in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"topic": "household", "details": "Yusuf was born in 2021, not 2012."}
        )
    assert response.url == reverse("my:data")
    request = CorrectionRequest.objects.get()
    assert request.user == citizen and request.person == citizen.person
    assert AuditEvent.objects.filter(action="applications:correction:requested").exists()
    assert "request for a correction" in mail.outbox[-1].subject
    assert "Yusuf was born in 2021" in client.get(reverse("my:data")).content.decode()


@pytest.mark.django_db
def test_messages_page_and_the_text_message_choice(client, citizen):
    client.force_login(citizen)
    url = reverse("my:messages")
    refused = client.post(url, {"sms_enabled": "yes", "mobile_number": "0700"})
    assert "Enter a mobile number with the country code" in refused.content.decode()
    assert (
        client.post(url, {"sms_enabled": "yes", "mobile_number": "+250 700 123 456"}).status_code
        == 302
    )
    assert citizen.contact_preference.mobile_number == "+250700123456"
    assert citizen.contact_preference.sms_enabled


@pytest.mark.django_db
def test_these_pages_need_signing_in(client):
    for name in ("my:data", "my:data_json", "my:correction", "my:messages", "my:tokens"):
        assert client.get(reverse(name)).status_code == 302
