"""Opinion-map conversations: short statements that participants agree or disagree with."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civitas.participation.lifecycles import Contribution, OpenClosed
from civitas.participation.models.consultations import Consultation

STATEMENT_MAX = 280


class Conversation(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    topic = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    consultation = models.ForeignKey(
        Consultation, null=True, blank=True, on_delete=models.CASCADE, related_name="conversations"
    )
    # changes only through services.conversations (see lifecycles.CONVERSATION)
    status = models.CharField(max_length=10, choices=OpenClosed.choices, default=OpenClosed.DRAFT)
    participants_may_add = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)  # set by the closing transition

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.topic


class Statement(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="statements"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.CharField(max_length=STATEMENT_MAX)
    is_seed = models.BooleanField(default=False)  # written by the organisers to start the map
    # changes only through services.moderation (see lifecycles.CONTRIBUTION)
    status = models.CharField(max_length=12, choices=Contribution.choices)
    public_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    idempotency_key = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "text"], name="participation_statement_unique_text"
            ),
            models.UniqueConstraint(
                fields=["author", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="participation_statement_idempotent",
            ),
        ]

    def __str__(self) -> str:
        return self.text


class Opinion(models.IntegerChoices):
    AGREE = 1, _("Agree")
    DISAGREE = -1, _("Disagree")
    PASS = 0, _("Pass / unsure")


class StatementVote(models.Model):
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="votes")
    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    value = models.SmallIntegerField(choices=Opinion.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "participant"], name="participation_statement_vote_once"
            )
        ]

    def __str__(self) -> str:
        return f"vote {self.value} on statement {self.statement_id}"
