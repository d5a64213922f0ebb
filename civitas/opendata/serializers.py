"""Catalogue objects as the dictionaries CKAN's Action API returns.

Field names and shapes follow CKAN (``package_show``, ``resource_show``, ``organization_show``...)
so existing clients read them unchanged; our additions (``theme``, ``frequency``, ``quality``,
``disclosure_control``...) are extra keys those clients ignore.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from django.urls import reverse

from civitas.opendata import quality
from civitas.opendata.lifecycle import ResourceState
from civitas.opendata.vocabularies import licence

TAG_NAMESPACE = uuid.UUID("0b6f6c3e-53a5-4b7e-8a2f-6b1b8c2f9d10")

# Dataset fields outside CKAN's core that we also accept (and report) as extras.
EXTRA_FIELDS = (
    "theme",
    "frequency",
    "temporal_start",
    "temporal_end",
    "spatial",
    "language",
    "documentation_url",
)


def iso(value: datetime | None) -> str | None:
    """CKAN's timestamp format: naive UTC, ISO 8601."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat()


def tag_id(name: str) -> str:
    return str(uuid.uuid5(TAG_NAMESPACE, name))


def tag_dict(name: str) -> dict:
    return {
        "id": tag_id(name),
        "name": name,
        "display_name": name,
        "state": "active",
        "vocabulary_id": None,
    }


def organization_dict(org, *, package_count: int | None = None) -> dict:
    data = {
        "id": str(org.id),
        "name": org.name,
        "title": org.title,
        "display_name": org.title,
        "type": "organization",
        "description": org.description,
        "image_url": org.image_url,
        "image_display_url": org.image_url,
        "created": iso(org.created),
        "is_organization": True,
        "approval_status": "approved",
        "state": "active" if org.is_active else "deleted",
    }
    if package_count is not None:
        data["package_count"] = package_count
    return data


def group_dict(group, *, package_count: int | None = None) -> dict:
    data = {
        "id": str(group.id),
        "name": group.name,
        "title": group.title,
        "display_name": group.title,
        "type": "group",
        "description": group.description,
        "image_url": group.image_url,
        "image_display_url": group.image_url,
        "created": iso(group.created),
        "is_organization": False,
        "approval_status": "approved",
        "state": "active",
    }
    if package_count is not None:
        data["package_count"] = package_count
    return data


def download_path(resource, kind: str = "original") -> str:
    """The site-relative download address of one of a resource's files."""
    key = (resource.files or {}).get(kind, "")
    filename = key.rsplit("/", 1)[-1] if key else ""
    return reverse(
        "opendata:download",
        kwargs={"name": resource.dataset.name, "resource_id": resource.id, "filename": filename},
    )


def resource_url(resource, site: str) -> str:
    if resource.url_type == "upload" and resource.files.get("original"):
        return site + download_path(resource, "original")
    if resource.url_type == "datastore" and resource.files.get("csv"):
        return site + download_path(resource, "csv")
    return resource.url


def resource_dict(resource, *, site: str) -> dict:
    table = getattr(resource, "datastore", None) if resource.url_type == "datastore" else None
    data: dict[str, Any] = {
        "id": str(resource.id),
        "package_id": str(resource.dataset_id),
        "name": resource.name,
        "description": resource.description,
        "format": resource.format,
        "mimetype": resource.mimetype or None,
        "mimetype_inner": None,
        "url": resource_url(resource, site),
        "url_type": resource.url_type or None,
        "resource_type": resource.resource_type or None,
        "size": resource.size,
        "hash": resource.hash,
        "position": resource.position,
        "state": resource.state,
        "created": iso(resource.created),
        "last_modified": iso(resource.last_modified),
        "metadata_modified": iso(resource.metadata_modified),
        "cache_url": None,
        "cache_last_updated": None,
        "datastore_active": table is not None,
    }
    if table is not None:
        data["datastore_rows"] = table.row_count
        data["schema"] = table.schema
        data["downloads"] = {
            kind: site + download_path(resource, kind)
            for kind in ("csv", "json", "parquet")
            if resource.files.get(kind)
        }
    return data


def live_resources(dataset) -> list:
    """Active resources in order; uses prefetched resources when the caller prefetched them."""
    return sorted(
        (r for r in dataset.resources.all() if r.state == ResourceState.ACTIVE),
        key=lambda r: (r.position, r.created),
    )


def package_dict(dataset, *, site: str, with_quality: bool = True) -> dict:
    """A dataset as ``package_show`` returns it. Prefetch ``resources__datastore`` and ``groups``
    and select ``organization`` for lists."""
    found = licence(dataset.license_id)
    resources = live_resources(dataset)
    extras = {
        "theme": ",".join(dataset.themes or []),
        "frequency": dataset.frequency,
        "temporal_start": dataset.temporal_start.isoformat() if dataset.temporal_start else "",
        "temporal_end": dataset.temporal_end.isoformat() if dataset.temporal_end else "",
        "spatial": dataset.spatial,
        "language": dataset.language,
        "documentation_url": dataset.documentation_url,
    }
    extras.update({k: v for k, v in (dataset.extras or {}).items() if k not in extras})
    data: dict[str, Any] = {
        "id": str(dataset.id),
        "name": dataset.name,
        "title": dataset.title.strip(),
        "type": "dataset",
        "notes": dataset.notes,
        "url": dataset.url,
        "version": dataset.version or None,
        "author": dataset.author or None,
        "author_email": dataset.author_email or None,
        "maintainer": dataset.maintainer or None,
        "maintainer_email": dataset.maintainer_email or None,
        "license_id": dataset.license_id,
        "license_title": found.title if found else dataset.license_id,
        "isopen": bool(found and found.open_data),
        "state": dataset.state,
        "private": dataset.private,
        "owner_org": str(dataset.organization_id),
        "creator_user_id": None,
        "metadata_created": iso(dataset.metadata_created),
        "metadata_modified": iso(dataset.metadata_modified),
        "organization": organization_dict(dataset.organization),
        "groups": [
            {
                "id": str(g.id),
                "name": g.name,
                "title": g.title,
                "display_name": g.title,
                "description": g.description,
                "image_display_url": g.image_url,
            }
            for g in sorted(dataset.groups.all(), key=lambda g: g.name)
        ],
        "tags": [tag_dict(name) for name in sorted(dataset.tags or [])],
        "num_tags": len(dataset.tags or []),
        "resources": [resource_dict(r, site=site) for r in resources],
        "num_resources": len(resources),
        "extras": [
            {"key": k, "value": v} for k, v in sorted(extras.items()) if v not in ("", None)
        ],
        "relationships_as_subject": [],
        "relationships_as_object": [],
        "theme": list(dataset.themes or []),
        "frequency": dataset.frequency or None,
        "temporal_start": extras["temporal_start"] or None,
        "temporal_end": extras["temporal_end"] or None,
        "spatial": dataset.spatial or None,
        "language": dataset.language or None,
        "documentation_url": dataset.documentation_url or None,
        "disclosure_control": dataset.disclosure_control,
    }
    if found and found.url:
        data["license_url"] = found.url
    if with_quality:
        data["quality"] = quality.score(dataset, resources)
    return data
