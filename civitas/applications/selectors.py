"""Reads of applications, always through who is asking: "missing" and "not yours" look the same."""

from __future__ import annotations

from django.http import Http404

from civitas.applications.models import Application


def applications_of(user):
    return (
        Application.objects.filter(applicant=user)
        .select_related("program")
        .order_by("-submitted_at")
    )


def application_for_applicant(*, user, reference: str) -> Application:
    application = applications_of(user).filter(reference=reference).first()
    if application is None:
        raise Http404("No such application")
    return application
