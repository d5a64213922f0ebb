"""The one way to write to the audit trail."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.db import connection, models
from django.utils import timezone

from civitas.audit.chain import GENESIS, event_hash
from civitas.audit.models import AuditEvent, ChainHead
from civitas.db.prepared import insert


class AuditOutsideTransaction(RuntimeError):
    """Raised when a caller tries to audit a write that is not inside a transaction."""


def _jsonable(value: Any) -> Any:
    # Round-trip through JSON so what we hash is exactly what the database stores and returns.
    return None if value is None else json.loads(json.dumps(value, default=str))


def record(
    *,
    actor: Any,
    action: str,
    subject: models.Model | tuple[str, str],
    before: dict | None = None,
    after: dict | None = None,
    context: dict | None = None,
) -> AuditEvent:
    """Append one event to the chain. Must run inside the transaction of the write it records."""
    if not connection.in_atomic_block:
        raise AuditOutsideTransaction(f"{action}: audit events must be recorded inside the write")
    if isinstance(subject, models.Model):
        subject_type, subject_id = subject._meta.label_lower, str(subject.pk)
    else:
        subject_type, subject_id = subject
    actor_id = getattr(actor, "pk", None) if actor is not None else None
    label = actor_label(actor)
    head_seq, head_hash = _lock_head()
    seq = head_seq + 1
    occurred_at = timezone.now()
    before, after, context = _jsonable(before), _jsonable(after), _jsonable(context or {})
    digest = event_hash(
        prev_hash=head_hash,
        seq=seq,
        occurred_at=occurred_at,
        actor_id=actor_id,
        actor_label=label,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        before=before,
        after=after,
        context=context,
    )
    event = insert(  # every write passes here: its INSERT built once (civitas.db.prepared)
        AuditEvent(
            seq=seq,
            occurred_at=occurred_at,
            actor_id=actor_id,
            actor_label=label,
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            before=before,
            after=after,
            context=context,
            prev_hash=head_hash,
            hash=digest,
        )
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_head_table()} SET seq = %s, hash = %s WHERE id = 1",  # noqa: S608 - our table
            [seq, digest],
        )
    return event


def _head_table() -> str:
    return connection.ops.quote_name(ChainHead._meta.db_table)


def _lock_head() -> tuple[int, str]:
    """The chain head, locked until the transaction ends: ``SELECT … FOR UPDATE`` on PostgreSQL
    (appenders queue on this one row), and on SQLite the immediate transaction already holds the
    only write lock. One primary-key read, whatever the length of the trail. Plain SQL because
    every write in Civitas passes here and the ORM's query building cost more than the read."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT seq, hash FROM {_head_table()} WHERE id = 1{lock}")  # noqa: S608
        row = cursor.fetchone()
    if row is None:  # the very first event: make the head (a concurrent first writer waits)
        head, _ = ChainHead.objects.select_for_update().get_or_create(id=1)
        return head.seq, head.hash
    return row[0], row[1]


def actor_label(actor: Any) -> str:
    """How an actor is written in the trail: the account's email, a label, or "system"."""
    if actor is None:
        return "system"
    if isinstance(actor, str):
        return actor
    return getattr(actor, "email", "") or str(actor)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


def verify_chain(*, batch_size: int = 5000) -> VerifyResult:
    """Recompute every hash in order; report the first event whose link or content is wrong."""
    prev_hash = GENESIS
    expected_seq = 1
    checked = 0
    last_seq = 0
    while True:
        batch = list(AuditEvent.objects.filter(seq__gt=last_seq).order_by("seq")[:batch_size])
        if not batch:
            break
        for event in batch:
            if event.seq != expected_seq:
                return VerifyResult(
                    False, checked, expected_seq, f"event #{expected_seq} is missing"
                )
            if event.prev_hash != prev_hash:
                return VerifyResult(
                    False, checked, event.seq, "link to the previous event is broken"
                )
            digest = event_hash(
                prev_hash=event.prev_hash,
                seq=event.seq,
                occurred_at=event.occurred_at,
                actor_id=event.actor_id,
                actor_label=event.actor_label,
                action=event.action,
                subject_type=event.subject_type,
                subject_id=event.subject_id,
                before=event.before,
                after=event.after,
                context=event.context,
            )
            if digest != event.hash:
                return VerifyResult(False, checked, event.seq, "content does not match its hash")
            prev_hash = event.hash
            expected_seq += 1
            checked += 1
            last_seq = event.seq
    head = ChainHead.objects.filter(id=1).first()
    if head is not None and (head.seq != checked or head.hash != prev_hash):
        return VerifyResult(False, checked, checked + 1, "events after the last one were removed")
    return VerifyResult(True, checked)


def record_export(*, actor, filters: dict, what: str = "csv") -> AuditEvent:
    """Reading the trail in bulk leaves a trace of its own."""
    from django.db import transaction

    with transaction.atomic():
        return record(
            actor=actor,
            action="audit:trail:exported",
            subject=("audit.auditevent", "*"),
            after={"format": what, "filters": filters},
        )
