"""Reading the audit trail: auditors (and administrators) only, searched by who, what, which
subject and when, newest first, paged by sequence number so deep pages stay fast."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time

from django.utils import timezone

from civitas.audit.models import AuditEvent

TRAIL_ROLES = ("auditor", "administrator")
EXPORT_COLUMNS = [
    "seq",
    "occurred_at",
    "actor_id",
    "actor_label",
    "action",
    "subject_type",
    "subject_id",
    "before",
    "after",
    "context",
    "prev_hash",
    "hash",
]


def can_read_trail(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and any(
        user.has_role(role) for role in TRAIL_ROLES
    )


@dataclass
class TrailFilters:
    actor: str = ""  # exact: the email or label written in the trail
    action: str = ""  # prefix: "payments:" or "casework:decision:made"
    subject_type: str = ""  # exact, e.g. "applications.application"
    subject_id: str = ""
    since: date | None = None
    until: date | None = None

    def as_dict(self) -> dict:
        return {
            k: (v.isoformat() if isinstance(v, date) else v) for k, v in vars(self).items() if v
        }


def _day(value: date, end: bool) -> datetime:
    return timezone.make_aware(datetime.combine(value, time.max if end else time.min))


def events(filters: TrailFilters):
    found = AuditEvent.objects.all()
    if filters.actor:
        found = found.filter(actor_label=filters.actor.strip())
    if filters.action:
        found = found.filter(action__startswith=filters.action.strip())
    if filters.subject_type:
        found = found.filter(subject_type=filters.subject_type.strip())
    if filters.subject_id:
        found = found.filter(subject_id=filters.subject_id.strip())
    if filters.since:
        found = found.filter(occurred_at__gte=_day(filters.since, end=False))
    if filters.until:
        found = found.filter(occurred_at__lte=_day(filters.until, end=True))
    return found


def page(filters: TrailFilters, *, before: int | None = None, size: int = 50):
    """One page, newest first; ``before`` is the sequence number to continue below."""
    found = events(filters)
    if before is not None:
        found = found.filter(seq__lt=before)
    rows = list(found.order_by("-seq")[: size + 1])
    return rows[:size], (rows[size - 1].seq if len(rows) > size else None)


def csv_lines(filters: TrailFilters) -> Iterator[str]:
    """The matching events as CSV text, oldest first, streamed in chunks."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    yield buffer.getvalue()
    for event in events(filters).order_by("seq").iterator(chunk_size=2000):
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(
            [
                event.seq,
                event.occurred_at.isoformat(timespec="microseconds"),
                event.actor_id if event.actor_id is not None else "",
                event.actor_label,
                event.action,
                event.subject_type,
                event.subject_id,
                _json(event.before),
                _json(event.after),
                _json(event.context),
                event.prev_hash,
                event.hash,
            ]
        )
        yield buffer.getvalue()


def _json(value) -> str:
    from civitas.audit.chain import canonical

    return "" if value is None else canonical(value)
