"""A case as staff see it: only within their scope; "missing" and "not yours" are the same 404."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from civitas.applications.models import Application
from civitas.casework.lifecycles import ACTIVE_TASK_STATES, DecisionStatus, TaskKind
from civitas.casework.models import Case, Decision, Enrolment, Task
from civitas.casework.selectors.scope import can_see_cases, reach_of
from civitas.registry.models import DuplicateFlag, DuplicateStatus
from civitas.registry.selectors import members_of


def case_for(user, *, reference: str) -> Case:
    """The case of application ``reference`` if ``user`` may see it, else 404."""
    if not can_see_cases(user):
        raise Http404("No such case")
    reach = reach_of(user)
    case = (
        Case.objects.filter(application__reference=reference)
        .filter(reach.q())
        .select_related(
            "application__program",
            "application__program_version",
            "application__applicant",
            "application__created_by",
            "application__person",
            "household__region",
            "region",
            "office",
        )
        .first()
    )
    if case is None:
        raise Http404("No such case")
    return case


def application_reference_exists(reference: str) -> Application | None:
    """The application with ``reference`` (for intake only; never shown without ``case_for``)."""
    return (
        Application.objects.filter(reference=reference).select_related("program", "person").first()
    )


@dataclass
class CaseView:
    case: Case
    tasks: list[Task]
    live_review: Task | None
    live_second: Task | None
    decisions: list[Decision]
    pending_decision: Decision | None
    final_decision: Decision | None
    members: list
    duplicates: list[DuplicateFlag]
    same_programme: list[Application]
    enrolments: list[Enrolment]


def case_view(case: Case) -> CaseView:
    tasks = list(case.tasks.select_related("assignee", "completed_by").order_by("created_at", "pk"))
    live = {t.kind: t for t in tasks if t.state in ACTIVE_TASK_STATES}
    decisions = list(
        case.decisions.select_related("proposed_by", "second_by").order_by("-proposed_at")
    )
    person = case.person
    duplicates = []
    same_programme = []
    enrolments = []
    if person is not None:
        duplicates = list(
            DuplicateFlag.objects.filter(status=DuplicateStatus.OPEN)
            .filter(person=person)
            .select_related("other")
            | DuplicateFlag.objects.filter(
                status=DuplicateStatus.OPEN, other=person
            ).select_related("person")
        )
        same_programme = list(
            Application.objects.filter(person=person, program=case.program)
            .exclude(pk=case.application_id)
            .exclude(status="draft")
            .order_by("-submitted_at")[:10]
        )
        enrolments = list(
            Enrolment.objects.filter(person=person)
            .select_related("program")
            .order_by("-created_at")
        )
    return CaseView(
        case=case,
        tasks=tasks,
        live_review=live.get(TaskKind.REVIEW),
        live_second=live.get(TaskKind.SECOND_APPROVAL),
        decisions=decisions,
        pending_decision=next(
            (d for d in decisions if d.status == DecisionStatus.AWAITING_SECOND), None
        ),
        final_decision=next((d for d in decisions if d.status == DecisionStatus.FINAL), None),
        members=members_of(case.household) if case.household else [],
        duplicates=duplicates,
        same_programme=same_programme,
        enrolments=enrolments,
    )


def case_history(case: Case, *, limit: int = 300) -> list:
    """Every audited event about the case: the application, the case, its tasks and decisions."""
    from django.db.models import Q

    from civitas.audit.models import AuditEvent

    decisions = [str(pk) for pk in case.decisions.values_list("pk", flat=True)]
    tasks = [str(pk) for pk in case.tasks.values_list("pk", flat=True)]
    about = (
        Q(subject_type=Application._meta.label_lower, subject_id=str(case.application_id))
        | Q(subject_type=Case._meta.label_lower, subject_id=str(case.pk))
        | Q(subject_type=Decision._meta.label_lower, subject_id__in=decisions)
        | Q(subject_type=Task._meta.label_lower, subject_id__in=tasks)
    )
    return list(AuditEvent.objects.filter(about).order_by("seq")[:limit])


def colleagues_of(user, *, limit: int = 200) -> list:
    """Staff who may be given tasks by ``user``: caseworkers and supervisors, the user's own office
    first when they have one."""
    from civitas.accounts.models import Role, User

    people = User.objects.filter(
        is_active=True, is_staff=True, groups__name__in=[Role.CASEWORKER, Role.SUPERVISOR]
    ).distinct()
    scope = getattr(user, "staff_scope", None) if hasattr(user, "staff_scope") else None
    home = getattr(scope, "home_office_id", None)
    if home is not None:
        people = people.filter(staff_scope__home_office_id=home)
    return list(people.order_by("full_name", "email")[:limit])
