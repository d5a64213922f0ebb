"""Retention: records kept only as long as their purpose needs, then purged by a scheduled job.

Each rule names a record type, how long it is kept and which of its rows may go. The periods are
settings (``CIVITAS_RETENTION_DAYS``), so a country sets them from its own law; the record of
processing activities (docs/privacy/ropa.md) lists them. Records the law requires to be kept
(decisions, payments, the audit trail) have no purge rule: they are never purged automatically.
Their legal periods are in ``LEGAL_DEFAULT_DAYS`` (``CIVITAS_LEGAL_RETENTION_DAYS``): a person's
erasure (``civitas.ops.erasure``) leaves them in place until their period has run.

``civitas purge`` runs every rule (``--dry-run`` counts only); ``purge_expired`` is the same as a
background task to schedule daily. Each run is recorded in the audit trail with its counts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks import task

from civitas.audit import services as audit

DEFAULT_DAYS = {
    "sessions": 0,  # expired sessions: gone as soon as they expire
    "signin_throttles": 2,  # failed sign-in counters, after the longest lock has ended
    "finished_tasks": 30,  # background task results (arguments may name people)
    "population_runs": 2,  # population partitions left behind by a failed run
    "stale_drafts": 365,  # application drafts never sent (answers may hold health data)
    "govstack_uploads": 2,  # files staged through the GovStack API and never attached
}


# Kept by law, counted from each record's last event; never purged, never erased before the end.
LEGAL_DEFAULT_DAYS = {
    "applications": 3650,  # sent applications, their cases and decisions: from the decision
    "enrolments": 3650,  # benefit enrolments: from the day they ended
    "payments": 3650,  # payments and entitlements: from the end of the month paid (finance law)
}


def legal_retention_days() -> dict[str, int]:
    return {**LEGAL_DEFAULT_DAYS, **getattr(settings, "CIVITAS_LEGAL_RETENTION_DAYS", {})}


@dataclass(frozen=True)
class Rule:
    name: str
    purpose: str
    expired: Callable[[timedelta], QuerySet | None]  # rows past retention (None: not a table)
    remove: Callable[[timedelta], int] | None = None  # for what is not a table (files)


def _sessions(age: timedelta):
    from django.contrib.sessions.models import Session

    return Session.objects.filter(expire_date__lt=timezone.now() - age)


def _throttles(age: timedelta):
    from civitas.security.models import SignInThrottle

    return SignInThrottle.objects.filter(updated_at__lt=timezone.now() - age)


def _tasks(age: timedelta):
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        status__in=["SUCCESSFUL", "FAILED"], finished_at__lt=timezone.now() - age
    )


def _population_files(age: timedelta) -> int:
    from django.core.files.storage import storages

    from civitas.ops.backup import walk
    from civitas.ops.population import PREFIX

    storage, removed, limit = storages["default"], 0, timezone.now() - age
    for name in list(walk(storage, f"{PREFIX}/")):
        try:
            modified = storage.get_modified_time(name)
        except (NotImplementedError, OSError):
            continue
        if modified < limit:
            storage.delete(name)
            removed += 1
    return removed


def _stale_drafts(age: timedelta) -> int:
    from django.core.files.storage import storages

    from civitas.applications.lifecycle import Status
    from civitas.applications.models import Application, Document

    with transaction.atomic():
        stale = Application.objects.filter(
            status=Status.DRAFT, updated_at__lt=timezone.now() - age
        ).select_for_update()
        ids = list(stale.values_list("pk", flat=True))
        files = list(Document.objects.filter(application__in=ids).values_list("file", flat=True))
        Application.objects.filter(pk__in=ids).delete()  # documents, messages, consents cascade

        def remove_files() -> None:
            for name in files:
                storages["default"].delete(name)

        transaction.on_commit(remove_files)
    return len(ids)


RULES = [
    Rule("sessions", "signed-in sessions", _sessions),
    Rule("signin_throttles", "failed sign-in counters", _throttles),
    Rule("finished_tasks", "results of background tasks", _tasks),
    Rule("population_runs", "files of population runs", lambda age: None, _population_files),
    Rule("stale_drafts", "application drafts never sent", lambda age: None, _stale_drafts),
    Rule(
        "govstack_uploads",
        "files staged by the GovStack API and never attached",
        lambda age: None,
        lambda age: _govstack_staging().purge_staged_uploads(age),
    ),
]


def _govstack_staging():
    from civitas.casework.govstack import staging

    return staging


def retention_days() -> dict[str, int]:
    return {**DEFAULT_DAYS, **getattr(settings, "CIVITAS_RETENTION_DAYS", {})}


def purge(*, dry_run: bool = False, actor: str = "retention") -> dict[str, int]:
    """Delete what is past its retention period; returns the count per rule."""
    days = retention_days()
    counts: dict[str, int] = {}
    for rule in RULES:
        age = timedelta(days=days[rule.name])
        rows = rule.expired(age)
        if rows is not None:
            if dry_run:
                counts[rule.name] = rows.count()
                continue
            with transaction.atomic():
                counts[rule.name] = rows.delete()[0]
        elif rule.remove is not None:
            counts[rule.name] = 0 if dry_run else rule.remove(age)
    if not dry_run:
        with transaction.atomic():
            audit.record(
                actor=actor,
                action="ops:retention:purged",
                subject=("ops.retention", timezone.now().date().isoformat()),
                after={"counts": counts, "days": days},
            )
    return counts


@task()
def purge_expired() -> dict[str, int]:
    return purge()
