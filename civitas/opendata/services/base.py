"""Shared by the catalogue's services: the revision, versions, audit labels and moving files between storage targets."""

from __future__ import annotations

import logging
import uuid

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from civitas.audit import services as audit
from civitas.opendata import files, serializers
from civitas.opendata.lifecycle import ResourceState
from civitas.opendata.models import (
    CatalogueRevision,
    Dataset,
    DatasetVersion,
    Resource,
)
from civitas.opendata.selectors import Access

log = logging.getLogger(__name__)

# The publication pipeline acts with full rights under this name.
PIPELINE = Access(user=None, sysadmin=True, reader_orgs=frozenset(), editor_orgs=frozenset())

PIPELINE_LABEL = "opendata-publication"

MAX_UPLOAD_BYTES = 500 * 1024 * 1024


def _actor(access: Access):
    return access.user if access.user is not None else PIPELINE_LABEL


def _bump(*datasets: Dataset) -> int:
    """Move the catalogue revision on and stamp the datasets with it (inside the write)."""
    head, _ = CatalogueRevision.objects.select_for_update().get_or_create(id=1)
    head.revision += 1
    head.token = uuid.uuid4().hex
    head.save(update_fields=["revision", "token"])
    for dataset in datasets:
        Dataset.objects.filter(pk=dataset.pk).update(index_revision=head.revision)
        dataset.index_revision = head.revision
    return head.revision


def _version(dataset: Dataset, *, change: str, actor_label: str) -> DatasetVersion:
    fresh = (
        Dataset.objects.select_related("organization")
        .prefetch_related("resources__datastore", "groups")
        .get(pk=dataset.pk)
    )
    number = (dataset.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    snapshot = serializers.package_dict(fresh, site="", with_quality=False)
    return DatasetVersion.objects.create(
        dataset=dataset,
        number=number,
        created=timezone.now(),
        actor_label=actor_label[:200],
        change=change[:200],
        snapshot=snapshot,
    )


def _label(access: Access) -> str:
    user = access.user
    return getattr(user, "email", "") or str(user) if user is not None else PIPELINE_LABEL


def _summary(dataset: Dataset) -> dict:
    return {
        "name": dataset.name,
        "title": dataset.title,
        "organization": str(dataset.organization_id),
        "private": dataset.private,
        "state": dataset.state,
    }


def _after_commit_relocate(dataset: Dataset) -> None:
    dataset_id = dataset.pk
    transaction.on_commit(lambda: relocate_files(dataset_id=dataset_id))


def relocate_files(*, dataset_id) -> int:
    """Bring every file of a dataset to the target its visibility calls for; returns how many
    files moved. Idempotent: run it again and nothing moves."""
    dataset = Dataset.objects.select_related("organization").filter(pk=dataset_id).first()
    if dataset is None:
        return 0
    target = files.target_for(dataset)
    moved = 0
    for resource in dataset.resources.all():
        live = resource.state == ResourceState.ACTIVE
        wanted = target if live else files.PRIVATE
        if not resource.files or resource.storage_target == wanted:
            continue
        source = resource.storage_target or files.PRIVATE
        copied = {
            kind: files.copy(source, wanted, key) for kind, key in resource.files.items() if key
        }
        with transaction.atomic():
            Resource.objects.filter(pk=resource.pk).update(files=copied, storage_target=wanted)
            audit.record(
                actor=PIPELINE_LABEL,
                action="opendata:resource:files_moved",
                subject=resource,
                before={"target": source},
                after={"target": wanted, "files": sorted(copied)},
            )
        files.delete(source, list(files.iter_keys(resource.files)))
        moved += len(copied)
    return moved


def _touch(dataset: Dataset, *, now) -> None:
    Dataset.objects.filter(pk=dataset.pk).update(metadata_modified=now)
    dataset.metadata_modified = now
