"""Casework on applications: intake, assignment, information requests, decisions, four-eyes.

The application's own status changes only through ``civitas.applications.services``; what the back
office adds (cases, tasks, decisions with their rule, enrolment) changes here, in the same
transaction, with its audit event.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from civitas.accounts.models import User
from civitas.applications import services as applications
from civitas.applications.lifecycle import OPEN_STATES, Status, add_working_days, check_transition
from civitas.applications.models import Application
from civitas.audit import services as audit
from civitas.audit.models import AuditEvent
from civitas.casework.eligibility import assess_application, money
from civitas.casework.errors import ActionRefused
from civitas.casework.lifecycles import (
    ACTIVE_TASK_STATES,
    DECISION_TRANSITIONS,
    TASK_TRANSITIONS,
    DecisionStatus,
    TaskKind,
    TaskState,
    check,
)
from civitas.casework.models import Case, Decision, EnrolmentSource, OfficeRotation, Task, TimeLimit
from civitas.casework.selectors.scope import can_decide, is_supervisor, reach_of
from civitas.casework.services.enrolment import enrol
from civitas.registry.models import Office
from civitas.registry.selectors import household_of
from civitas.registry.services import flag_similar

INTAKE_OVERLAP = timedelta(hours=1)  # late commits still caught by the next intake
DEFAULT_DAYS = {TaskKind.SECOND_APPROVAL: 3, TaskKind.APPEAL: 20, TaskKind.GRIEVANCE: 15}


# --- time limits ------------------------------------------------------------------------------------
def days_allowed(program, kind: str) -> int:
    """Working days for a step: a programme's own limit, else the default row, else the code's
    default; a review takes the programme's service standard (``decision_days``)."""
    limits = {
        (row.program_id, row.kind): row.days
        for row in TimeLimit.objects.filter(kind=kind).only("program_id", "kind", "days")
    }
    program_id = getattr(program, "pk", None)
    if (program_id, kind) in limits:
        return limits[(program_id, kind)]
    if kind == TaskKind.REVIEW and program is not None:
        return program.decision_days
    if (None, kind) in limits:
        return limits[(None, kind)]
    return DEFAULT_DAYS.get(kind, 10)


def due_after(start: datetime, days: int) -> datetime:
    """The end of the working day ``days`` working days after ``start``."""
    local = timezone.localtime(start)
    day = add_working_days(local.date(), days)
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


# --- intake -----------------------------------------------------------------------------------------
def _place(person):
    household = household_of(person) if person is not None else None
    region = household.region if household is not None else None
    office = (
        Office.objects.filter(region=region).order_by("code").first()
        if region is not None
        else None
    )
    return household, region, office


def open_case(*, application: Application, actor=None) -> Case:
    """The case of ``application``, opened with its review task the first time it is asked for."""
    existing = Case.objects.filter(application=application).first()
    if existing is not None:
        return existing
    if application.status == Status.DRAFT or application.submitted_at is None:
        raise ActionRefused(_("This application has not been sent yet."))
    household, region, office = _place(application.person)
    opened_at = application.submitted_at or timezone.now()
    try:
        with transaction.atomic():
            case = Case.objects.create(
                application=application,
                program=application.program,
                person=application.person,
                household=household,
                region=region,
                office=office,
                opened_at=opened_at,
            )
            if application.status in OPEN_STATES:
                Task.objects.create(
                    kind=TaskKind.REVIEW,
                    state=TaskState.OPEN,
                    queue=Task.queue_for(TaskKind.REVIEW),
                    case=case,
                    application=application,
                    program=application.program,
                    region=region,
                    office=office,
                    created_at=opened_at,
                    due_at=due_after(opened_at, days_allowed(application.program, TaskKind.REVIEW)),
                )
            else:
                case.closed_at = application.decided_at or timezone.now()
                case.save(update_fields=["closed_at"])
            if application.person is not None:
                flag_similar(
                    [application.person], found_during=f"application {application.reference}"
                )
            audit.record(
                actor=actor,
                action="casework:case:opened",
                subject=case,
                after={
                    "application": application.reference,
                    "program": application.program.slug,
                    "region": region.code if region else None,
                    "office": office.code if office else None,
                },
            )
    except IntegrityError:
        # another request opened it at the same moment
        return Case.objects.get(application=application)
    return case


def take_in_new_applications(*, actor=None, limit: int = 500, everything: bool = False) -> int:
    """Open cases for sent applications that have none yet, and catch up with what applicants did
    (answered a request for information, withdrew). Cheap when there is nothing to do: it looks
    only at applications sent since the newest case (``everything`` sweeps them all)."""
    pending = Application.objects.filter(
        status__in=OPEN_STATES, submitted_at__isnull=False, case__isnull=True
    )
    if not everything:
        latest = Case.objects.aggregate(latest=Max("opened_at"))["latest"]
        if latest is not None:
            pending = pending.filter(submitted_at__gte=latest - INTAKE_OVERLAP)
    opened = 0
    for application in pending.select_related("program", "person").order_by("submitted_at")[:limit]:
        open_case(application=application, actor=actor)
        opened += 1
    _catch_up_waiting(actor=actor)
    return opened


def _catch_up_waiting(*, actor) -> None:
    waiting = Task.objects.filter(kind=TaskKind.REVIEW, state=TaskState.WAITING).exclude(
        application__status=Status.INFORMATION_REQUESTED
    )
    for task in waiting.select_related("application"):
        with transaction.atomic():
            locked = Task.objects.select_for_update().get(pk=task.pk)
            if locked.state != TaskState.WAITING:
                continue
            if task.application.status == Status.UNDER_REVIEW:
                _resume(locked, at=_answered_at(task.application, locked.paused_at), actor=actor)
            else:
                finish_task(
                    locked, TaskState.CANCELLED, actor=actor, outcome=task.application.status
                )


def _answered_at(application: Application, since) -> datetime:
    event = (
        AuditEvent.objects.filter(
            subject_type=Application._meta.label_lower,
            subject_id=str(application.pk),
            action=f"applications:application:{Status.UNDER_REVIEW}",
            occurred_at__gte=since,
        )
        .order_by("seq")
        .values_list("occurred_at", flat=True)
        .first()
    )
    return event or timezone.now()


# --- tasks ------------------------------------------------------------------------------------------
def live_task(case: Case, kind: str, *, lock: bool = True) -> Task | None:
    tasks = Task.objects.filter(case=case, kind=kind, state__in=ACTIVE_TASK_STATES)
    if lock:
        tasks = tasks.select_for_update()
    return tasks.first()


def finish_task(task: Task, target: str, *, actor, outcome: str) -> Task:
    """Close a live task as done or cancelled (it leaves its queue)."""
    check(TASK_TRANSITIONS, TaskState, task.state, target)
    before = {"state": task.state}
    task.state = target
    task.queue = ""
    task.completed_at = timezone.now()
    task.completed_by = actor if isinstance(actor, User) else None
    task.outcome = outcome[:40]
    task.save(update_fields=["state", "queue", "completed_at", "completed_by", "outcome"])
    audit.record(
        actor=actor,
        action=f"casework:task:{target}",
        subject=task,
        before=before,
        after={"state": target, "kind": task.kind, "outcome": outcome},
    )
    return task


def _pause(task: Task, *, actor) -> Task:
    check(TASK_TRANSITIONS, TaskState, task.state, TaskState.WAITING)
    task.state = TaskState.WAITING
    task.paused_at = timezone.now()
    task.save(update_fields=["state", "paused_at"])
    audit.record(
        actor=actor,
        action="casework:task:paused",
        subject=task,
        before={"state": TaskState.OPEN},
        after={"state": TaskState.WAITING, "due_at": task.due_at},
    )
    return task


def _resume(task: Task, *, at: datetime, actor) -> Task:
    """Back to open; the time limit moves forward by the time spent waiting for the applicant."""
    check(TASK_TRANSITIONS, TaskState, task.state, TaskState.OPEN)
    waited = max(at - task.paused_at, timedelta(0)) if task.paused_at else timedelta(0)
    before = {"state": task.state, "due_at": task.due_at}
    task.state = TaskState.OPEN
    task.due_at = task.due_at + waited
    task.paused_at = None
    task.save(update_fields=["state", "due_at", "paused_at"])
    audit.record(
        actor=actor,
        action="casework:task:resumed",
        subject=task,
        before=before,
        after={"state": TaskState.OPEN, "due_at": task.due_at, "paused_days": waited.days},
    )
    return task


def open_task(
    kind: str,
    *,
    actor,
    case: Case | None = None,
    application: Application | None = None,
    program=None,
    region=None,
    office=None,
    appeal=None,
    grievance=None,
    assignee=None,
) -> Task:
    """A new live task in its queue, due after the step's time limit."""
    if case is not None:
        application = application or case.application
        program, region, office = case.program, case.region, case.office
    now = timezone.now()
    task = Task.objects.create(
        kind=kind,
        state=TaskState.OPEN,
        queue=Task.queue_for(kind),
        case=case,
        application=application,
        appeal=appeal,
        grievance=grievance,
        program=program,
        region=region,
        office=office,
        assignee=assignee,
        created_at=now,
        due_at=due_after(now, days_allowed(program, kind)),
    )
    audit.record(
        actor=actor,
        action="casework:task:opened",
        subject=task,
        after={
            "kind": kind,
            "application": application.reference if application else None,
            "assignee": getattr(assignee, "email", None),
        },
    )
    return task


def _new_task(case: Case, kind: str, *, assignee=None, actor) -> Task:
    return open_task(kind, actor=actor, case=case, assignee=assignee)


def require_reach(actor, *, program_id, region_id, office_id) -> None:
    if not reach_of(actor).covers(program_id=program_id, region_id=region_id, office_id=office_id):
        raise PermissionDenied("outside the staff member's scope")


def _may_work_on(user, task: Task) -> bool:
    if task.kind == TaskKind.SECOND_APPROVAL and not is_supervisor(user):
        return False
    if not can_decide(user):
        return False
    return reach_of(user).covers(
        program_id=task.program_id, region_id=task.region_id, office_id=task.office_id
    )


@transaction.atomic
def assign_tasks(*, tasks: list[Task], assignee, actor) -> int:
    """Give ``tasks`` to ``assignee`` (None: nobody). Anyone who decides may take tasks for
    themselves; giving them to others, or taking them away, is a supervisor's job."""
    if assignee != actor and not is_supervisor(actor):
        raise ActionRefused(_("Only a supervisor can give tasks to someone else."))
    ids = [t.pk for t in tasks]
    locked = list(Task.objects.select_for_update().filter(pk__in=ids, state__in=ACTIVE_TASK_STATES))
    if len(locked) != len(ids):
        raise ActionRefused(_("Some of the selected tasks are finished; reload the queue."))
    if assignee is not None:
        refused = [t for t in locked if not _may_work_on(assignee, t)]
        if refused:
            raise ActionRefused(
                _("%(name)s cannot work on %(count)s of the selected tasks (role or scope).")
                % {"name": assignee, "count": len(refused)}
            )
    Task.objects.filter(pk__in=ids).update(assignee=assignee)
    audit.record(
        actor=actor,
        action="casework:tasks:assigned",
        subject=("casework.task", ",".join(str(t.public_id) for t in locked)[:80]),
        after={
            "assignee": getattr(assignee, "email", None),
            "tasks": [str(t.public_id) for t in locked],
        },
    )
    return len(locked)


def office_staff(office: Office, kind: str = TaskKind.REVIEW) -> list[User]:
    """Staff sitting in ``office`` who can take tasks of ``kind``, in a stable order."""
    people = (
        User.objects.filter(staff_scope__home_office=office, is_active=True, is_staff=True)
        .order_by("pk")
        .distinct()
    )
    role_check = is_supervisor if kind == TaskKind.SECOND_APPROVAL else can_decide
    return [user for user in people if role_check(user)]


@transaction.atomic
def auto_assign(*, office: Office, actor, limit: int = 1000) -> dict[str, int]:
    """Share the office's unassigned open tasks among its staff in turn (round-robin), each task
    going to the next person whose role and scope allow it. Returns tasks given per person."""
    if not is_supervisor(actor):
        raise ActionRefused(_("Only a supervisor can share out an office's tasks."))
    rotation, _created = OfficeRotation.objects.select_for_update().get_or_create(office=office)
    given: dict[str, int] = {}
    last = rotation.last_assignee_id
    tasks = list(
        Task.objects.select_for_update()
        .filter(office=office, assignee__isnull=True, state__in=ACTIVE_TASK_STATES)
        .order_by("created_at", "pk")[:limit]
    )
    staff_by_kind = {kind: office_staff(office, kind) for kind in {t.kind for t in tasks}}
    assignments: dict[int, list[int]] = {}
    for task in tasks:
        staff = staff_by_kind.get(task.kind, [])
        if not staff:
            continue
        start = next((i + 1 for i, u in enumerate(staff) if u.pk == last), 0)
        for step in range(len(staff)):
            candidate = staff[(start + step) % len(staff)]
            if _may_work_on(candidate, task):
                assignments.setdefault(candidate.pk, []).append(task.pk)
                given[candidate.email] = given.get(candidate.email, 0) + 1
                last = candidate.pk
                break
    for user_id, task_ids in assignments.items():
        Task.objects.filter(pk__in=task_ids).update(assignee_id=user_id)
    rotation.last_assignee_id = last
    rotation.save(update_fields=["last_assignee"])
    audit.record(
        actor=actor,
        action="casework:tasks:auto_assigned",
        subject=("registry.office", str(office.pk)),
        after={"office": office.code, "given": given},
    )
    return given


# --- information requests -----------------------------------------------------------------------
def _case_to_work_on(application: Application, actor) -> Case:
    if not can_decide(actor):
        raise PermissionDenied("only caseworkers and supervisors work on cases")
    case = open_case(application=application, actor=actor)
    require_reach(
        actor, program_id=case.program_id, region_id=case.region_id, office_id=case.office_id
    )
    return case


@transaction.atomic
def request_information(*, application: Application, actor, message: str) -> Task:
    """Ask the applicant for more information: they are told, and the clock stops until they
    answer (or the caseworker records that the answer came another way)."""
    if not message.strip():
        raise ActionRefused(_("Enter what information you need"))
    case = _case_to_work_on(application, actor)
    task = live_task(case, TaskKind.REVIEW)
    if task is None or task.state != TaskState.OPEN:
        raise ActionRefused(_("This case is not waiting for a review, so nothing can be asked."))
    applications.request_information(application=application, actor=actor, body=message)
    return _pause(task, actor=actor)


@transaction.atomic
def information_received(*, application: Application, actor) -> Task:
    """The applicant's answer is in (through the portal, or by post or phone): the clock runs."""
    case = _case_to_work_on(application, actor)
    task = live_task(case, TaskKind.REVIEW)
    if task is None or task.state != TaskState.WAITING:
        raise ActionRefused(_("This case is not waiting for the applicant."))
    current = Application.objects.get(pk=application.pk)
    if current.status == Status.INFORMATION_REQUESTED:
        applications.start_review(application=current, actor=actor)
        at = timezone.now()
    else:
        at = _answered_at(current, task.paused_at)
    return _resume(task, at=at, actor=actor)


# --- decisions ----------------------------------------------------------------------------------
def four_eyes_reason(
    *, application: Application, actor, approved: bool, amount: Decimal | None, eligible
) -> str:
    """Why an approval needs a supervisor's second approval ("" when it does not)."""
    if not approved:
        return ""
    if application.created_by_id is not None and application.created_by_id == actor.pk:
        return _("The person approving entered the application's data.")
    if amount is None:
        return _("The rules could not work out the amount.")
    if amount > Decimal(settings.CIVITAS_FOUR_EYES_AMOUNT):
        return _("The amount is above %(limit)s a month.") % {
            "limit": settings.CIVITAS_FOUR_EYES_AMOUNT
        }
    if eligible is False:
        return _("The approval goes against the rules' assessment.")
    return ""


def decide(
    *, application: Application, approved: bool, reason: str, actor, rule_reference: str = ""
) -> Decision:
    """Approve or reject with a reason citing the rule. An approval that needs four eyes waits
    for a supervisor; otherwise it is final at once: the applicant is told and, when approved,
    enrolled. Refused with the reason when the application's state does not allow it."""
    if not can_decide(actor):
        raise PermissionDenied("Only caseworkers and supervisors decide applications")
    if not reason.strip():
        raise ActionRefused(_("Enter the reason for the decision"))
    with transaction.atomic():
        current = Application.objects.select_for_update().get(pk=application.pk)
        check_transition(current.status, Status.APPROVED if approved else Status.REJECTED)
        case = _case_to_work_on(current, actor)
        if Decision.objects.filter(
            application=current, status=DecisionStatus.AWAITING_SECOND
        ).exists():
            raise ActionRefused(_("A decision on this application is waiting for approval."))
        task = live_task(case, TaskKind.REVIEW)
        if current.status == Status.SUBMITTED:
            current = applications.start_review(application=current, actor=actor)
        assessment = assess_application(current, person=case.person) or {}
        amount = money(assessment.get("amount")) if assessment else None
        eligible = assessment.get("eligible") if assessment else None
        why = four_eyes_reason(
            application=current, actor=actor, approved=approved, amount=amount, eligible=eligible
        )
        rule_reference = rule_reference.strip() or cited_rule(
            assessment, approved=approved, legal_basis=current.program_version.legal_basis
        )
        now = timezone.now()
        decision = Decision.objects.create(
            case=case,
            application=current,
            approved=approved,
            reason=reason.strip(),
            rule_reference=rule_reference.strip()[:300],
            program_version_id=current.program_version_id,
            amount=amount if approved else None,
            currency=(assessment.get("currency") or settings.CIVITAS_CURRENCY)[:3],
            status=DecisionStatus.AWAITING_SECOND if why else DecisionStatus.FINAL,
            proposed_by=actor,
            proposed_at=now,
            needs_second_because=why[:200],
        )
        audit.record(
            actor=actor,
            action="casework:decision:proposed" if why else "casework:decision:made",
            subject=decision,
            after={
                "application": current.reference,
                "approved": approved,
                "reason": decision.reason,
                "rule": decision.rule_reference,
                "program_version": current.program_version.number,
                "amount": amount,
                "second_approval_because": why,
            },
        )
        if why:
            if task is not None:
                finish_task(task, TaskState.DONE, actor=actor, outcome="proposed")
            _new_task(case, TaskKind.SECOND_APPROVAL, actor=actor)
        else:
            _finalise(decision, application=current, actor=actor, task=task)
    return decision


def cited_rule(assessment: dict, *, approved: bool, legal_basis: str) -> str:
    """The rule a decision rests on when the caseworker did not pick one: for a refusal the first
    condition that failed, otherwise the eligibility rule, else the programme's legal basis."""
    if not approved:
        for item in assessment.get("why", []):  # the eligibility rule's own conditions first
            if item.get("level") == 0 and item.get("held") is False and item.get("reference"):
                return item["reference"]
    references = assessment.get("references") or []
    return references[0] if references else legal_basis


def full_reason(decision: Decision) -> str:
    if not decision.rule_reference:
        return decision.reason
    return (
        decision.reason + "\n\n" + _("Rule applied: %(rule)s") % {"rule": decision.rule_reference}
    )


def _finalise(decision: Decision, *, application: Application, actor, task: Task | None) -> None:
    applications.record_decision(
        application=application,
        approved=decision.approved,
        reason=full_reason(decision),
        actor=actor,
    )
    decision.status = DecisionStatus.FINAL
    decision.finalised_at = timezone.now()
    decision.save(update_fields=["status", "finalised_at", "second_by", "second_at", "second_note"])
    outcome = "approved" if decision.approved else "rejected"
    if task is not None:
        finish_task(task, TaskState.DONE, actor=actor, outcome=outcome)
    case = decision.case
    for other in Task.objects.select_for_update().filter(case=case, state__in=ACTIVE_TASK_STATES):
        finish_task(other, TaskState.DONE, actor=actor, outcome=outcome)
    Case.objects.filter(pk=case.pk).update(closed_at=decision.finalised_at)
    if decision.approved:
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
            source=EnrolmentSource.APPLICATION,
            application=application,
            account=str(application.answers.get("bank_account", "")),
            actor=actor,
        )


@transaction.atomic
def confirm_decision(*, decision: Decision, actor, agree: bool, note: str = "") -> Decision:
    """The second pair of eyes: a supervisor other than the one who proposed the decision (and
    other than whoever entered the data) confirms it, or returns it with a note."""
    if not is_supervisor(actor):
        raise ActionRefused(_("Only a supervisor can give the second approval."))
    locked = (
        Decision.objects.select_for_update()
        .select_related("case", "application")
        .get(pk=decision.pk)
    )
    target = DecisionStatus.FINAL if agree else DecisionStatus.RETURNED
    check(DECISION_TRANSITIONS, DecisionStatus, locked.status, target)
    if locked.proposed_by_id == actor.pk:
        raise ActionRefused(_("The second approval must come from someone else."))
    if locked.application.created_by_id == actor.pk:
        raise ActionRefused(_("You entered this application's data, so you cannot approve it."))
    case = locked.case
    require_reach(
        actor, program_id=case.program_id, region_id=case.region_id, office_id=case.office_id
    )
    if not agree and not note.strip():
        raise ActionRefused(_("Say why you return the decision."))
    locked.second_by = actor
    locked.second_at = timezone.now()
    locked.second_note = note.strip()
    task = live_task(case, TaskKind.SECOND_APPROVAL)
    audit.record(
        actor=actor,
        action="casework:decision:confirmed" if agree else "casework:decision:returned",
        subject=locked,
        before={"status": DecisionStatus.AWAITING_SECOND},
        after={"status": target, "note": locked.second_note},
    )
    if agree:
        _finalise(locked, application=locked.application, actor=actor, task=task)
    else:
        locked.status = DecisionStatus.RETURNED
        locked.save(update_fields=["status", "second_by", "second_at", "second_note"])
        if task is not None:
            finish_task(task, TaskState.DONE, actor=actor, outcome="returned")
        _new_task(case, TaskKind.REVIEW, assignee=locked.proposed_by, actor=actor)
    return locked


@transaction.atomic
def record_document_read(*, actor: User, document) -> None:
    """A member of staff opened a document of a case (a payslip, a medical certificate): reads of
    such evidence are kept in the trail, by document id and requirement, never its content."""
    audit.record(
        actor=actor,
        action="casework:document:read",
        subject=document,
        after={"application": document.application.reference, "requirement": document.requirement},
    )
