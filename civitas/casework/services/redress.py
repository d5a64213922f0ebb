"""Appeals against decisions and complaints about the service.

Both go to their own queue. An appeal is decided by someone other than whoever took or confirmed
the original decision; a complaint is answered by someone other than the person it is about. The
database refuses it too (check constraints), and the person is told the outcome.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from civitas.applications.models import Application
from civitas.audit import services as audit
from civitas.casework.errors import ActionRefused
from civitas.casework.lifecycles import (
    ACTIVE_TASK_STATES,
    APPEAL_TRANSITIONS,
    GRIEVANCE_TRANSITIONS,
    AppealStatus,
    DecisionStatus,
    GrievanceStatus,
    TaskKind,
    TaskState,
    check,
)
from civitas.casework.models import Appeal, Case, Decision, EnrolmentSource, Grievance, Task
from civitas.casework.selectors.scope import can_decide
from civitas.casework.services.cases import finish_task, open_task, require_reach
from civitas.casework.services.enrolment import enrol
from civitas.notify import services as notify

APPEAL_DAYS = 30  # as the decision letter says
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _new_reference(prefix: str, model) -> str:
    while True:
        code = "".join(secrets.choice(_ALPHABET) for _ in range(8))
        reference = f"{prefix}-{code[:4]}-{code[4:]}"
        if not model.objects.filter(reference=reference).exists():
            return reference


def _tell(recipient, *, subject, body, sms, reference: str, actor) -> None:
    if recipient is None:
        return
    with translation.override(getattr(recipient, "preferred_language", "") or None):
        notify.queue_message(
            recipient=recipient,
            subject=str(subject()),
            body=str(body()),
            sms_text=str(sms()),
            reference=reference,
            actor=actor,
        )


def _owner(application: Application):
    return application.applicant or application.created_by


# --- appeals ----------------------------------------------------------------------------------------
def lodge_appeal(
    *, application: Application, appellant, grounds: str, idempotency_key: str
) -> Appeal:
    """The applicant contests the final decision on their application (within 30 days)."""
    existing = Appeal.objects.filter(appellant=appellant, idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    if not grounds.strip():
        raise ActionRefused(_("Enter why you think the decision is wrong"))
    if _owner(application) != appellant:
        raise PermissionDenied("only the applicant appeals")
    decision = (
        Decision.objects.filter(application=application, status=DecisionStatus.FINAL)
        .select_related("case")
        .first()
    )
    if decision is None:
        raise ActionRefused(_("There is no decision on this application to appeal."))
    if decision.finalised_at and timezone.now() > decision.finalised_at + timedelta(
        days=APPEAL_DAYS
    ):
        raise ActionRefused(
            _("The 30 days to appeal this decision have passed. You can still make a complaint.")
        )
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(
                reference=_new_reference("APL", Appeal),
                decision=decision,
                application=application,
                appellant=appellant,
                grounds=grounds.strip(),
                status=AppealStatus.LODGED,
                lodged_at=timezone.now(),
                idempotency_key=idempotency_key,
                original_decider=decision.proposed_by,
                original_second=decision.second_by,
            )
            open_task(TaskKind.APPEAL, actor=appellant, case=decision.case, appeal=appeal)
            audit.record(
                actor=appellant,
                action="casework:appeal:lodged",
                subject=appeal,
                after={"application": application.reference, "grounds": appeal.grounds},
            )
            _tell(
                appellant,
                subject=lambda: _("We have your appeal %(ref)s") % {"ref": appeal.reference},
                body=lambda: (
                    _(
                        "We have received your appeal against the decision on application %(app)s. "
                        "Someone who did not take the first decision will look at it again and tell "
                        "you the outcome.\n\nYour appeal reference is %(ref)s."
                    )
                    % {"app": application.reference, "ref": appeal.reference}
                ),
                sms=lambda: _("We received your appeal %(ref)s.") % {"ref": appeal.reference},
                reference=appeal.reference,
                actor=appellant,
            )
    except IntegrityError:
        existing = Appeal.objects.filter(
            appellant=appellant, idempotency_key=idempotency_key
        ).first()
        if existing is not None:
            return existing
        raise ActionRefused(
            _("An appeal against this decision is already being looked at.")
        ) from None
    return appeal


@transaction.atomic
def decide_appeal(*, appeal: Appeal, actor, upheld: bool, reason: str) -> Appeal:
    """Uphold (change the decision) or dismiss (it stands), with the reason; the appellant is told.
    Upholding an appeal against a refusal enrols the applicant."""
    if not can_decide(actor):
        raise PermissionDenied("only caseworkers and supervisors decide appeals")
    if not reason.strip():
        raise ActionRefused(_("Enter the reason"))
    locked = (
        Appeal.objects.select_for_update()
        .select_related("decision__case", "application")
        .get(pk=appeal.pk)
    )
    target = AppealStatus.UPHELD if upheld else AppealStatus.DISMISSED
    check(APPEAL_TRANSITIONS, AppealStatus, locked.status, target)
    if actor.pk in {locked.original_decider_id, locked.original_second_id}:
        raise ActionRefused(
            _("You took part in the original decision, so someone else must decide the appeal.")
        )
    case: Case = locked.decision.case
    require_reach(
        actor, program_id=case.program_id, region_id=case.region_id, office_id=case.office_id
    )
    locked.status = target
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.outcome_reason = reason.strip()
    locked.save(update_fields=["status", "decided_by", "decided_at", "outcome_reason"])
    for task in Task.objects.select_for_update().filter(
        appeal=locked, state__in=ACTIVE_TASK_STATES
    ):
        finish_task(task, TaskState.DONE, actor=actor, outcome=target)
    audit.record(
        actor=actor,
        action=f"casework:appeal:{target}",
        subject=locked,
        before={"status": AppealStatus.LODGED},
        after={"status": target, "reason": locked.outcome_reason},
    )
    if upheld and not locked.decision.approved:
        if case.person is None or case.household is None:
            raise ActionRefused(
                _(
                    "The applicant is not in the registry with a household, so they cannot be "
                    "enrolled. Register them first."
                )
            )
        enrol(
            person=case.person,
            household=case.household,
            program=case.program,
            source=EnrolmentSource.APPEAL,
            application=locked.application,
            account=str(locked.application.answers.get("bank_account", "")),
            actor=actor,
        )
    outcome = _("upheld") if upheld else _("dismissed")
    _tell(
        locked.appellant,
        subject=lambda: _("Outcome of your appeal %(ref)s") % {"ref": locked.reference},
        body=lambda: (
            _(
                "Your appeal %(ref)s against the decision on application %(app)s has been "
                "%(outcome)s.\n\nReason: %(reason)s"
            )
            % {
                "ref": locked.reference,
                "app": locked.application.reference,
                "outcome": outcome,
                "reason": locked.outcome_reason,
            }
        ),
        sms=lambda: (
            _("Your appeal %(ref)s has been %(outcome)s. Sign in to read why.")
            % {"ref": locked.reference, "outcome": outcome}
        ),
        reference=locked.reference,
        actor=actor,
    )
    return locked


# --- grievances -------------------------------------------------------------------------------------
def _about(application: Application | None):
    """Who a complaint about an application is about: whoever decided it, or is working on it."""
    if application is None:
        return None
    decision = Decision.objects.filter(application=application).order_by("-proposed_at").first()
    if decision is not None:
        return decision.proposed_by
    task = (
        Task.objects.filter(application=application, state__in=ACTIVE_TASK_STATES)
        .exclude(assignee=None)
        .select_related("assignee")
        .first()
    )
    return task.assignee if task else None


def raise_grievance(
    *, raised_by, category: str, description: str, idempotency_key: str, application=None
) -> Grievance:
    """A complaint about the service, about one of the person's applications or in general."""
    existing = Grievance.objects.filter(
        raised_by=raised_by, idempotency_key=idempotency_key
    ).first()
    if existing is not None:
        return existing
    if not description.strip():
        raise ActionRefused(_("Tell us what happened"))
    if application is not None and _owner(application) != raised_by:
        raise PermissionDenied("a complaint is about one's own application")
    case = Case.objects.filter(application=application).first() if application else None
    try:
        with transaction.atomic():
            grievance = Grievance.objects.create(
                reference=_new_reference("CMP", Grievance),
                raised_by=raised_by,
                application=application,
                program=application.program if application else None,
                region=case.region if case else None,
                category=category,
                description=description.strip(),
                about_staff=_about(application),
                status=GrievanceStatus.OPEN,
                created_at=timezone.now(),
                idempotency_key=idempotency_key,
            )
            open_task(
                TaskKind.GRIEVANCE,
                actor=raised_by,
                case=case,
                application=application,
                program=grievance.program,
                region=grievance.region,
                grievance=grievance,
            )
            audit.record(
                actor=raised_by,
                action="casework:grievance:raised",
                subject=grievance,
                after={
                    "category": category,
                    "application": application.reference if application else None,
                },
            )
            _tell(
                raised_by,
                subject=lambda: _("We have your complaint %(ref)s") % {"ref": grievance.reference},
                body=lambda: (
                    _(
                        "We have received your complaint. Someone will look into it and answer you. "
                        "Your complaint reference is %(ref)s."
                    )
                    % {"ref": grievance.reference}
                ),
                sms=lambda: _("We received your complaint %(ref)s.") % {"ref": grievance.reference},
                reference=grievance.reference,
                actor=raised_by,
            )
    except IntegrityError:
        existing = Grievance.objects.filter(
            raised_by=raised_by, idempotency_key=idempotency_key
        ).first()
        if existing is None:
            raise
        return existing
    return grievance


@transaction.atomic
def answer_grievance(*, grievance: Grievance, actor, resolved: bool, response: str) -> Grievance:
    if not can_decide(actor):
        raise PermissionDenied("only caseworkers and supervisors answer complaints")
    if not response.strip():
        raise ActionRefused(_("Enter the reason"))
    locked = Grievance.objects.select_for_update().get(pk=grievance.pk)
    target = GrievanceStatus.RESOLVED if resolved else GrievanceStatus.NOT_UPHELD
    check(GRIEVANCE_TRANSITIONS, GrievanceStatus, locked.status, target)
    if locked.about_staff_id == actor.pk:
        raise ActionRefused(_("This complaint is about you, so someone else must answer it."))
    task = (
        Task.objects.select_for_update()
        .filter(grievance=locked, state__in=ACTIVE_TASK_STATES)
        .first()
    )
    if task is not None:
        require_reach(
            actor, program_id=task.program_id, region_id=task.region_id, office_id=task.office_id
        )
        finish_task(task, TaskState.DONE, actor=actor, outcome=target)
    locked.status = target
    locked.handled_by = actor
    locked.response = response.strip()
    locked.resolved_at = timezone.now()
    locked.save(update_fields=["status", "handled_by", "response", "resolved_at"])
    audit.record(
        actor=actor,
        action=f"casework:grievance:{target}",
        subject=locked,
        before={"status": GrievanceStatus.OPEN},
        after={"status": target, "response": locked.response},
    )
    _tell(
        locked.raised_by,
        subject=lambda: _("Answer to your complaint %(ref)s") % {"ref": locked.reference},
        body=lambda: (
            _("We have looked into your complaint %(ref)s.\n\n%(response)s")
            % {"ref": locked.reference, "response": locked.response}
        ),
        sms=lambda: (
            _("We have answered your complaint %(ref)s. Sign in to read it.")
            % {"ref": locked.reference}
        ),
        reference=locked.reference,
        actor=actor,
    )
    return locked
