"""Erasure of a person's data, where the law allows it (the right to erasure).

What may go and what must stay is decided per record type:

- **Drafts** (applications never sent, with their documents and consents) and the **account**
  (email, name, password, authenticator app, recovery codes, eID links, sessions, API tokens) are
  under no legal duty: they always go. A staff account is never erased this way.
- **Sent applications, enrolments and payments** are kept by law for the periods in
  ``civitas.ops.retention.LEGAL_DEFAULT_DAYS`` (``CIVITAS_LEGAL_RETENTION_DAYS``), counted from the
  decision, the end of the enrolment, the month paid. While any runs, the registry record they
  concern stays as it is (the outcome is *restricted*, with the date each hold ends).
- When no hold is left, the registry record goes with its memberships and identifiers
  (*erased*); if other records still point at it (an expired decision, a ballot), it is kept as a
  pseudonym instead: names, national ID and health data replaced, date of birth cut to the year,
  and the answers and documents of its expired applications removed (*pseudonymised*).
- An application being decided or a live enrolment refuses the erasure: nothing changes, and the
  message says what to finish first.

Every erasure is one transaction with one audit event that names the record by id only and counts
what was removed and kept; files are deleted after commit. The audit trail itself is never
rewritten (its entries carry ids and counts, not the erased values).
"""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.sessions.models import Session
from django.core.files.storage import storages
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from civitas.accounts.models import ExternalIdentity, RecoveryCode, TOTPDevice, User
from civitas.applications.lifecycle import OPEN_STATES, Status
from civitas.applications.models import ApiToken, Application, Consent, Document
from civitas.audit import services as audit
from civitas.casework.models import Enrolment
from civitas.casework.models.enrolment import LIVE_ENROLMENT
from civitas.ops.retention import legal_retention_days
from civitas.payments.models import Entitlement, Payment
from civitas.registry.models import Person

ERASED_NAME = "—"


class ErasureRefused(Exception):
    """The erasure cannot happen now; the message says why and what to do first."""


@dataclass
class ErasureOutcome:
    outcome: str  # "erased", "pseudonymised", "restricted", "account_erased"
    removed: dict[str, int] = field(default_factory=dict)
    kept: dict[str, dict] = field(default_factory=dict)  # rule -> {"count", "until"}
    dry_run: bool = False
    audit_seq: int | None = None  # the audit event that records it (None for a dry run)

    def summary(self) -> dict:
        return {"outcome": self.outcome, "removed": self.removed, "kept": self.kept}


def _until(last: date | datetime | None, days: int) -> date:
    if last is None:
        return date.max
    day = last.date() if isinstance(last, datetime) else last
    return day + timedelta(days=days)


def _month_end(period: str) -> date:
    year, month = (int(part) for part in period.split("-"))
    first_next = date(year + month // 12, month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def legal_holds(person: Person, *, today: date | None = None) -> dict[str, dict]:
    """The records about ``person`` still under a legal retention duty, per rule, with the day
    the last of them may go. Raises ``ErasureRefused`` for work still in progress."""
    today = today or timezone.now().date()
    days = legal_retention_days()
    holds: dict[str, dict] = {}

    def hold(rule: str, until: date) -> None:
        if until > today:
            entry = holds.setdefault(rule, {"count": 0, "until": until})
            entry["count"] += 1
            entry["until"] = max(entry["until"], until)

    sent = Application.objects.filter(person=person).exclude(status=Status.DRAFT)
    if sent.filter(status__in=OPEN_STATES).exists():
        raise ErasureRefused(
            _("An application of this person is being decided: decide or withdraw it first.")
        )
    for decided, updated in sent.values_list("decided_at", "updated_at"):
        hold("applications", _until(decided or updated, days["applications"]))
    enrolments = Enrolment.objects.filter(person=person)
    if enrolments.filter(status__in=LIVE_ENROLMENT).exists():
        raise ErasureRefused(_("This person is enrolled in a programme: end the enrolment first."))
    for ended, started in enrolments.values_list("ended_on", "started_on"):
        hold("enrolments", _until(ended or started, days["enrolments"]))
    periods = set(Payment.objects.filter(person=person).values_list("period", flat=True))
    periods |= set(
        Entitlement.objects.filter(person=person).values_list("cycle__period", flat=True)
    )
    for period in periods:
        hold("payments", _until(_month_end(period), days["payments"]))
    return {rule: {**h, "until": h["until"].isoformat()} for rule, h in holds.items()}


def _drafts(person: Person | None, user: User | None):
    who = Q(pk__in=[])
    if person is not None:
        who |= Q(person=person)
    if user is not None:
        who |= Q(applicant=user) | Q(created_by=user, person__isnull=True)
    return Application.objects.filter(who, status=Status.DRAFT)


def _remove_applications(applications, removed: Counter, files: list[str]) -> None:
    """Delete applications with their documents (files after commit), messages and consents."""
    files.extend(
        Document.objects.filter(application__in=applications).values_list("file", flat=True)
    )
    removed["documents"] += Document.objects.filter(application__in=applications).count()
    removed["drafts"] += applications.count()
    applications.delete()


def _erase_account(user: User, removed: Counter) -> None:
    if user.is_staff or user.groups.exists():
        raise ErasureRefused(_("Staff accounts are closed by the administrator, not erased."))
    if Application.objects.filter(applicant=user, status__in=OPEN_STATES).exists():
        raise ErasureRefused(
            _("An application of this account is being decided: decide or withdraw it first.")
        )
    for name, rows in (
        ("authenticator_apps", TOTPDevice.objects.filter(user=user)),
        ("recovery_codes", RecoveryCode.objects.filter(user=user)),
        ("eid_links", ExternalIdentity.objects.filter(user=user)),
        ("api_tokens", ApiToken.objects.filter(user=user)),
        ("consents", Consent.objects.filter(user=user, application__isnull=True)),
    ):
        removed[name] += rows.delete()[0]
    removed["sessions"] += _end_sessions(user)
    user.email = f"erased-{user.pk}-{secrets.token_hex(4)}@erased.invalid"
    user.full_name = ""
    user.email_verified_at = None
    user.is_active = False
    user.set_unusable_password()
    user.save()
    removed["accounts"] += 1


def _end_sessions(user: User) -> int:
    ended = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            ended.append(session.pk)
    return Session.objects.filter(pk__in=ended).delete()[0]


def _pseudonymise(person: Person, removed: Counter, files: list[str]) -> None:
    expired = Application.objects.filter(person=person).exclude(status=Status.DRAFT)
    files.extend(Document.objects.filter(application__in=expired).values_list("file", flat=True))
    removed["documents"] += Document.objects.filter(application__in=expired).delete()[0]
    for application in expired:
        if application.answers:
            application.answers = {}
            application.save(update_fields=["answers"])
            removed["answers"] += 1
    removed["memberships"] += person.memberships.all().delete()[0]
    removed["identifiers"] += person.identifiers.all().delete()[0]
    person.given_name = person.family_name = ERASED_NAME
    person.national_id = f"ERASED-{person.pk}"
    person.birth_date = date(person.birth_date.year, 1, 1)
    person.pregnant = False
    person.account = None
    person.save()


def erase_person(*, person: Person, actor, reason: str, dry_run: bool = False) -> ErasureOutcome:
    """Erase what the law allows of ``person`` (and of their account); see the module docstring.

    ``reason`` names the request (a reference, not personal data); it goes in the audit trail.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ErasureRefused(_("Give the reference of the erasure request (--reason)."))
    files: list[str] = []
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        holds = legal_holds(person)
        removed: Counter = Counter()
        account = person.account
        drafts = _drafts(person, account)
        _remove_applications(drafts, removed, files)
        if account is not None:
            _erase_account(account, removed)
        removed["consents"] += Consent.objects.filter(
            person=person, application__isnull=True
        ).delete()[0]
        if holds:
            outcome = "restricted"
        else:
            try:
                with transaction.atomic():
                    removed["memberships"] += person.memberships.count()
                    removed["identifiers"] += person.identifiers.count()
                    person_pk = person.pk
                    person.delete()
                    person.pk = person_pk
                outcome = "erased"
                removed["registry_records"] += 1
            except ProtectedError:
                removed["memberships"] = removed["identifiers"] = 0
                _pseudonymise(person, removed, files)
                outcome = "pseudonymised"
        result = ErasureOutcome(outcome, dict(sorted(removed.items())), holds, dry_run)
        event = audit.record(
            actor=actor,
            action=f"privacy:person:{outcome}",
            subject=("registry.person", str(person.pk)),
            after={**result.summary(), "request": reason[:200]},
        )
        if dry_run:
            transaction.set_rollback(True)
            return result
        result.audit_seq = event.seq
        transaction.on_commit(lambda: _delete_files(files))
    return result


def erase_account(*, user: User, actor, reason: str, dry_run: bool = False) -> ErasureOutcome:
    """Erase an account that has no registry record (an account with a person: ``erase_person``)."""
    reason = (reason or "").strip()
    if not reason:
        raise ErasureRefused(_("Give the reference of the erasure request (--reason)."))
    if Person.objects.filter(account=user).exists():
        raise ErasureRefused(_("This account belongs to a registry record: erase the person."))
    files: list[str] = []
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        removed: Counter = Counter()
        _remove_applications(_drafts(None, user), removed, files)
        _erase_account(user, removed)
        result = ErasureOutcome("account_erased", dict(sorted(removed.items())), {}, dry_run)
        event = audit.record(
            actor=actor,
            action="privacy:account:erased",
            subject=("accounts.user", str(user.pk)),
            after={**result.summary(), "request": reason[:200]},
        )
        if dry_run:
            transaction.set_rollback(True)
            return result
        result.audit_seq = event.seq
        transaction.on_commit(lambda: _delete_files(files))
    return result


@dataclass
class ErasurePreview:
    """What an erasure would do now (``outcome``), or why it cannot happen yet (``refused``)."""

    outcome: ErasureOutcome | None = None
    refused: str = ""


def preview_erasure(
    *, actor, person: Person | None = None, user: User | None = None
) -> ErasurePreview:
    """What ``erase_person`` (or, for an account without a registry record, ``erase_account``)
    would do now, changing nothing: a dry run.

    Showing it reveals what is held about someone, so the look is itself audited
    (``privacy:person:viewed`` or ``privacy:account:viewed``, ids and counts only), also when the
    erasure would be refused. The dry run's own event is rolled back with the rest of it."""
    if (person is None) == (user is None):
        raise ValueError("preview_erasure: give a person or an account")
    if person is not None:
        kind, subject = "person", ("registry.person", str(person.pk))
    else:
        kind, subject = "account", ("accounts.user", str(user.pk))
    with transaction.atomic():
        try:
            if person is not None:
                outcome = erase_person(person=person, actor=actor, reason="preview", dry_run=True)
            else:
                outcome = erase_account(user=user, actor=actor, reason="preview", dry_run=True)
        except ErasureRefused as exc:
            preview = ErasurePreview(refused=str(exc))
        else:
            preview = ErasurePreview(outcome=outcome)
        audit.record(
            actor=actor,
            action=f"privacy:{kind}:viewed",
            subject=subject,
            after={
                "what": "erasure dry run",
                "would_be": preview.outcome.outcome if preview.outcome else "refused",
            },
        )
    return preview


def _delete_files(names: list[str]) -> None:
    storage = storages["default"]
    for name in names:
        if name:
            storage.delete(name)
