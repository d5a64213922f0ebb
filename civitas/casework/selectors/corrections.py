"""Citizens' requests for correction ("ask us to correct it" in My data), as staff see them.

A request belongs to the place the person lives: staff whose scope covers the person's household's
region (or an office in it) see it; staff with the whole country see every request, including
those of people the registry does not know yet. Only staff who decide (caseworkers, supervisors)
handle them; for anyone else a request is as missing as one that does not exist.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from civitas.applications.models import CorrectionRequest, CorrectionStatus
from civitas.casework.selectors.scope import can_decide, reach_of


def _visible_to(user) -> QuerySet[CorrectionRequest]:
    requests = CorrectionRequest.objects.select_related("user", "person")
    if not can_decide(user):
        return requests.none()
    reach = reach_of(user)
    if reach.is_empty:
        return requests.none()
    if reach.regions is None:
        return requests
    return requests.filter(
        Q(person__memberships__household__region_id__in=reach.regions)
        | Q(person__memberships__household__region__offices__in=reach.offices)
    ).distinct()


def corrections_queue(user, *, show: str = "open") -> QuerySet[CorrectionRequest]:
    """Open requests oldest first (``show="resolved"``: the dealt-with ones, newest first)."""
    requests = _visible_to(user)
    if show == "resolved":
        return requests.filter(status=CorrectionStatus.RESOLVED).order_by("-resolved_at", "-pk")
    return requests.filter(status=CorrectionStatus.OPEN).order_by("created_at", "pk")


def correction_for_staff(user, *, pk: int) -> CorrectionRequest:
    request = _visible_to(user).filter(pk=pk).first()
    if request is None:
        raise Http404("No such request")
    return request
