"""The right of access, answered by the data-protection officer: everything Civitas holds about a
person in the registry (or an account without a registry record), as one JSON document.

There is one builder of that document, ``civitas.applications.selectors.personal_data_of``: the
person's own "Your data" download (``/my/data.json``) and this export are the same document, so
what the office sends and what the person sees agree. The applications layer builds what it and
the layers below it hold (account, registry record and household, applications, messages,
consents, ...); it may not import casework or payments, so this module, above them, plugs in
their sections with ``register_personal_data_sections``:

- ``enrolments``, ``entitlements`` and ``payments`` (``benefits_of``), in the person's own file
  and in this export alike, bank and mobile-money accounts masked in both (``masked_account``
  says why).

This export adds what only the office hands out, under ``registry_record``: identifiers from
source systems and household memberships. It has always given enrolments, entitlements and payments
there too, so they stay there (the same lists as the person's own file, not repeated at the top).

Each export is audited (``privacy:person:exported`` or ``privacy:account:exported``) with the
request's reference and the number of records per section, never the values.
"""

from __future__ import annotations

from django.db import transaction

from civitas.accounts.models import User
from civitas.applications.selectors import (
    masked_account,
    personal_data_of,
    register_personal_data_sections,
)
from civitas.audit import services as audit
from civitas.casework.models import Enrolment
from civitas.payments.models import Entitlement, Payment
from civitas.registry.models import Person
from civitas.registry.selectors import person_for_account

BENEFIT_SECTIONS = ("enrolments", "entitlements", "payments")


def _iso(value):
    return value.isoformat() if value is not None else None


def benefits_of(person: Person | None) -> dict[str, list]:
    """The person's enrolments (with the payment account, masked), entitlements and payments;
    empty lists for an account without a registry record."""
    if person is None:
        return {name: [] for name in BENEFIT_SECTIONS}
    return {
        "enrolments": [
            {
                "programme": e.program.name,
                "status": e.status,
                "source": e.source,
                "application": e.application.reference if e.application else None,
                "started_on": _iso(e.started_on),
                "ended_on": _iso(e.ended_on),
                "payment_channel": e.payment_channel,
                "account": masked_account(e.account),
            }
            for e in Enrolment.objects.filter(person=person)
            .select_related("program", "application")
            .order_by("-started_on", "-pk")
        ],
        "entitlements": [
            {
                "programme": e.cycle.program.name,
                "period": e.cycle.period,
                "eligible": e.eligible,
                "amount": str(e.amount),
            }
            for e in Entitlement.objects.filter(person=person)
            .select_related("cycle__program")
            .order_by("-cycle__period", "-pk")
        ],
        "payments": [
            {
                "programme": p.program.name,
                "period": p.period,
                "amount": str(p.amount),
                "channel": p.channel,
                "account": masked_account(p.account),
                "creditor_name": p.creditor_name,
                "status": p.status,
                "paid_at": _iso(p.paid_at),
                "failure_reason": p.failure_reason,
            }
            for p in Payment.objects.filter(person=person)
            .select_related("program")
            .order_by("-period", "-pk")
        ],
    }


def register() -> None:
    """Every personal_data_of document carries these sections: called when the apps are ready
    (OpsConfig.ready), so shells, commands and workers get them as requests do."""
    register_personal_data_sections("benefits", benefits_of)


def _office_records(person: Person, benefits: dict[str, list]) -> dict:
    """What only the office hands out: the registry record's identifiers and memberships, with
    the enrolments, entitlements and payments the person's own file holds too."""
    return {
        "identifiers": [
            {"scheme": i.scheme, "value": i.value}
            for i in person.identifiers.order_by("scheme", "value")
        ],
        "memberships": [
            {"household": m.household.reference, "role": m.role}
            for m in person.memberships.select_related("household")
        ],
        **benefits,
    }


def data_held(*, person: Person | None = None, user: User | None = None) -> dict:
    """Everything held about ``person`` (and their account, if any) or about ``user`` (an account
    without a registry record). Reads only; ``export`` is the audited way to hand it out."""
    if (person is None) == (user is None):
        raise ValueError("data_held: give a person or an account")
    if person is None:
        person = person_for_account(user)
    else:
        user = person.account
    data = personal_data_of(user, person=person)
    # this export has always given these sections under registry_record: keep them there only
    benefits = {name: data.pop(name) for name in BENEFIT_SECTIONS}
    if person is not None:
        data["registry_record"] = _office_records(person, benefits)
    return data


def _counts(data: dict) -> dict[str, int]:
    counts = {
        name: len(value)
        for name, value in data.items()
        if isinstance(value, list) and name != "activity"
    }
    for name, value in (data.get("registry_record") or {}).items():
        counts[name] = len(value)
    return dict(sorted(counts.items()))


def export(*, actor, reason: str, person: Person | None = None, user: User | None = None) -> dict:
    """``data_held``, for a subject access request named by ``reason`` (its reference: not
    personal data), recorded in the audit trail in the same transaction as the read."""
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("export: give the reference of the access request")
    with transaction.atomic():
        data = data_held(person=person, user=user)
        if person is not None:
            action, subject = "privacy:person:exported", ("registry.person", str(person.pk))
        else:
            action, subject = "privacy:account:exported", ("accounts.user", str(user.pk))
        event = audit.record(
            actor=actor,
            action=action,
            subject=subject,
            after={"request": reason[:200], "records": _counts(data)},
        )
    account = user if user is not None else person.account
    return {
        "request": {
            "reference": reason[:200],
            "registry_id": person.pk if person is not None else None,
            "account_id": account.pk if account is not None else None,
            "audit_event": event.seq,
        },
        **data,
    }
