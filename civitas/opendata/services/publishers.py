"""Publishers (organisations), their members, and groups."""

from __future__ import annotations

from django.db import transaction

from civitas.audit import services as audit
from civitas.opendata.errors import ValidationError
from civitas.opendata.models import (
    Capacity,
    Group,
    Organization,
    OrganizationMember,
)
from civitas.opendata.validation import NAME


@transaction.atomic
def ensure_organization(
    *, actor, name: str, title: str, description: str = "", email: str = "", homepage: str = ""
) -> Organization:
    """Create a publisher, or return it unchanged when the name exists (idempotent)."""
    if not NAME.match(name or ""):
        raise ValidationError(
            {
                "name": [
                    "Must be purely lowercase alphanumeric (ascii) characters and these symbols: -_"
                ]
            }
        )
    existing = Organization.objects.filter(name=name).first()
    if existing is not None:
        return existing
    org = Organization.objects.create(
        name=name, title=title, description=description, email=email, homepage=homepage
    )
    audit.record(
        actor=actor,
        action="opendata:organization:created",
        subject=org,
        after={"name": name, "title": title},
    )
    return org


@transaction.atomic
def add_member(*, actor, organization: Organization, user, capacity: str = Capacity.EDITOR):
    if capacity not in Capacity.values:
        raise ValidationError({"capacity": [f"must be one of {', '.join(Capacity.values)}"]})
    member, created = OrganizationMember.objects.get_or_create(
        organization=organization, user=user, defaults={"capacity": capacity}
    )
    before = None if created else {"capacity": member.capacity}
    if not created and member.capacity != capacity:
        member.capacity = capacity
        member.save(update_fields=["capacity"])
    audit.record(
        actor=actor,
        action="opendata:member:saved",
        subject=member,
        before=before,
        after={"organization": organization.name, "user": user.pk, "capacity": capacity},
    )
    return member


@transaction.atomic
def ensure_group(*, actor, name: str, title: str, description: str = "") -> Group:
    if not NAME.match(name or ""):
        raise ValidationError(
            {
                "name": [
                    "Must be purely lowercase alphanumeric (ascii) characters and these symbols: -_"
                ]
            }
        )
    existing = Group.objects.filter(name=name).first()
    if existing is not None:
        return existing
    group = Group.objects.create(name=name, title=title, description=description)
    audit.record(actor=actor, action="opendata:group:created", subject=group, after={"name": name})
    return group
