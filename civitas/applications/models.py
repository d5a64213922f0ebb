"""Citizens' applications to a programme."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from civitas.applications.lifecycle import Status
from civitas.programs.models import Program, ProgramVersion
from civitas.registry.models import Person


class Application(models.Model):
    reference = models.CharField(max_length=20, unique=True)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications"
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="applications"
    )
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="applications")
    program_version = models.ForeignKey(ProgramVersion, on_delete=models.PROTECT)
    # status changes only through civitas.applications.services (see lifecycle.TRANSITIONS)
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.SUBMITTED)
    answers = models.JSONField(default=dict)
    pre_assessment = models.JSONField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=100)
    submitted_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [
            # a retried or double-clicked submission can never make a second application
            models.UniqueConstraint(
                fields=["applicant", "idempotency_key"], name="applications_idempotent_submit"
            ),
        ]
        indexes = [models.Index(fields=["status", "submitted_at"])]

    def __str__(self) -> str:
        return self.reference
