"""Who may see what: roles first, then the staff member's scope of programmes and places."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from civitas.accounts.models import Role

CASE_ROLES = (Role.CASEWORKER, Role.SUPERVISOR, Role.AUDITOR)
DECIDING_ROLES = (Role.CASEWORKER, Role.SUPERVISOR)


def has_any_role(user, roles) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and any(
        user.has_role(role) for role in roles
    )


def can_see_cases(user) -> bool:
    return has_any_role(user, CASE_ROLES)


def can_decide(user) -> bool:
    return has_any_role(user, DECIDING_ROLES)


def is_supervisor(user) -> bool:
    return has_any_role(user, (Role.SUPERVISOR,))


@dataclass(frozen=True)
class Reach:
    """Programmes and places within a staff member's scope; ``None`` means all of them."""

    programs: frozenset[int] | None
    regions: frozenset[int] | None
    offices: frozenset[int]

    @property
    def is_empty(self) -> bool:
        return self.programs == frozenset() or (self.regions == frozenset() and not self.offices)

    def q(self, prefix: str = "") -> Q:
        """A filter for rows carrying ``program``, ``region`` and ``office`` columns."""
        condition = Q()
        if self.programs is not None:
            condition &= Q(**{f"{prefix}program_id__in": self.programs})
        if self.regions is not None:
            condition &= Q(**{f"{prefix}region_id__in": self.regions}) | Q(
                **{f"{prefix}office_id__in": self.offices}
            )
        return condition

    def covers(self, *, program_id, region_id, office_id) -> bool:
        if self.programs is not None and program_id not in self.programs:
            return False
        if self.regions is None:
            return True
        return region_id in self.regions or office_id in self.offices


EVERYTHING = Reach(None, None, frozenset())
NOTHING = Reach(frozenset(), frozenset(), frozenset())


def reach_of(user) -> Reach:
    """The user's scope, read once per request (kept on the user object)."""
    cached = getattr(user, "_casework_reach", None)
    if cached is not None:
        return cached
    reach = _read_reach(user)
    user._casework_reach = reach
    return reach


def _read_reach(user) -> Reach:
    from civitas.casework.models import StaffScope

    if not getattr(user, "is_authenticated", False) or not user.is_active or not user.is_staff:
        return NOTHING
    if user.is_superuser:
        return EVERYTHING
    scope = StaffScope.objects.filter(user=user).first()
    if scope is None:
        return NOTHING
    programs = (
        None if scope.all_programmes else frozenset(scope.programs.values_list("pk", flat=True))
    )
    regions = None if scope.whole_country else frozenset(scope.regions.values_list("pk", flat=True))
    offices = frozenset(scope.offices.values_list("pk", flat=True))
    return Reach(programs, regions, offices)
