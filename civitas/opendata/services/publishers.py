"""Publishers (organisations), their members, and groups."""

from __future__ import annotations

from django.db import transaction

from civitas.audit import services as audit
from civitas.opendata.errors import NotAuthorized, NotFound, ValidationError
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


# --- the CKAN API's organization_* and group_* writes ------------------------------------------

_NAME_RULE = "Must be purely lowercase alphanumeric (ascii) characters and these symbols: -_"


def _clean_publisher(data: dict, *, current, partial: bool, organization: bool) -> dict:
    """name, title, description, image_url (and for publishers homepage and email)."""
    from django.core.exceptions import ValidationError as DjangoValidationError
    from django.core.validators import URLValidator, validate_email

    errors: dict[str, list[str]] = {}
    cleaned: dict = {}
    text_fields = {"title": 200, "description": 10_000}
    url_fields = ["image_url", *(["homepage"] if organization else [])]
    if "name" in data or not partial:
        name = str(data.get("name") or "").strip()
        if not NAME.match(name):
            errors["name"] = ["Missing value"] if not name else [_NAME_RULE]
        else:
            model = Organization if organization else Group
            taken = model.objects.filter(name=name)
            if current is not None:
                taken = taken.exclude(pk=current.pk)
            if taken.exists():
                errors["name"] = ["Group name already exists in database"]
            cleaned["name"] = name
    for key, limit in text_fields.items():
        if key in data or not partial:
            value = str(data.get(key) or "").strip()
            if len(value) > limit:
                errors[key] = [f"Must be at most {limit} characters long"]
            cleaned[key] = value
    for key in url_fields:
        if key in data or not partial:
            value = str(data.get(key) or "").strip()
            if value:
                try:
                    URLValidator(schemes=["http", "https"])(value)
                except DjangoValidationError:
                    errors[key] = ["Please provide a valid URL"]
            cleaned[key] = value
    if organization and ("email" in data or not partial):
        value = str(data.get("email") or "").strip()
        if value:
            try:
                validate_email(value)
            except DjangoValidationError:
                errors["email"] = ["Please provide a valid email address"]
        cleaned["email"] = value
    if errors:
        raise ValidationError(errors)
    if "title" in cleaned and not cleaned["title"]:
        cleaned["title"] = cleaned.get("name") or (current.name if current else "")
    return cleaned


def _is_admin(access, organization: Organization) -> bool:
    if access.sysadmin:
        return True
    return (
        access.user is not None
        and OrganizationMember.objects.filter(
            organization=organization, user=access.user, capacity=Capacity.ADMIN
        ).exists()
    )


def _restamp(datasets) -> None:
    """A publisher's or group's name or title is part of its datasets' search entries: move the
    catalogue revision on and stamp them all (inside the write)."""
    import uuid

    from civitas.opendata.models import CatalogueRevision, Dataset

    head, _ = CatalogueRevision.objects.select_for_update().get_or_create(id=1)
    head.revision += 1
    head.token = uuid.uuid4().hex
    head.save(update_fields=["revision", "token"])
    Dataset.objects.filter(pk__in=datasets.values("pk")).update(index_revision=head.revision)


def _publisher_summary(obj) -> dict:
    return {"name": obj.name, "title": obj.title}


@transaction.atomic
def create_organization(*, access, data: dict) -> Organization:
    """organization_create: sysadmins only (CKAN's default); the creator becomes its admin."""
    if not access.sysadmin:
        raise NotAuthorized("only a site administrator can create a publisher")
    cleaned = _clean_publisher(data, current=None, partial=False, organization=True)
    org = Organization.objects.create(**cleaned)
    audit.record(
        actor=_who(access),
        action="opendata:organization:created",
        subject=org,
        after=_publisher_summary(org),
    )
    if access.user is not None:
        add_member(actor=_who(access), organization=org, user=access.user, capacity=Capacity.ADMIN)
    return org


@transaction.atomic
def update_organization(
    *, access, organization: Organization, data: dict, partial: bool
) -> Organization:
    """organization_update (fields not sent are emptied) or organization_patch."""
    locked = Organization.objects.select_for_update().get(pk=organization.pk)
    if not _is_admin(access, locked):
        raise NotAuthorized("only an administrator of this publisher can change it")
    cleaned = _clean_publisher(data, current=locked, partial=partial, organization=True)
    return _change_publisher(access, locked, cleaned, action="opendata:organization:updated")


@transaction.atomic
def delete_organization(*, access, organization: Organization) -> Organization:
    """organization_delete: refused while it still has datasets (as CKAN does by default)."""
    from civitas.opendata.lifecycle import DatasetState

    locked = Organization.objects.select_for_update().get(pk=organization.pk)
    if not access.sysadmin:
        raise NotAuthorized("only a site administrator can delete a publisher")
    if locked.datasets.exclude(state=DatasetState.DELETED).exists():
        raise ValidationError(
            {"message": ["Organization cannot be deleted while it still has datasets"]}
        )
    locked.is_active = False
    locked.save(update_fields=["is_active"])
    _restamp(locked.datasets.all())
    audit.record(
        actor=_who(access),
        action="opendata:organization:deleted",
        subject=locked,
        before=_publisher_summary(locked),
    )
    return locked


def _user_for(username: str):
    from django.contrib.auth import get_user_model

    model = get_user_model()
    text = str(username or "").strip()
    found = model.objects.filter(email__iexact=text, is_active=True).first()
    if found is None and text.isdigit():
        found = model.objects.filter(pk=int(text), is_active=True).first()
    if found is None:
        raise NotFound("User not found")
    return found


@transaction.atomic
def save_member(*, access, organization: Organization, username: str, role: str):
    """organization_member_create: add or change a member (publisher admins and sysadmins)."""
    if not _is_admin(access, organization):
        raise NotAuthorized("only an administrator of this publisher can manage its members")
    if role not in Capacity.values:
        raise ValidationError({"role": [f"role must be one of: {', '.join(Capacity.values)}"]})
    user = _user_for(username)
    return add_member(actor=_who(access), organization=organization, user=user, capacity=role)


@transaction.atomic
def remove_member(*, access, organization: Organization, username: str) -> None:
    """organization_member_delete."""
    if not _is_admin(access, organization):
        raise NotAuthorized("only an administrator of this publisher can manage its members")
    user = _user_for(username)
    member = OrganizationMember.objects.filter(organization=organization, user=user).first()
    if member is None:
        raise NotFound("User is not a member of this organization")
    if member.capacity == Capacity.ADMIN and (
        not OrganizationMember.objects.filter(organization=organization, capacity=Capacity.ADMIN)
        .exclude(pk=member.pk)
        .exists()
        and not access.sysadmin
    ):
        raise ValidationError({"message": ["A publisher must keep at least one administrator"]})
    before = {"organization": organization.name, "user": user.pk, "capacity": member.capacity}
    member.delete()
    audit.record(
        actor=_who(access), action="opendata:member:removed", subject=organization, before=before
    )


@transaction.atomic
def create_group(*, access, data: dict) -> Group:
    """group_create: sysadmins only (CKAN's default)."""
    if not access.sysadmin:
        raise NotAuthorized("only a site administrator can create a group")
    cleaned = _clean_publisher(data, current=None, partial=False, organization=False)
    group = Group.objects.create(**cleaned)
    audit.record(
        actor=_who(access),
        action="opendata:group:created",
        subject=group,
        after=_publisher_summary(group),
    )
    return group


@transaction.atomic
def update_group(*, access, group: Group, data: dict, partial: bool) -> Group:
    """group_update or group_patch: sysadmins only."""
    if not access.sysadmin:
        raise NotAuthorized("only a site administrator can change a group")
    locked = Group.objects.select_for_update().get(pk=group.pk)
    cleaned = _clean_publisher(data, current=locked, partial=partial, organization=False)
    return _change_publisher(access, locked, cleaned, action="opendata:group:updated")


def _change_publisher(access, locked, cleaned: dict, *, action: str):
    """Apply the cleaned fields to a locked organization or group and audit the change; its
    datasets are stamped anew when what they show of it changed (name, title)."""
    before = _publisher_summary(locked)
    for key, value in cleaned.items():
        setattr(locked, key, value)
    locked.save()
    if _publisher_summary(locked) != before:
        _restamp(locked.datasets.all())
    audit.record(
        actor=_who(access),
        action=action,
        subject=locked,
        before=before,
        after=_publisher_summary(locked),
    )
    return locked


@transaction.atomic
def delete_group(*, access, group: Group) -> None:
    """group_delete: the group goes; its datasets stay, out of it (sysadmins only)."""
    if not access.sysadmin:
        raise NotAuthorized("only a site administrator can delete a group")
    locked = Group.objects.select_for_update().get(pk=group.pk)
    ids = list(locked.datasets.values_list("pk", flat=True))
    audit.record(
        actor=_who(access),
        action="opendata:group:deleted",
        subject=locked,
        before={**_publisher_summary(locked), "datasets": len(ids)},
    )
    locked.delete()
    from civitas.opendata.models import Dataset

    _restamp(Dataset.objects.filter(pk__in=ids))


def _who(access):
    return access.user if access.user is not None else "opendata-publication"
