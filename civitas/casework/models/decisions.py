"""Decisions on applications, with the rule they rest on and the four-eyes check."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from civitas.applications.models import Application
from civitas.casework.lifecycles import DecisionStatus
from civitas.casework.models.cases import Case
from civitas.programs.models import ProgramVersion


class Decision(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="decisions")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="+")
    approved = models.BooleanField()
    reason = models.TextField()
    rule_reference = models.CharField(max_length=300, blank=True)
    # the rules (and legal basis) the assessment behind this decision was computed with
    program_version = models.ForeignKey(ProgramVersion, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    # changes only through civitas.casework.services (see lifecycles.DECISION_TRANSITIONS)
    status = models.CharField(max_length=20, choices=DecisionStatus.choices)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField()
    needs_second_because = models.CharField(max_length=200, blank=True)
    second_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    second_at = models.DateTimeField(null=True, blank=True)
    second_note = models.TextField(blank=True)
    finalised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-proposed_at"]
        constraints = [
            # four eyes are two people: the database refuses a self-confirmed decision
            models.CheckConstraint(
                condition=models.Q(second_by__isnull=True)
                | ~models.Q(second_by=models.F("proposed_by")),
                name="casework_second_approver_differs",
            ),
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(status__in=["awaiting_second", "final"]),
                name="casework_one_live_decision",
            ),
        ]

    def __str__(self) -> str:
        return f"{'approve' if self.approved else 'reject'} {self.application_id} ({self.status})"
