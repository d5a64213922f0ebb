"""Reads from the registry."""

from __future__ import annotations

from civitas.db.prepared import Prepared
from civitas.registry.models import Household, Membership, Person

# every submission reads it: compiled once (civitas.db.prepared)
_BY_ACCOUNT = Prepared(lambda pk: Person.objects.filter(account_id=pk)[:1], int)


def person_for_account(user) -> Person | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return _BY_ACCOUNT.first(user.pk)  # one person at most per account (a one-to-one link)


def household_of(person: Person) -> Household | None:
    membership = (
        Membership.objects.select_related("household__region").filter(person=person).first()
    )
    return membership.household if membership else None


def members_of(household: Household) -> list[Membership]:
    return list(
        household.memberships.select_related("person").order_by("role", "person__birth_date")
    )
