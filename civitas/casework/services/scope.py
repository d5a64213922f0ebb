"""Setting a staff member's scope: programmes, regions, offices and home office."""

from __future__ import annotations

from django.db import transaction

from civitas.audit import services as audit
from civitas.casework.models import StaffScope


def _describe(scope: StaffScope) -> dict:
    return {
        "all_programmes": scope.all_programmes,
        "programs": sorted(scope.programs.values_list("slug", flat=True)),
        "whole_country": scope.whole_country,
        "regions": sorted(scope.regions.values_list("code", flat=True)),
        "offices": sorted(scope.offices.values_list("code", flat=True)),
        "home_office": scope.home_office.code if scope.home_office else None,
    }


@transaction.atomic
def set_scope(
    *,
    user,
    actor,
    all_programmes: bool = False,
    programs=(),
    whole_country: bool = False,
    regions=(),
    offices=(),
    home_office=None,
) -> StaffScope:
    """Replace ``user``'s scope. Without any programme or place they see no cases at all."""
    scope, created = StaffScope.objects.select_for_update().get_or_create(user=user)
    before = None if created else _describe(scope)
    scope.all_programmes = all_programmes
    scope.whole_country = whole_country
    scope.home_office = home_office
    scope.save()
    scope.programs.set(programs)
    scope.regions.set(regions)
    scope.offices.set(offices)
    user._casework_reach = None  # a cached reach on this object is now stale
    audit.record(
        actor=actor,
        action="casework:scope:set",
        subject=scope,
        before=before,
        after={"user": user.email, **_describe(scope)},
    )
    return scope


@transaction.atomic
def set_time_limit(*, actor, kind: str, program, days: int):
    """Working days allowed for a step, for one programme or (``program`` None) for all."""
    from civitas.casework.models import TimeLimit

    if days < 1 or days > 365:
        raise ValueError("a time limit is between 1 and 365 working days")
    limit = TimeLimit.objects.select_for_update().filter(kind=kind, program=program).first()
    before = {"days": limit.days} if limit else None
    if limit is None:
        limit = TimeLimit.objects.create(kind=kind, program=program, days=days)
    else:
        limit.days = days
        limit.save(update_fields=["days"])
    audit.record(
        actor=actor,
        action="casework:time_limit:set",
        subject=limit,
        before=before,
        after={"kind": kind, "program": program.slug if program else None, "days": days},
    )
    return limit
