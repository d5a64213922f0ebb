"""Sending messages: stored in the caller's transaction, delivered by the worker after commit."""

from __future__ import annotations

import logging
from smtplib import SMTPException

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from civitas.audit import services as audit
from civitas.notify.models import Channel, DeliveryStatus, Message

logger = logging.getLogger(__name__)


def queue_email(*, recipient, subject: str, body: str, reference: str = "", actor=None) -> Message:
    """Store an email for ``recipient`` and deliver it once the surrounding transaction commits."""
    message = Message.objects.create(
        recipient=recipient,
        channel=Channel.EMAIL,
        address=recipient.email,
        subject=subject,
        body=body,
        reference=reference,
    )
    audit.record(
        actor=actor,
        action="notify:message:queued",
        subject=message,
        after={"channel": "email", "reference": reference, "subject": subject},
    )
    from civitas.notify.tasks import deliver_message

    transaction.on_commit(lambda: deliver_message.enqueue(message.pk))
    return message


def deliver(message_id: int) -> Message:
    """Send one stored message; a message already sent is not sent again.

    The mail server is called outside any transaction so a slow server never holds the database's
    write lock; the outcome is then recorded (and audited) in its own short transaction.
    """
    message = Message.objects.get(pk=message_id)
    if message.status == DeliveryStatus.SENT:
        return message
    failure = ""
    try:
        send_mail(
            message.subject,
            message.body,
            settings.DEFAULT_FROM_EMAIL,
            [message.address],
            fail_silently=False,
        )
    except (SMTPException, OSError) as exc:
        failure = str(exc)[:300] or exc.__class__.__name__
        logger.warning("email %s to %s failed: %s", message.pk, message.address, failure)
    with transaction.atomic():
        message.status = DeliveryStatus.FAILED if failure else DeliveryStatus.SENT
        message.failure = failure
        message.sent_at = None if failure else timezone.now()
        message.save(update_fields=["status", "failure", "sent_at"])
        audit.record(
            actor=None,
            action=f"notify:message:{message.status}",
            subject=message,
            after={"status": message.status, "failure": failure},
        )
    return message
