"""Reads from the registry."""

from __future__ import annotations

from civitas.registry.models import Household, Membership, Person


def person_for_account(user) -> Person | None:
    if not getattr(user, "is_authenticated", False):
        return None
    # one person at most per account (a one-to-one link): no ordering needed
    return next(iter(Person.objects.filter(account=user)[:1]), None)


def household_of(person: Person) -> Household | None:
    membership = (
        Membership.objects.select_related("household__region").filter(person=person).first()
    )
    return membership.household if membership else None


def members_of(household: Household) -> list[Membership]:
    return list(
        household.memberships.select_related("person").order_by("role", "person__birth_date")
    )
