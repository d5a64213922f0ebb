"""Reads of consultations: the public list, one consultation, its impact and one's own change."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone

from civitas.participation import impact
from civitas.participation.lifecycles import PUBLIC_PHASES
from civitas.participation.models import Consultation, ImpactRun
from civitas.participation.permissions import can_manage
from civitas.registry.selectors import household_of, person_for_account


def public_consultations():
    return Consultation.objects.filter(phase__in=PUBLIC_PHASES).order_by("-created_at")


def consultations_for(user):
    if can_manage(user):
        return Consultation.objects.order_by("-created_at")
    return public_consultations()


def consultation_for(user, *, slug: str) -> Consultation:
    consultation = (
        consultations_for(user).select_related("program_version__program").filter(slug=slug).first()
    )
    if consultation is None:
        raise Http404("No such consultation")
    return consultation


def slug_taken(slug: str) -> bool:
    return Consultation.objects.filter(slug=slug).exists()


def consultations_for_staff(*, phases: list[str]):
    """Consultations in these phases, for staff choosing what a survey or map belongs to."""
    return Consultation.objects.filter(phase__in=phases).order_by("-created_at")[:50]


def latest_impact(consultation: Consultation) -> ImpactRun | None:
    return consultation.impact_runs.order_by("-computed_at", "-pk").first()


def household_change(consultation: Consultation, user) -> dict | None:
    """What the draft would change for the signed-in citizen's household, or None.

    Only for the person's own household, found through their registry link; nobody else's.
    """
    if consultation.program_version is None:
        return None
    person = person_for_account(user)
    if person is None:
        return None
    household = household_of(person)
    if household is None:
        return None
    try:
        change = impact.household_change(
            consultation.program_version,
            household_id=household.pk,
            variable=consultation.impact_variable,
            today=timezone.localdate(),
        )
    except impact.ImpactError:
        return None
    if change is not None:
        change["difference"] = round(change["after"] - change["before"], 2)
    return change
