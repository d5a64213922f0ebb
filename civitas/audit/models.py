"""The audit trail: an append-only, hash-chained log of every write."""

from __future__ import annotations

from django.db import models


class AuditEvent(models.Model):
    """One write, recorded in the same transaction as the write itself.

    ``hash`` covers every field plus ``prev_hash``, so changing, inserting or deleting an event breaks
    the chain from that point on; ``civitas audit verify`` names the first broken link.
    """

    seq = models.BigIntegerField(unique=True, editable=False)
    occurred_at = models.DateTimeField(editable=False)
    actor_id = models.BigIntegerField(null=True, blank=True, editable=False)
    actor_label = models.CharField(max_length=200, blank=True, editable=False)
    # "source:subject:action", e.g. "applications:application:submitted" (grep-able, reportable)
    action = models.CharField(max_length=120, db_index=True, editable=False)
    subject_type = models.CharField(max_length=80, editable=False)
    subject_id = models.CharField(max_length=80, editable=False)
    before = models.JSONField(null=True, blank=True, editable=False)
    after = models.JSONField(null=True, blank=True, editable=False)
    context = models.JSONField(default=dict, blank=True, editable=False)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, unique=True, editable=False)

    class Meta:
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"]),
            # auditors search by who and by when
            models.Index(fields=["actor_label", "seq"], name="audit_actor_seq"),
            models.Index(fields=["occurred_at"], name="audit_occurred"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.subject_type}:{self.subject_id}"


class ChainHead(models.Model):
    """A single row that every writer locks to append to the chain, so the chain never forks.

    On PostgreSQL ``SELECT … FOR UPDATE`` on this row serialises appenders; on SQLite, immediate
    transactions already serialise all writers.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"chain head #{self.seq}"
