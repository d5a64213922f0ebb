"""People's rights and helpers: correction requests, intermediaries, and applying on someone's
behalf (assisted digital) with their consent recorded."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from civitas.applications.models import (
    Application,
    Channel,
    Consent,
    ConsentMethod,
    ConsentPurpose,
    CorrectionRequest,
    CorrectionTopic,
    Intermediary,
)
from civitas.applications.selectors import can_apply_on_behalf
from civitas.applications.services.applying import SubmitOutcome, start_draft
from civitas.audit import services as audit
from civitas.notify import services as notify
from civitas.programs.models import Program
from civitas.registry.selectors import person_for_account


@transaction.atomic
def request_correction(*, user, topic: str, details: str) -> CorrectionRequest:
    """A person asks for something we hold about them to be corrected."""
    if topic not in CorrectionTopic.values:
        raise ValueError(_("Select what is wrong"))
    if not details.strip():
        raise ValueError(_("Enter what is wrong and what it should say"))
    request = CorrectionRequest.objects.create(
        user=user, person=person_for_account(user), topic=topic, details=details.strip()
    )
    audit.record(
        actor=user,
        action="applications:correction:requested",
        subject=request,
        after={"topic": topic, "details": request.details},
    )
    notify.queue_email(
        recipient=user,
        subject=_("We have your request for a correction"),
        body=_(
            "We have received your request to correct what we hold about you:\n\n%(details)s\n\n"
            "We will check it and tell you what we changed, usually within 30 days."
        )
        % {"details": request.details},
        actor=user,
    )
    return request


@transaction.atomic
def register_intermediary(*, actor, user, organisation: str) -> Intermediary:
    """Register someone to apply on people's behalf (an administrator's or supervisor's act)."""
    if not organisation.strip():
        raise ValueError(_("Enter the organisation the intermediary works for"))
    intermediary, created = Intermediary.objects.update_or_create(
        user=user,
        defaults={
            "organisation": organisation.strip(),
            "registered_by": actor if getattr(actor, "pk", None) else None,
            "active": True,
        },
    )
    audit.record(
        actor=actor,
        action="applications:intermediary:registered",
        subject=intermediary,
        after={"user": user.pk, "organisation": intermediary.organisation, "created": created},
    )
    return intermediary


def start_on_behalf(
    *,
    helper,
    person,
    program: Program,
    idempotency_key: str,
    consent_method: str,
    consent_detail: str = "",
) -> SubmitOutcome:
    """A caseworker or registered intermediary opens a draft for ``person`` (a registry record),
    recording the person's consent and that the application was made on their behalf."""
    if not can_apply_on_behalf(helper):
        raise PermissionDenied("Only caseworkers and registered intermediaries apply for others")
    if consent_method not in ConsentMethod.values or consent_method == ConsentMethod.ONLINE:
        raise ValueError(_("Select how the person gave their consent"))
    existing = Application.objects.filter(
        created_by=helper, idempotency_key=idempotency_key
    ).first()
    if existing is not None:
        return SubmitOutcome(existing, created=False)
    with transaction.atomic():
        outcome = start_draft(
            applicant=person.account,
            program=program,
            idempotency_key=idempotency_key,
            created_by=helper,
            person=person,
            channel=Channel.ASSISTED,
        )
        if outcome.created:
            consent = Consent.objects.create(
                purpose=ConsentPurpose.ASSISTED,
                user=person.account,
                person=person,
                recorded_by=helper,
                method=consent_method,
                program=program,
                application=outcome.application,
                detail=consent_detail.strip()[:300],
            )
            audit.record(
                actor=helper,
                action="applications:consent:given",
                subject=consent,
                after={
                    "purpose": consent.purpose,
                    "method": consent_method,
                    "application": outcome.application.reference,
                    "person": person.pk,
                },
            )
    return outcome
