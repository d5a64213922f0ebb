"""The right of access, answered by the data-protection officer: everything Civitas holds about a
person in the registry (or an account without a registry record), as one JSON document.

A person with an account can already download their own data from "Your data" (``/my/data.json``,
``civitas.applications.selectors.personal_data_of``). This export starts from that same document
when there is an account, so what the office sends and what the person sees agree, and adds what
only the office reaches:

- the registry record in full: identifiers from source systems and household memberships;
- enrolments (with the payment account), entitlements and payments;
- for a person without an account, the registry record, the applications made about them and the
  consents recorded for them.

Each export is audited (``privacy:person:exported`` or ``privacy:account:exported``) with the
request's reference and the number of records per section, never the values.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from civitas.accounts.models import User
from civitas.applications.lifecycle import EXPLANATIONS
from civitas.applications.models import Application, Consent
from civitas.applications.selectors import personal_data_of
from civitas.audit import services as audit
from civitas.casework.models import Enrolment
from civitas.payments.models import Entitlement, Payment
from civitas.registry.models import Person
from civitas.registry.selectors import household_of, members_of, person_for_account


def _iso(value):
    return value.isoformat() if value is not None else None


def _person(person: Person) -> dict:
    return {
        "national_id": person.national_id,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "birth_date": _iso(person.birth_date),
        "sex": person.sex,
        "monthly_income": str(person.monthly_income),
        "pregnant": person.pregnant,
    }


def _household(person: Person) -> dict | None:
    """The household, with other members by name and role only (their details are theirs)."""
    household = household_of(person)
    if household is None:
        return None
    members = []
    for membership in members_of(household):
        if membership.person_id == person.pk:
            continue
        member = {
            "given_name": membership.person.given_name,
            "family_name": membership.person.family_name,
            "role": membership.role,
        }
        if membership.role == "child":
            member["birth_date"] = _iso(membership.person.birth_date)
        members.append(member)
    return {
        "reference": household.reference,
        "address": household.address,
        "region": household.region.name,
        "monthly_rent": str(household.monthly_rent),
        "other_members": members,
    }


def _application(application: Application) -> dict:
    assessment = application.pre_assessment or {}
    return {
        "reference": application.reference,
        "programme": application.program.name,
        "programme_version": application.program_version.number,
        "status": application.status,
        "status_explained": str(EXPLANATIONS.get(application.status, "")),
        "channel": application.channel,
        "made_by": str(application.created_by) if application.created_by else None,
        "created_at": _iso(application.created_at),
        "submitted_at": _iso(application.submitted_at),
        "decided_at": _iso(application.decided_at),
        "decision_reason": application.decision_reason,
        "answers": application.answers,
        "answers_from_registry": application.prefilled,
        "rules_assessment": {
            "headline": assessment.get("headline", ""),
            "why": [item.get("text", "") for item in assessment.get("why", [])],
            "references": assessment.get("references", []),
        }
        if assessment
        else None,
        "documents": [
            {
                "name": d.original_name,
                "format": d.file_format,
                "size": d.size,
                "sha256": d.sha256,
                "virus_scan": d.scan_status,
                "uploaded_at": _iso(d.uploaded_at),
            }
            for d in application.documents.all()
        ],
        "messages": [
            {
                "from": "office" if m.to_applicant else "applicant",
                "kind": m.kind,
                "body": m.body,
                "sent_at": _iso(m.created_at),
            }
            for m in application.case_messages.all()
        ],
    }


def _without_account(person: Person) -> dict:
    """What ``personal_data_of`` gives for an account, for a registry record that has none."""
    applications = (
        Application.objects.filter(person=person)
        .select_related("program", "program_version", "created_by")
        .prefetch_related("documents", "case_messages")
        .order_by("-created_at")
    )
    consents = (
        Consent.objects.filter(person=person)
        .select_related("program", "application", "recorded_by")
        .order_by("-given_at")
    )
    return {
        "generated_at": _iso(timezone.now()),
        "account": None,
        "registry": {"person": _person(person), "household": _household(person)},
        "applications": [_application(a) for a in applications],
        "messages": [],
        "consents": [
            {
                "purpose": c.purpose,
                "purpose_explained": c.get_purpose_display(),
                "method": c.method,
                "recorded_by": str(c.recorded_by) if c.recorded_by else None,
                "programme": c.program.name if c.program else None,
                "application": c.application.reference if c.application else None,
                "detail": c.detail,
                "given_at": _iso(c.given_at),
                "withdrawn_at": _iso(c.withdrawn_at),
            }
            for c in consents
        ],
    }


def _office_records(person: Person) -> dict:
    """What only the office sees: the registry record's links, enrolments, entitlements, payments."""
    return {
        "identifiers": [
            {"scheme": i.scheme, "value": i.value}
            for i in person.identifiers.order_by("scheme", "value")
        ],
        "memberships": [
            {"household": m.household.reference, "role": m.role}
            for m in person.memberships.select_related("household")
        ],
        "enrolments": [
            {
                "programme": e.program.name,
                "status": e.status,
                "source": e.source,
                "application": e.application.reference if e.application else None,
                "started_on": _iso(e.started_on),
                "ended_on": _iso(e.ended_on),
                "payment_channel": e.payment_channel,
                "account": e.account,
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
                "account": p.account,
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


def data_held(*, person: Person | None = None, user: User | None = None) -> dict:
    """Everything held about ``person`` (and their account, if any) or about ``user`` (an account
    without a registry record). Reads only; ``export`` is the audited way to hand it out."""
    if (person is None) == (user is None):
        raise ValueError("data_held: give a person or an account")
    if person is None:
        person = person_for_account(user)
    else:
        user = person.account
    data = personal_data_of(user) if user is not None else _without_account(person)
    if person is not None:
        data["registry_record"] = _office_records(person)
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
