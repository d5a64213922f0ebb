"""Appeals against decisions and complaints about the service."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civitas.applications.models import Application
from civitas.casework.lifecycles import AppealStatus, GrievanceStatus
from civitas.casework.models.decisions import Decision
from civitas.programs.models import Program
from civitas.registry.models import Region


class Appeal(models.Model):
    reference = models.CharField(max_length=20, unique=True)
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="appeals")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="+")
    appellant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appeals"
    )
    grounds = models.TextField()
    # changes only through civitas.casework.redress (see lifecycles.APPEAL_TRANSITIONS)
    status = models.CharField(
        max_length=20, choices=AppealStatus.choices, default=AppealStatus.LODGED
    )
    lodged_at = models.DateTimeField()
    idempotency_key = models.CharField(max_length=100)
    # who decided the original: neither may decide the appeal (checked by the database)
    original_decider = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    original_second = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    outcome_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-lodged_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["appellant", "idempotency_key"], name="casework_appeal_idempotent"
            ),
            models.UniqueConstraint(
                fields=["decision"],
                condition=models.Q(status="lodged"),
                name="casework_one_open_appeal_per_decision",
            ),
            models.CheckConstraint(
                condition=models.Q(decided_by__isnull=True)
                | ~models.Q(decided_by=models.F("original_decider")),
                name="casework_appeal_other_decider",
            ),
            models.CheckConstraint(
                condition=models.Q(decided_by__isnull=True)
                | models.Q(original_second__isnull=True)
                | ~models.Q(decided_by=models.F("original_second")),
                name="casework_appeal_other_second",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class GrievanceCategory(models.TextChoices):
    DELAY = "delay", _("It is taking too long")
    CONDUCT = "conduct", _("How I was treated")
    PAYMENT = "payment", _("A payment is wrong or missing")
    ACCESS = "access", _("I could not use the service")
    OTHER = "other", _("Something else")


class Grievance(models.Model):
    reference = models.CharField(max_length=20, unique=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="grievances"
    )
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    program = models.ForeignKey(
        Program, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(max_length=20, choices=GrievanceCategory.choices)
    description = models.TextField()
    # the staff member the complaint is about, if any: they may not answer it
    about_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # changes only through civitas.casework.redress (see lifecycles.GRIEVANCE_TRANSITIONS)
    status = models.CharField(
        max_length=20, choices=GrievanceStatus.choices, default=GrievanceStatus.OPEN
    )
    created_at = models.DateTimeField()
    idempotency_key = models.CharField(max_length=100)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    response = models.TextField(blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["raised_by", "idempotency_key"], name="casework_grievance_idempotent"
            ),
            models.CheckConstraint(
                condition=models.Q(handled_by__isnull=True)
                | models.Q(about_staff__isnull=True)
                | ~models.Q(handled_by=models.F("about_staff")),
                name="casework_grievance_other_handler",
            ),
        ]

    def __str__(self) -> str:
        return self.reference
