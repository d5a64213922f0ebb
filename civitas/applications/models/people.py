"""What people agree to and ask for: consents, correction requests, and the intermediaries
registered to apply on someone's behalf."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civitas.programs.models import Program
from civitas.registry.models import Person


class ConsentPurpose(models.TextChoices):
    PREFILL = "prefill_from_registry", _("Use what the registry holds to fill in an application")
    ASSISTED = "assisted_application", _("Someone applies on my behalf")
    THIRD_PARTY_APP = "third_party_app", _("An app acts for me through the public API")


class ConsentMethod(models.TextChoices):
    ONLINE = "online", _("Given online by the person")
    IN_PERSON = "in_person", _("Given in person")
    PHONE = "phone", _("Given by telephone")
    SIGNED_FORM = "signed_form", _("Signed form")


class Consent(models.Model):
    """A person's consent to one purpose, recorded (and audited) when it is given."""

    purpose = models.CharField(max_length=40, choices=ConsentPurpose.choices)
    # the person who consents: their account when they have one, their registry record when known
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="consents",
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="consents"
    )
    # who recorded it: the person themself, or the caseworker or intermediary they spoke to
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    method = models.CharField(max_length=20, choices=ConsentMethod.choices)
    program = models.ForeignKey(Program, null=True, blank=True, on_delete=models.PROTECT)
    application = models.ForeignKey(
        "applications.Application",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="consents",
    )
    detail = models.CharField(max_length=300, blank=True)
    given_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-given_at"]

    def __str__(self) -> str:
        return f"{self.purpose} ({self.given_at:%Y-%m-%d})"


class CorrectionTopic(models.TextChoices):
    PERSONAL = "personal", _("My personal details (name, date of birth)")
    HOUSEHOLD = "household", _("Who lives in my household")
    INCOME = "income", _("Income or rent")
    APPLICATION = "application", _("One of my applications")
    OTHER = "other", _("Something else")


class CorrectionStatus(models.TextChoices):
    OPEN = "open", _("Received")
    RESOLVED = "resolved", _("Dealt with")


class CorrectionRequest(models.Model):
    """A person asks for something held about them to be corrected (their right to rectification)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="correction_requests"
    )
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT)
    topic = models.CharField(max_length=20, choices=CorrectionTopic.choices)
    details = models.TextField()
    status = models.CharField(
        max_length=10, choices=CorrectionStatus.choices, default=CorrectionStatus.OPEN
    )
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.topic} ({self.get_status_display()})"


class Intermediary(models.Model):
    """An organisation's worker registered to apply on people's behalf (assisted digital): a
    community centre, a social worker, a library helper."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="intermediary"
    )
    organisation = models.CharField(max_length=200)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    registered_at = models.DateTimeField(default=timezone.now)
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name_plural = "intermediaries"

    def __str__(self) -> str:
        return f"{self.user} ({self.organisation})"
