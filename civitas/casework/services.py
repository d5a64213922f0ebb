"""Casework actions; the application's state changes through the applications services."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from civitas.accounts.models import Role
from civitas.applications import services as applications
from civitas.applications.lifecycle import Status
from civitas.applications.models import Application


@transaction.atomic
def decide(*, application: Application, approved: bool, reason: str, actor) -> Application:
    if not (actor.has_role(Role.CASEWORKER) or actor.has_role(Role.SUPERVISOR)):
        raise PermissionDenied("Only caseworkers and supervisors decide applications")
    if application.status == Status.SUBMITTED:
        application = applications.start_review(application=application, actor=actor)
    return applications.record_decision(
        application=application, approved=approved, reason=reason, actor=actor
    )
