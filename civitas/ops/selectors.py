"""Reads for the data-protection officer's pages (``/staff/privacy/``): who may use them, finding
the person or account a request is about, and the record of an erasure.

Only administrators handle data-subject requests. Anyone else asking for one of these objects gets
the same 404 as for one that does not exist."""

from __future__ import annotations

from django.http import Http404

from civitas.accounts.models import Role, User
from civitas.audit.models import AuditEvent
from civitas.registry.models import Person

PRIVACY_ROLES = (Role.ADMINISTRATOR,)
ERASURE_ACTIONS = (
    "privacy:person:erased",
    "privacy:person:pseudonymised",
    "privacy:person:restricted",
    "privacy:account:erased",
)


def can_handle_privacy_requests(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and any(
        user.has_role(role) for role in PRIVACY_ROLES
    )


def require_privacy_officer(user) -> None:
    if not can_handle_privacy_requests(user):
        raise Http404("Not found")


def person_by_national_id(number: str) -> Person | None:
    number = (number or "").strip()
    if not number:
        return None
    return Person.objects.with_national_id(number).select_related("account").first()


def account_by_email(email: str) -> User | None:
    email = (email or "").strip()
    if not email:
        return None
    return User.objects.filter(email__iexact=email).first()


def person_for_officer(user, pk: int) -> Person:
    require_privacy_officer(user)
    person = Person.objects.select_related("account").filter(pk=pk).first()
    if person is None:
        raise Http404("Not found")
    return person


def account_for_officer(user, pk: int) -> User:
    require_privacy_officer(user)
    account = User.objects.filter(pk=pk).first()
    if account is None:
        raise Http404("Not found")
    return account


def erasure_record(user, seq: int) -> AuditEvent:
    """The audit event of one erasure: what the confirmation page shows (ids and counts only)."""
    require_privacy_officer(user)
    event = AuditEvent.objects.filter(seq=seq, action__in=ERASURE_ACTIONS).first()
    if event is None:
        raise Http404("Not found")
    return event
