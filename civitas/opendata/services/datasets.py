"""Datasets: create, update or patch, delete; each change versioned, audited and indexed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from civitas.audit import services as audit
from civitas.opendata import files
from civitas.opendata.errors import NotAuthorized, ValidationError
from civitas.opendata.lifecycle import DatasetState, ResourceState, check_transition
from civitas.opendata.models import (
    Dataset,
    Group,
    Organization,
    UrlType,
)
from civitas.opendata.selectors import ANONYMOUS, Access
from civitas.opendata.services.base import (
    PIPELINE,
    _actor,
    _after_commit_relocate,
    _bump,
    _label,
    _summary,
    _version,
)
from civitas.opendata.services.resources import _new_link_resource
from civitas.opendata.validation import clean_dataset


@dataclass(frozen=True)
class Saved:
    dataset: Dataset
    created: bool


def _organization_for_write(access: Access, owner_org: str) -> Organization:
    try:
        lookup = {"id": uuid.UUID(owner_org)}
    except ValueError:
        lookup = {"name": owner_org}
    org = Organization.objects.filter(is_active=True, **lookup).first()
    if org is None:
        raise ValidationError({"owner_org": ["Organization does not exist"]})
    if not access.can_edit(org.id):
        raise NotAuthorized(f"you cannot add datasets to the organization {org.name}")
    return org


def _groups(names: list[str]) -> list[Group]:
    found = {g.name: g for g in Group.objects.filter(name__in=names)}
    found.update({str(g.id): g for g in Group.objects.filter(id__in=_uuids(names))})
    missing = [n for n in names if n not in found]
    if missing:
        raise ValidationError({"groups": [f'Group "{n}" not found' for n in missing]})
    return list({g.pk: g for g in (found[n] for n in names)}.values())


def _uuids(values: list[str]) -> list[uuid.UUID]:
    out = []
    for value in values:
        try:
            out.append(uuid.UUID(value))
        except ValueError:
            continue
    return out


_FIELDS = (
    "title",
    "notes",
    "url",
    "version",
    "author",
    "author_email",
    "maintainer",
    "maintainer_email",
    "license_id",
    "private",
    "tags",
    "themes",
    "frequency",
    "temporal_start",
    "temporal_end",
    "spatial",
    "language",
    "documentation_url",
    "extras",
)


def _apply(dataset: Dataset, cleaned: dict) -> None:
    for key in _FIELDS:
        if key in cleaned:
            setattr(dataset, key, cleaned[key])


def create_dataset(*, access: Access, data: dict, idempotency_key: str = "") -> Saved:
    """package_create. The same idempotency key from the same user returns the first dataset."""
    if access is ANONYMOUS or (access.user is None and access is not PIPELINE):
        raise NotAuthorized("an API token is needed to create datasets")
    key = (idempotency_key or "")[:100]
    if key and access.user is not None:
        existing = Dataset.objects.filter(creator=access.user, idempotency_key=key).first()
        if existing is not None:
            return Saved(existing, created=False)
    cleaned = clean_dataset(data)
    org = _organization_for_write(access, cleaned["owner_org"])
    if Dataset.objects.filter(name=cleaned["name"]).exists():
        raise ValidationError({"name": ["That URL is already in use."]})
    groups = _groups(cleaned.get("group_names", []))
    try:
        with transaction.atomic():
            now = timezone.now()
            dataset = Dataset(
                name=cleaned["name"],
                organization=org,
                creator=access.user,
                idempotency_key=key if access.user is not None else "",
                metadata_created=now,
                metadata_modified=now,
            )
            _apply(dataset, cleaned)
            state = cleaned.get("state", DatasetState.ACTIVE)
            check_transition(DatasetState.DRAFT, state)
            dataset.state = state
            dataset.issued = now if state == DatasetState.ACTIVE else None
            dataset.save()
            dataset.groups.set(groups)
            for position, item in enumerate(cleaned.get("resources", [])):
                _new_link_resource(dataset, item, position=position, now=now)
            _bump(dataset)
            _version(dataset, change="created", actor_label=_label(access))
            audit.record(
                actor=_actor(access),
                action="opendata:dataset:created",
                subject=dataset,
                after=_summary(dataset),
            )
    except IntegrityError:
        if key and access.user is not None:
            existing = Dataset.objects.filter(creator=access.user, idempotency_key=key).first()
            if existing is not None:
                return Saved(existing, created=False)
        raise ValidationError({"name": ["That URL is already in use."]}) from None
    return Saved(dataset, created=True)


@transaction.atomic
def update_dataset(
    *, access: Access, dataset: Dataset, data: dict, partial: bool = False
) -> Dataset:
    """package_update (every field; resources replaced when given) or package_patch (partial)."""
    locked = Dataset.objects.select_for_update().select_related("organization").get(pk=dataset.pk)
    if not access.can_edit(locked.organization_id):
        raise NotAuthorized("you are not an editor of this dataset's publisher")
    cleaned = clean_dataset(data, current=locked, partial=partial)
    before = _summary(locked)
    if "name" in cleaned and cleaned["name"] != locked.name:
        if Dataset.objects.filter(name=cleaned["name"]).exclude(pk=locked.pk).exists():
            raise ValidationError({"name": ["That URL is already in use."]})
        locked.name = cleaned["name"]
    if "owner_org" in cleaned and cleaned["owner_org"] not in {
        str(locked.organization_id),
        locked.organization.name,
    }:
        locked.organization = _organization_for_write(access, cleaned["owner_org"])
    was_public = files.target_for(locked)
    _apply(locked, cleaned)
    if "state" in cleaned and cleaned["state"] != locked.state:
        check_transition(locked.state, cleaned["state"])
        locked.state = cleaned["state"]
        if locked.state == DatasetState.ACTIVE and locked.issued is None:
            locked.issued = timezone.now()
    now = timezone.now()
    locked.metadata_modified = now
    locked.save()
    if "group_names" in cleaned:
        locked.groups.set(_groups(cleaned["group_names"]))
    if "resources" in cleaned:
        _replace_resources(locked, cleaned["resources"], now=now)
    _bump(locked)
    _version(locked, change="patched" if partial else "updated", actor_label=_label(access))
    audit.record(
        actor=_actor(access),
        action="opendata:dataset:updated",
        subject=locked,
        before=before,
        after=_summary(locked),
    )
    if files.target_for(locked) != was_public or "resources" in cleaned:
        _after_commit_relocate(locked)
    return locked


def _replace_resources(dataset: Dataset, items: list[dict], *, now) -> None:
    """Resources listed keep their id (and files); new ones are links; others are deleted."""
    current = {str(r.id): r for r in dataset.resources.filter(state=ResourceState.ACTIVE)}
    kept: set[str] = set()
    for position, item in enumerate(items):
        existing = current.get(item.get("id", ""))
        if existing is None:
            _new_link_resource(dataset, item, position=position, now=now)
            continue
        kept.add(str(existing.id))
        for key in ("name", "description", "format", "resource_type"):
            setattr(existing, key, item.get(key, ""))
        if existing.url_type == UrlType.LINK:
            existing.url = item.get("url", "")
        existing.position = position
        existing.metadata_modified = now
        existing.save()
    for resource_id, resource in current.items():
        if resource_id not in kept:
            resource.state = ResourceState.DELETED
            resource.metadata_modified = now
            resource.save(update_fields=["state", "metadata_modified"])


@transaction.atomic
def delete_dataset(*, access: Access, dataset: Dataset) -> Dataset:
    """package_delete: out of every listing; files leave the public target after the commit."""
    locked = Dataset.objects.select_for_update().select_related("organization").get(pk=dataset.pk)
    if not access.can_edit(locked.organization_id):
        raise NotAuthorized("you are not an editor of this dataset's publisher")
    check_transition(locked.state, DatasetState.DELETED)
    before = _summary(locked)
    locked.state = DatasetState.DELETED
    locked.metadata_modified = timezone.now()
    locked.save(update_fields=["state", "metadata_modified"])
    _bump(locked)
    _version(locked, change="deleted", actor_label=_label(access))
    audit.record(
        actor=_actor(access),
        action="opendata:dataset:deleted",
        subject=locked,
        before=before,
        after=_summary(locked),
    )
    _after_commit_relocate(locked)
    return locked
