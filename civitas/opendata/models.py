"""The open data catalogue: publishers, datasets and their resources, datastore tables, API tokens.

Ids are UUIDs, as in CKAN, so identifiers survive harvesting between portals. Datasets change only
through ``civitas.opendata.services``; each change bumps the catalogue revision the search index
follows, and leaves a version in the dataset's history.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civitas.opendata.lifecycle import DatasetState, ResourceState
from civitas.opendata.vocabularies import DEFAULT_LICENCE


class Organization(models.Model):
    """A publisher: a ministry, agency or municipality that owns datasets."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    image_url = models.URLField(blank=True)
    homepage = models.URLField(blank=True)
    email = models.EmailField(blank=True, help_text="Public contact address of the publisher.")
    created = models.DateTimeField(auto_now_add=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Capacity(models.TextChoices):
    ADMIN = "admin", _("Administrator")  # manages members and every dataset of the publisher
    EDITOR = "editor", _("Editor")  # creates and edits the publisher's datasets
    MEMBER = "member", _("Member")  # reads the publisher's private datasets


class OrganizationMember(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="opendata_memberships"
    )
    capacity = models.CharField(max_length=10, choices=Capacity.choices, default=Capacity.EDITOR)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="opendata_one_membership")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization} ({self.capacity})"


class Group(models.Model):
    """A thematic collection of datasets across publishers (CKAN's groups)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    image_url = models.URLField(blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Dataset(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=300)
    notes = models.TextField(blank=True, help_text="Description (Markdown is shown as text).")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="datasets"
    )
    private = models.BooleanField(default=False)
    # state changes only through civitas.opendata.services (see lifecycle.TRANSITIONS)
    state = models.CharField(
        max_length=10, choices=DatasetState.choices, default=DatasetState.ACTIVE
    )
    license_id = models.CharField(max_length=40, default=DEFAULT_LICENCE)
    url = models.URLField(blank=True, max_length=500, help_text="Source or landing page.")
    version = models.CharField(max_length=100, blank=True)
    author = models.CharField(max_length=200, blank=True)
    author_email = models.EmailField(blank=True)
    maintainer = models.CharField(max_length=200, blank=True)
    maintainer_email = models.EmailField(blank=True)
    tags = models.JSONField(default=list, blank=True)  # free keywords
    groups = models.ManyToManyField(Group, blank=True, related_name="datasets")
    themes = models.JSONField(default=list, blank=True)  # EU data-theme codes
    frequency = models.CharField(max_length=20, blank=True)  # EU frequency code
    temporal_start = models.DateField(null=True, blank=True)
    temporal_end = models.DateField(null=True, blank=True)
    spatial = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=10, default="en")
    documentation_url = models.URLField(blank=True, max_length=500)
    extras = models.JSONField(default=dict, blank=True)
    # How the figures were protected, for datasets published from operations (kept as published).
    disclosure_control = models.JSONField(null=True, blank=True)
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opendata_datasets",
    )
    idempotency_key = models.CharField(max_length=100, blank=True)
    metadata_created = models.DateTimeField()
    metadata_modified = models.DateTimeField(db_index=True)
    issued = models.DateTimeField(null=True, blank=True)  # first time it went active
    # The catalogue revision of this dataset's last change; the search index follows it.
    index_revision = models.BigIntegerField(default=0, db_index=True)

    class Meta:
        ordering = ["-metadata_modified"]
        constraints = [
            models.UniqueConstraint(
                fields=["creator", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="opendata_dataset_idempotent_create",
            ),
        ]
        indexes = [models.Index(fields=["state", "private"])]

    def __str__(self) -> str:
        return self.name


class DatasetVersion(models.Model):
    """The dataset's metadata as it stood after each change: the version history."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    created = models.DateTimeField()
    actor_label = models.CharField(max_length=200, blank=True)
    change = models.CharField(max_length=200)
    snapshot = models.JSONField()

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "number"], name="opendata_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.dataset} v{self.number}"


class UrlType(models.TextChoices):
    LINK = "", _("Link to another site")
    UPLOAD = "upload", _("File kept by this catalogue")
    DATASTORE = "datastore", _("Table in the datastore")


class Resource(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="resources")
    name = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    format = models.CharField(max_length=40, blank=True)
    mimetype = models.CharField(max_length=120, blank=True)
    resource_type = models.CharField(max_length=40, blank=True)  # e.g. "documentation"
    url = models.URLField(blank=True, max_length=1000)  # for links; files get the download view
    url_type = models.CharField(max_length=10, choices=UrlType.choices, blank=True, default="")
    # Files kept for this resource: {"original"|"csv"|"json"|"parquet": storage key}, and on which
    # storage target ("public" once the dataset is public, "private" otherwise).
    files = models.JSONField(default=dict, blank=True)
    storage_target = models.CharField(max_length=10, blank=True)
    size = models.BigIntegerField(null=True, blank=True)
    hash = models.CharField(max_length=80, blank=True)
    position = models.PositiveIntegerField(default=0)
    state = models.CharField(
        max_length=10, choices=ResourceState.choices, default=ResourceState.ACTIVE
    )
    created = models.DateTimeField()
    last_modified = models.DateTimeField(null=True, blank=True)  # of the data
    metadata_modified = models.DateTimeField()
    # Link checking: None until checked.
    reachable = models.BooleanField(null=True, blank=True)
    last_checked = models.DateTimeField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["position", "created"]

    def __str__(self) -> str:
        return self.name or str(self.id)


class DatastoreTable(models.Model):
    """A resource's data as a typed table: one Parquet file per generation, queried by DuckDB."""

    resource = models.OneToOneField(
        Resource, on_delete=models.CASCADE, primary_key=True, related_name="datastore"
    )
    # Frictionless Table Schema: {"fields": [{"name", "type", "constraints"?, ...}], "primaryKey"?}
    schema = models.JSONField(default=dict)
    row_count = models.BigIntegerField(default=0)
    generation = models.PositiveIntegerField(default=0)
    file_name = models.CharField(max_length=300, blank=True)  # relative to the datastore folder
    created = models.DateTimeField()
    modified = models.DateTimeField()

    def __str__(self) -> str:
        return f"datastore {self.resource_id} ({self.row_count} rows)"


class ApiToken(models.Model):
    """A secret that lets a program act as its user through the CKAN API. Only a SHA-256 digest
    is stored: the token is shown once, when it is created."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="opendata_tokens"
    )
    name = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField()
    last_used = models.DateTimeField(null=True, blank=True)
    expires = models.DateTimeField(null=True, blank=True)
    revoked = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"


class CatalogueRevision(models.Model):
    """A single row counting catalogue changes; search indexes compare it to what they hold."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    revision = models.BigIntegerField(default=0)
    token = models.CharField(max_length=32, blank=True)

    def __str__(self) -> str:
        return f"catalogue revision {self.revision}"


class PublicationRun(models.Model):
    """One run of a publication job. The same content published twice changes nothing."""

    kind = models.CharField(max_length=60)  # e.g. "statistics"
    started = models.DateTimeField()
    finished = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20)  # "published", "unchanged", "failed"
    content_hash = models.CharField(max_length=64, blank=True)
    dataset = models.ForeignKey(Dataset, null=True, blank=True, on_delete=models.SET_NULL)
    report = models.JSONField(default=dict)
    actor_label = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-started"]

    def __str__(self) -> str:
        return f"{self.kind} {self.started:%Y-%m-%d %H:%M} {self.outcome}"
