"""Sending messages: stored in the caller's transaction, delivered by the worker after commit.

Every message is kept, so a person can read in the portal ("Messages") everything we sent them by
email or text message.
"""

from __future__ import annotations

import logging
from smtplib import SMTPException

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from civitas.audit import services as audit
from civitas.db.outbox import enqueue_on_commit
from civitas.db.prepared import Prepared, insert
from civitas.notify import sms
from civitas.notify.models import Channel, ContactPreference, DeliveryStatus, Message

logger = logging.getLogger(__name__)


def _queue(
    *, recipient, channel: str, address: str, subject: str, body: str, reference: str, actor
):
    message = insert(  # every submission tells its applicant: the INSERT built once
        Message(
            recipient=recipient,
            channel=channel,
            address=address,
            subject=subject[:200],
            body=body,
            reference=reference,
        )
    )
    audit.record(
        actor=actor,
        action="notify:message:queued",
        subject=message,
        after={"channel": channel, "reference": reference, "subject": subject},
    )
    from civitas.notify.tasks import deliver_message

    enqueue_on_commit(deliver_message, message.pk)
    return message


def queue_email(*, recipient, subject: str, body: str, reference: str = "", actor=None) -> Message:
    """Store an email for ``recipient`` and deliver it once the surrounding transaction commits."""
    return _queue(
        recipient=recipient,
        channel=Channel.EMAIL,
        address=recipient.email,
        subject=subject,
        body=body,
        reference=reference,
        actor=actor,
    )


def queue_sms(*, recipient, text: str, reference: str = "", actor=None) -> Message | None:
    """Store a text message for ``recipient`` if they asked for texts; None when they did not."""
    number = _sms_number(recipient)
    if not number:
        return None
    return _queue(
        recipient=recipient,
        channel=Channel.SMS,
        address=number,
        subject=text[:200],
        body=text[: sms.MAX_TEXT],
        reference=reference,
        actor=actor,
    )


_PREFERENCE = Prepared(
    lambda pk: ContactPreference.objects.filter(user_id=pk, sms_enabled=True)[:1], int
)


def _sms_number(recipient) -> str | None:
    """The number ``recipient`` wants texts on, if they do (one preference per person)."""
    preference = _PREFERENCE.first(recipient.pk)  # every message asks: compiled once
    return preference.mobile_number if preference else None


def queue_message(
    *, recipient, subject: str, body: str, sms_text: str = "", reference: str = "", actor=None
) -> Message:
    """Email ``recipient``, and also text them a short version when they asked for texts."""
    message = queue_email(
        recipient=recipient, subject=subject, body=body, reference=reference, actor=actor
    )
    queue_sms(recipient=recipient, text=sms_text or subject, reference=reference, actor=actor)
    return message


@transaction.atomic
def set_contact_preference(*, user, mobile_number: str, sms_enabled: bool, actor=None):
    """Turn text messages on (with a number, normalised to E.164) or off. ValueError says how to
    fix a number that is not a mobile number."""
    number = sms.normalise_number(mobile_number) if (sms_enabled or mobile_number) else ""
    preference, _ = ContactPreference.objects.get_or_create(user=user)
    before = {"mobile_number": preference.mobile_number, "sms_enabled": preference.sms_enabled}
    preference.mobile_number = number
    preference.sms_enabled = sms_enabled and bool(number)
    preference.save()
    audit.record(
        actor=actor or user,
        action="notify:contact_preference:changed",
        subject=preference,
        before=before,
        after={"mobile_number": number, "sms_enabled": preference.sms_enabled},
    )
    return preference


def deliver(message_id: int, *, gateway: sms.SmsGateway | None = None) -> Message:
    """Send one stored message; a message already sent is not sent again.

    The mail server or SMS gateway is called outside any transaction so a slow server never holds
    the database's write lock; the outcome is then recorded (and audited) in its own short
    transaction.
    """
    message = Message.objects.get(pk=message_id)
    if message.status == DeliveryStatus.SENT:
        return message
    failure = ""
    if message.channel == Channel.SMS:
        try:
            (gateway or sms.gateway_from_settings()).send(
                to=message.address, text=message.body, reference=message.reference
            )
        except sms.SmsError as exc:
            failure = str(exc)[:300]
            logger.warning("SMS %s to %s failed: %s", message.pk, message.address, failure)
    else:
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
