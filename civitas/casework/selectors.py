"""What staff may see: the queue and a case, only within their role."""

from __future__ import annotations

from django.http import Http404

from civitas.accounts.models import Role
from civitas.applications.lifecycle import OPEN_STATES
from civitas.applications.models import Application

CASE_ROLES = (Role.CASEWORKER, Role.SUPERVISOR, Role.AUDITOR)


def can_see_cases(user) -> bool:
    return any(user.has_role(role) for role in CASE_ROLES)


def queue_for(user, *, status: str | None = None):
    if not can_see_cases(user):
        return Application.objects.none()
    cases = Application.objects.select_related("program", "applicant")
    cases = cases.filter(status=status) if status else cases.filter(status__in=OPEN_STATES)
    return cases.order_by("submitted_at")


def case_for(user, *, reference: str) -> Application:
    if not can_see_cases(user):
        raise Http404("No such case")
    application = (
        Application.objects.select_related("program", "applicant", "person", "program_version")
        .filter(reference=reference)
        .first()
    )
    if application is None:
        raise Http404("No such case")
    return application
