"""Email through a real SMTP server, text messages through a real HTTP gateway, and every message
kept for the portal."""

from __future__ import annotations

import pytest
from django.db import transaction

from civitas.notify import services, sms
from civitas.notify.models import Message
from tests.conftest import free_port


@pytest.mark.django_db
def test_an_email_is_sent_through_smtp_after_commit(
    citizen, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        message = services.queue_email(
            recipient=citizen,
            subject="Application received: CIV-ABCD-EFGH",
            body="Reference CIV-ABCD-EFGH",
        )
        assert smtp_server.messages == [], "nothing leaves before the transaction commits"
    assert len(callbacks) == 1
    [received] = smtp_server.messages
    assert received["to"] == [citizen.email]
    assert received["message"]["Subject"] == "Application received: CIV-ABCD-EFGH"
    assert "CIV-ABCD-EFGH" in received["message"].get_content()
    message.refresh_from_db()
    assert message.status == "sent" and message.sent_at is not None


@pytest.mark.django_db
def test_a_rolled_back_write_sends_nothing(
    citizen, smtp_server, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.queue_email(recipient=citizen, subject="Never", body="Never")
        raise RuntimeError("the write fails")
    assert smtp_server.messages == []
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_an_unreachable_mail_server_is_recorded_not_raised(citizen, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    with transaction.atomic():
        message = services.queue_email(recipient=citizen, subject="Hello", body="Hello")
    delivered = services.deliver(message.pk)
    assert delivered.status == "failed" and delivered.failure
    assert services.deliver(message.pk).status == "failed"


@pytest.mark.django_db
def test_a_text_message_goes_to_the_http_gateway(
    citizen, sms_gateway, django_capture_on_commit_callbacks
):
    services.set_contact_preference(
        user=citizen, mobile_number="+250 700 123 456", sms_enabled=True
    )
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        services.queue_message(
            recipient=citizen,
            subject="Decision on your application CIV-ABCD-EFGH",
            body="Your application has been approved.",
            sms_text="Your application CIV-ABCD-EFGH has been approved.",
            reference="CIV-ABCD-EFGH",
        )
    [request] = sms_gateway.received
    assert request["authorization"] == "Bearer gateway-secret"
    assert request["content_type"] == "application/json"
    assert request["json"] == {
        "to": "+250700123456",
        "text": "Your application CIV-ABCD-EFGH has been approved.",
        "reference": "CIV-ABCD-EFGH",
        "sender": "Civitas",
    }
    channels = sorted(Message.objects.values_list("channel", "status"))
    assert channels == [("email", "sent"), ("sms", "sent")]


@pytest.mark.django_db
def test_no_text_without_the_persons_choice(
    citizen, sms_gateway, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        services.queue_message(recipient=citizen, subject="News", body="News")
    assert sms_gateway.received == []
    assert list(Message.objects.values_list("channel", flat=True)) == ["email"]


@pytest.mark.django_db
def test_a_gateway_refusal_is_kept_with_its_reason(citizen, sms_gateway):
    sms_gateway.status = 503
    services.set_contact_preference(user=citizen, mobile_number="+250700123456", sms_enabled=True)
    with transaction.atomic():
        message = services.queue_sms(recipient=citizen, text="Hello", reference="R")
    delivered = services.deliver(message.pk)
    assert delivered.status == "failed"
    assert "503" in delivered.failure


def test_mobile_numbers_are_normalised_or_explained():
    assert sms.normalise_number("00250 (700) 123-456") == "+250700123456"
    with pytest.raises(ValueError, match="country code"):
        sms.normalise_number("0700 123 456")


@pytest.mark.django_db
def test_the_application_email_carries_the_reference_through_smtp(
    citizen, smtp_server, django_capture_on_commit_callbacks
):
    from civitas.applications import services as applications
    from civitas.programs.models import Program

    with django_capture_on_commit_callbacks(execute=True):
        outcome = applications.submit_application(
            applicant=citizen,
            program=Program.objects.get(slug="food-allowance"),
            answers={
                "household_size": 4,
                "household_income": "400",
                "bank_account": "CV1",
                "declaration": True,
            },
            idempotency_key="smtp-1",
        )
    reference = outcome.application.reference
    [received] = smtp_server.messages
    assert reference in received["message"]["Subject"]
    assert reference in received["message"].get_content()
    assert Message.objects.get(reference=reference).status == "sent"
