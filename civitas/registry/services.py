"""Writes to the registry."""

from __future__ import annotations

from django.db import transaction

from civitas.audit import services as audit
from civitas.registry.models import Household, Membership, Office, Person, Region


@transaction.atomic
def ensure_region(*, actor, code: str, name: str) -> Region:
    region, created = Region.objects.get_or_create(code=code, defaults={"name": name})
    if created:
        audit.record(
            actor=actor,
            action="registry:region:created",
            subject=region,
            after={"code": code, "name": name},
        )
    return region


@transaction.atomic
def ensure_office(*, actor, code: str, name: str, region: Region) -> Office:
    office, created = Office.objects.get_or_create(
        code=code, defaults={"name": name, "region": region}
    )
    if created:
        audit.record(
            actor=actor,
            action="registry:office:created",
            subject=office,
            after={"code": code, "name": name, "region": region.code},
        )
    return office


@transaction.atomic
def link_account(*, actor, person: Person, user) -> Person:
    before = {"account": person.account_id}
    person.account = user
    person.save(update_fields=["account"])
    audit.record(
        actor=actor,
        action="registry:person:account_linked",
        subject=person,
        before=before,
        after={"account": user.pk},
    )
    return person


@transaction.atomic
def bulk_add_households(
    *,
    actor,
    households: list[Household],
    persons: list[Person],
    memberships: list[tuple[int, int, str]],
    source: str,
) -> int:
    """Insert a batch of households with their members in one transaction and one audit event.

    ``memberships`` holds (household index, person index, role) into the two lists.
    """
    Household.objects.bulk_create(households, batch_size=2000)
    Person.objects.bulk_create(persons, batch_size=2000)
    if not all(h.pk for h in households) or not all(p.pk for p in persons):
        # backends that do not return ids from bulk inserts: read them back by natural key
        by_ref = dict(
            Household.objects.filter(reference__in=[h.reference for h in households]).values_list(
                "reference", "pk"
            )
        )
        by_nid = dict(
            Person.objects.filter(national_id__in=[p.national_id for p in persons]).values_list(
                "national_id", "pk"
            )
        )
        for h in households:
            h.pk = by_ref[h.reference]
        for p in persons:
            p.pk = by_nid[p.national_id]
    Membership.objects.bulk_create(
        [
            Membership(household_id=households[h].pk, person_id=persons[p].pk, role=role)
            for h, p, role in memberships
        ],
        batch_size=2000,
    )
    audit.record(
        actor=actor,
        action="registry:households:imported",
        subject=("registry.household", f"{households[0].reference}..{households[-1].reference}"),
        after={"households": len(households), "persons": len(persons), "source": source},
    )
    return len(households)
