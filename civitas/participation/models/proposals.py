"""Citizens' proposals, their supports and the official answer they can trigger."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from civitas.participation.lifecycles import ProposalStatus
from civitas.participation.models.consultations import Consultation
from civitas.registry.models import Person, Region


class Proposal(models.Model):
    consultation = models.ForeignKey(
        Consultation, null=True, blank=True, on_delete=models.CASCADE, related_name="proposals"
    )
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(max_length=150)
    body = models.TextField(max_length=4000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="participation_proposals"
    )
    # changes only through services.proposals (see lifecycles.PROPOSAL)
    status = models.CharField(max_length=20, choices=ProposalStatus.choices)
    public_reason = models.CharField(max_length=300, blank=True)
    support_count = models.PositiveIntegerField(default=0)
    support_threshold = models.PositiveIntegerField()
    answer = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    idempotency_key = models.CharField(max_length=100)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "idempotency_key"], name="participation_proposal_idempotent"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Support(models.Model):
    """One support per person: per account, and per registry person when the account is linked."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "user"], name="participation_support_once_per_account"
            ),
            models.UniqueConstraint(
                fields=["proposal", "person"],
                condition=models.Q(person__isnull=False),
                name="participation_support_once_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"support of proposal {self.proposal_id}"


class AnswerTask(models.Model):
    """The official answer owed on a proposal that reached its support threshold."""

    proposal = models.OneToOneField(Proposal, on_delete=models.CASCADE, related_name="answer_task")
    opened_at = models.DateTimeField()
    due_on = models.DateField()
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"answer owed on proposal {self.proposal_id} by {self.due_on}"
