"""Every change to an application: one function per action, audited in its transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civitas.applications.lifecycle import Status, check_transition
from civitas.applications.models import Application
from civitas.applications.references import new_reference
from civitas.audit import services as audit
from civitas.notify import services as notify
from civitas.programs.models import Program
from civitas.programs.selectors import version_in_force
from civitas.registry.selectors import person_for_account


@dataclass(frozen=True)
class SubmitOutcome:
    application: Application
    created: bool  # False when the same idempotency key was replayed


def submit_application(
    *,
    applicant,
    program: Program,
    answers: dict[str, Any],
    idempotency_key: str,
    pre_assessment: dict | None = None,
) -> SubmitOutcome:
    """Create and submit an application; replaying the same key returns the first one unchanged."""
    existing = Application.objects.filter(
        applicant=applicant, idempotency_key=idempotency_key
    ).first()
    if existing is not None:
        return SubmitOutcome(existing, created=False)
    version = version_in_force(program)
    try:
        with transaction.atomic():
            application = Application.objects.create(
                reference=new_reference(),
                applicant=applicant,
                person=person_for_account(applicant),
                program=program,
                program_version=version,
                status=Status.SUBMITTED,
                answers=answers,
                pre_assessment=pre_assessment,
                idempotency_key=idempotency_key,
                submitted_at=timezone.now(),
            )
            audit.record(
                actor=applicant,
                action="applications:application:submitted",
                subject=application,
                after={
                    "reference": application.reference,
                    "program": program.slug,
                    "version": version.number,
                    "answers": answers,
                },
            )
            notify.queue_email(
                recipient=applicant,
                subject=_("Application received: %(ref)s") % {"ref": application.reference},
                body=_(
                    "We have received your application for %(program)s.\n\n"
                    "Your reference number is %(ref)s. Keep it: you will need it if you contact "
                    "us.\n\nWhat happens next: %(next)s"
                )
                % {
                    "program": program.name,
                    "ref": application.reference,
                    "next": program.what_happens_next,
                },
                reference=application.reference,
                actor=applicant,
            )
    except IntegrityError:
        # A concurrent request with the same key won the race: return its application.
        existing = Application.objects.filter(
            applicant=applicant, idempotency_key=idempotency_key
        ).first()
        if existing is None:
            raise
        return SubmitOutcome(existing, created=False)
    return SubmitOutcome(application, created=True)


def _transition(application: Application, *, target: str, actor, reason: str = "") -> Application:
    locked = Application.objects.select_for_update().get(pk=application.pk)
    check_transition(locked.status, target)
    before = {"status": locked.status}
    locked.status = target
    if target in {Status.APPROVED, Status.REJECTED}:
        locked.decided_at = timezone.now()
        locked.decision_reason = reason
    locked.save(update_fields=["status", "decided_at", "decision_reason"])
    audit.record(
        actor=actor,
        action=f"applications:application:{target}",
        subject=locked,
        before=before,
        after={"status": target, "reason": reason},
    )
    return locked


@transaction.atomic
def start_review(*, application: Application, actor) -> Application:
    return _transition(application, target=Status.UNDER_REVIEW, actor=actor)


@transaction.atomic
def record_decision(*, application: Application, approved: bool, reason: str, actor) -> Application:
    """Approve or reject with a reason, and tell the applicant (the email goes after commit)."""
    if not reason.strip():
        raise ValueError(_("Enter the reason for the decision"))
    target = Status.APPROVED if approved else Status.REJECTED
    decided = _transition(application, target=target, actor=actor, reason=reason)
    outcome = _("approved") if approved else _("not approved")
    notify.queue_email(
        recipient=decided.applicant,
        subject=_("Decision on your application %(ref)s") % {"ref": decided.reference},
        body=_(
            "Your application %(ref)s for %(program)s has been %(outcome)s.\n\nReason: %(reason)s"
            "\n\nYou can read the decision in your account."
        )
        % {
            "ref": decided.reference,
            "program": decided.program.name,
            "outcome": outcome,
            "reason": reason,
        },
        reference=decided.reference,
        actor=actor,
    )
    return decided


@transaction.atomic
def withdraw(*, application: Application, actor) -> Application:
    return _transition(application, target=Status.WITHDRAWN, actor=actor)
