"""Writes to the registry: places, people and households, bulk imports (``imports``) and the
review of possible duplicates."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from civitas.audit import services as audit
from civitas.registry.models import (
    DuplicateFlag,
    DuplicateStatus,
    Household,
    Membership,
    Office,
    Person,
    Region,
)
from civitas.registry.services.imports import (  # noqa: F401  (re-exported)
    ImportOutcome,
    flag_similar,
    import_content,
    import_file,
)


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
        by_hash = dict(  # bulk_create filled each person's national_id_hash
            Person.objects.filter(
                national_id_hash__in=[p.national_id_hash for p in persons]
            ).values_list("national_id_hash", "pk")
        )
        for h in households:
            h.pk = by_ref[h.reference]
        for p in persons:
            p.pk = by_hash[p.national_id_hash]
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


@transaction.atomic
def review_duplicate(*, flag: DuplicateFlag, actor, same_person: bool) -> DuplicateFlag:
    """Record whether two flagged records are the same person (one must then be retired)."""
    locked = DuplicateFlag.objects.select_for_update().get(pk=flag.pk)
    if locked.status != DuplicateStatus.OPEN:
        raise ValueError("this possible duplicate was already reviewed")
    locked.status = DuplicateStatus.SAME_PERSON if same_person else DuplicateStatus.DIFFERENT
    locked.reviewed_by = audit.actor_label(actor)[:200]
    locked.reviewed_at = timezone.now()
    locked.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    audit.record(
        actor=actor,
        action="registry:duplicate:reviewed",
        subject=locked,
        before={"status": DuplicateStatus.OPEN},
        after={"status": locked.status, "person": locked.person_id, "other": locked.other_id},
    )
    return locked
