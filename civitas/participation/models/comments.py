"""Threaded comments, endorsements, reports and the public moderation log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civitas.participation.lifecycles import Contribution
from civitas.participation.models.consultations import Consultation
from civitas.participation.models.proposals import Proposal

MAX_DEPTH = 3  # a reply to a reply to a comment; deeper replies attach to the third level


class Comment(models.Model):
    """A comment on a consultation or on a proposal (exactly one of the two)."""

    consultation = models.ForeignKey(
        Consultation, null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    proposal = models.ForeignKey(
        Proposal, null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    depth = models.PositiveSmallIntegerField(default=0)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="participation_comments"
    )
    body = models.TextField(max_length=2000)
    # changes only through services.moderation (see lifecycles.CONTRIBUTION)
    status = models.CharField(max_length=12, choices=Contribution.choices)
    public_reason = models.CharField(max_length=300, blank=True)
    endorsement_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    idempotency_key = models.CharField(max_length=100)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(consultation__isnull=False, proposal__isnull=True)
                | models.Q(consultation__isnull=True, proposal__isnull=False),
                name="participation_comment_one_thread",
            ),
            models.UniqueConstraint(
                fields=["author", "idempotency_key"], name="participation_comment_idempotent"
            ),
        ]
        indexes = [
            models.Index(fields=["author", "created_at"]),
            models.Index(fields=["status", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"comment {self.pk} ({self.status})"


class Endorsement(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="endorsements")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "user"], name="participation_endorse_once")
        ]

    def __str__(self) -> str:
        return f"endorsement of comment {self.comment_id}"


class ContentKind(models.TextChoices):
    COMMENT = "comment", _("Comment")
    PROPOSAL = "proposal", _("Proposal")
    STATEMENT = "statement", _("Statement")


class ReportReason(models.TextChoices):
    SPAM = "spam", _("Spam or advertising")
    ABUSE = "abuse", _("Abusive, hateful or threatening")
    PERSONAL_DATA = "personal_data", _("It shares someone's personal information")
    OFF_TOPIC = "off_topic", _("Not about this subject")
    OTHER = "other", _("Something else")


class Report(models.Model):
    """Someone asked a moderator to look at a contribution."""

    kind = models.CharField(max_length=12, choices=ContentKind.choices)
    object_id = models.PositiveBigIntegerField()
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(max_length=20, choices=ReportReason.choices)
    details = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id", "reporter"], name="participation_report_once"
            )
        ]
        indexes = [models.Index(fields=["resolved_at", "kind"])]

    def __str__(self) -> str:
        return f"report on {self.kind} {self.object_id}"


class ModerationAction(models.TextChoices):
    APPROVE = "approve", _("Published after review")
    REJECT = "reject", _("Not published after review")
    HIDE = "hide", _("Hidden")
    RESTORE = "restore", _("Restored")
    DISMISS = "dismiss", _("Reports dismissed")


class ModerationEntry(models.Model):
    """The public moderation log: what was done to which contribution, and the public reason.

    The moderator is kept for the audit trail and staff, not shown to the public.
    """

    kind = models.CharField(max_length=12, choices=ContentKind.choices)
    object_id = models.PositiveBigIntegerField()
    action = models.CharField(max_length=10, choices=ModerationAction.choices)
    public_reason = models.CharField(max_length=300, blank=True)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.kind} {self.object_id}"
