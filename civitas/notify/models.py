"""Messages to people: every message is kept so it can also be read in the portal."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message")


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")  # stored, waiting for the worker
    SENT = "sent", _("Sent")  # handed to the mail server or SMS gateway
    FAILED = "failed", _("Failed")  # the gateway refused it; see ``failure``


class Message(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messages"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    address = models.CharField(max_length=254)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    # what the message is about, e.g. an application reference, shown with it in the portal
    reference = models.CharField(max_length=40, blank=True)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    failure = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.channel} to {self.address}: {self.subject}"


class ContactPreference(models.Model):
    """How a person wants to hear from us besides email: a mobile number for text messages."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contact_preference"
    )
    mobile_number = models.CharField(max_length=20, blank=True)  # E.164, e.g. +2507001234567
    sms_enabled = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user}: {'SMS on' if self.sms_enabled else 'SMS off'}"
