"""Reads of the catalogue, always through who is asking.

A private dataset exists only for the members of its publisher (and the site's administrators); to
anyone else it is missing, in every listing, feed, search and API action. Drafts and deleted
datasets are seen only by those who can edit them.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from civitas.accounts.models import Role
from civitas.opendata.errors import NotAuthorized, NotFound
from civitas.opendata.lifecycle import DatasetState, ResourceState
from civitas.opendata.models import (
    ApiToken,
    Capacity,
    Dataset,
    Group,
    Organization,
    OrganizationMember,
    Resource,
)


@dataclass(frozen=True)
class Access:
    """What one caller may see and change; computed once per request."""

    user: object | None
    sysadmin: bool
    reader_orgs: frozenset  # organisation ids whose private datasets the caller may read
    editor_orgs: frozenset  # organisation ids whose datasets the caller may change

    @property
    def authenticated(self) -> bool:
        return self.user is not None

    def can_read_private(self, organization_id) -> bool:
        return self.sysadmin or organization_id in self.reader_orgs

    def can_edit(self, organization_id) -> bool:
        return self.sysadmin or organization_id in self.editor_orgs


ANONYMOUS = Access(user=None, sysadmin=False, reader_orgs=frozenset(), editor_orgs=frozenset())


def access_for(user) -> Access:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, "_opendata_access", None)
    if cached is not None:
        return cached
    sysadmin = bool(user.is_superuser or user.has_role(Role.ADMINISTRATOR))
    memberships = list(
        OrganizationMember.objects.filter(user=user, organization__is_active=True).values_list(
            "organization_id", "capacity"
        )
    )
    access = Access(
        user=user,
        sysadmin=sysadmin,
        reader_orgs=frozenset(org for org, _ in memberships),
        editor_orgs=frozenset(
            org for org, capacity in memberships if capacity in {Capacity.ADMIN, Capacity.EDITOR}
        ),
    )
    user._opendata_access = access
    return access


def visible_datasets(access: Access, *, include_private: bool = True) -> QuerySet[Dataset]:
    """Active datasets the caller may see (private ones only where they are a member)."""
    datasets = Dataset.objects.filter(state=DatasetState.ACTIVE, organization__is_active=True)
    if not include_private:
        return datasets.filter(private=False)
    if access.sysadmin:
        return datasets
    return datasets.filter(Q(private=False) | Q(organization_id__in=access.reader_orgs))


def _lookup(name_or_id: str) -> Q:
    value = (name_or_id or "").strip()
    try:
        return Q(id=uuid.UUID(value))
    except ValueError:
        return Q(name=value)


def _may_see(access: Access, dataset: Dataset) -> bool:
    if not dataset.organization.is_active and not access.sysadmin:
        return False
    if dataset.state != DatasetState.ACTIVE:
        return access.can_edit(dataset.organization_id)
    return not dataset.private or access.can_read_private(dataset.organization_id)


def dataset_for(access: Access, name_or_id: str) -> Dataset:
    """The dataset by name or id, or NotFound when it is missing or not the caller's to see."""
    if not name_or_id:
        raise NotFound("Dataset not found")
    dataset = Dataset.objects.select_related("organization").filter(_lookup(name_or_id)).first()
    if dataset is None or not _may_see(access, dataset):
        raise NotFound("Dataset not found")
    return dataset


def dataset_for_edit(access: Access, name_or_id: str) -> Dataset:
    dataset = dataset_for(access, name_or_id)
    if not access.can_edit(dataset.organization_id):
        raise NotAuthorized("you are not an editor of this dataset's publisher")
    return dataset


def resource_for(access: Access, resource_id: str) -> Resource:
    try:
        key = uuid.UUID(str(resource_id).strip())
    except ValueError:
        raise NotFound("Resource was not found.") from None
    resource = (
        Resource.objects.select_related("dataset", "dataset__organization")
        .filter(id=key, state=ResourceState.ACTIVE)
        .first()
    )
    if resource is None or not _may_see(access, resource.dataset):
        raise NotFound("Resource was not found.")
    return resource


def active_resources(dataset: Dataset) -> QuerySet[Resource]:
    return dataset.resources.filter(state=ResourceState.ACTIVE).order_by("position", "created")


def organizations(*, names: list[str] | None = None) -> QuerySet[Organization]:
    found = Organization.objects.filter(is_active=True)
    return found.filter(name__in=names) if names else found


def organization_for(name_or_id: str) -> Organization:
    found = organizations().filter(_lookup(name_or_id)).first()
    if found is None:
        raise NotFound("Organization not found")
    return found


def organizations_for_edit(access: Access) -> QuerySet[Organization]:
    if access.sysadmin:
        return organizations()
    return organizations().filter(id__in=access.editor_orgs)


def group_for(name_or_id: str) -> Group:
    found = Group.objects.filter(_lookup(name_or_id)).first()
    if found is None:
        raise NotFound("Group not found")
    return found


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def token_for(raw: str) -> ApiToken | None:
    """The usable API token a caller presented, or None when it is unknown, expired or revoked."""
    if not raw or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=token_digest(raw), revoked__isnull=True)
        .first()
    )
    if token is None or (token.expires and token.expires <= timezone.now()):
        return None
    return token if token.user.is_active else None


def tokens_of(user) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user, revoked__isnull=True)
