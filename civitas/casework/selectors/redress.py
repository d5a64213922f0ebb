"""Appeals and complaints: staff see them within their scope, a citizen sees only their own."""

from __future__ import annotations

from django.http import Http404

from civitas.casework.models import Appeal, Decision, Grievance, Task
from civitas.casework.selectors.scope import can_see_cases, reach_of


def _in_reach(user, **task_filter) -> bool:
    if not can_see_cases(user):
        return False
    return Task.objects.filter(**task_filter).filter(reach_of(user).q()).exists()


def appeal_for_staff(user, *, reference: str) -> Appeal:
    appeal = (
        Appeal.objects.filter(reference=reference)
        .select_related(
            "application__program",
            "decision__proposed_by",
            "decision__second_by",
            "appellant",
            "decided_by",
        )
        .first()
    )
    if appeal is None or not _in_reach(user, appeal=appeal):
        raise Http404("No such appeal")
    return appeal


def grievance_for_staff(user, *, reference: str) -> Grievance:
    grievance = (
        Grievance.objects.filter(reference=reference)
        .select_related("application__program", "raised_by", "about_staff", "handled_by")
        .first()
    )
    if grievance is None or not _in_reach(user, grievance=grievance):
        raise Http404("No such complaint")
    return grievance


def appeals_of(user):
    return Appeal.objects.filter(appellant=user).select_related("application__program")


def grievances_of(user):
    return Grievance.objects.filter(raised_by=user).select_related("application__program")


def final_decision_of(application) -> Decision | None:
    return (
        Decision.objects.filter(application=application, status="final")
        .select_related("case__household__region", "case__office", "application__program")
        .first()
    )
