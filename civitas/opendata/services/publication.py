"""Publication from operations: statistics from the benefits system, protected, published."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from civitas.audit import services as audit
from civitas.opendata.lifecycle import DatasetState, ResourceState
from civitas.opendata.models import (
    Dataset,
    Organization,
    PublicationRun,
)
from civitas.opendata.services.base import (
    PIPELINE,
    PIPELINE_LABEL,
    _after_commit_relocate,
    _bump,
    _version,
)
from civitas.opendata.services.datasets import create_dataset, update_dataset
from civitas.opendata.services.publishers import ensure_organization
from civitas.opendata.services.tables import publish_table

STATISTICS_DATASET = "benefits-statistics"


def _statistics_publisher() -> Organization:
    name = settings.OPENDATA_STATISTICS_PUBLISHER
    return ensure_organization(
        actor=PIPELINE_LABEL, name=name, title=name.replace("-", " ").title()
    )


def publish_statistics(*, method=None, since=None) -> PublicationRun:
    """Compute the statistics from operations, protect them, and publish them as the dataset
    ``benefits-statistics`` of the statistics publisher. Running it again on the same data
    changes nothing (the run is recorded as "unchanged")."""
    from civitas.opendata import statistics

    started = timezone.now()
    publication = statistics.prepare(method=method, since=since)
    last = (
        PublicationRun.objects.filter(kind="statistics", outcome="published")
        .order_by("-started")
        .first()
    )
    current = Dataset.objects.filter(name=STATISTICS_DATASET, state=DatasetState.ACTIVE).first()
    report = {
        "applications": publication.applications,
        "tables": {t.name: t.data.num_rows for t in publication.tables},
        "method": publication.method,
    }
    if current is not None and last is not None and last.content_hash == publication.content_hash:
        with transaction.atomic():
            run = PublicationRun.objects.create(
                kind="statistics",
                started=started,
                finished=timezone.now(),
                outcome="unchanged",
                content_hash=publication.content_hash,
                dataset=current,
                report=report,
                actor_label=PIPELINE_LABEL,
            )
            audit.record(
                actor=PIPELINE_LABEL,
                action="opendata:statistics:unchanged",
                subject=run,
                after={"content_hash": publication.content_hash},
            )
        return run
    with transaction.atomic():
        org = _statistics_publisher()
        summary = publication.method["summary"]
        data = {
            "name": STATISTICS_DATASET,
            "title": "Benefits statistics",
            "owner_org": org.name,
            "notes": (
                "Applications, decisions, beneficiaries, payments and processing times of the benefit "
                f"programmes of {settings.CIVITAS_SITE_NAME}, by programme, region, month, sex and "
                "age band, produced automatically from the benefits system.\n\n"
                f"Disclosure control: {summary}"
            ),
            "license_id": "cc-by",
            "tags": [{"name": "benefits"}, {"name": "social protection"}, {"name": "statistics"}],
            "theme": ["SOCI", "GOVE"],
            "frequency": "MONTHLY",
            "temporal_start": publication.period_start.isoformat()
            if publication.period_start
            else "",
            "temporal_end": publication.period_end.isoformat() if publication.period_end else "",
            "spatial": settings.CIVITAS_SITE_NAME,
            "extras": [{"key": "disclosure_control", "value": summary}],
            "state": DatasetState.ACTIVE,
            "private": False,
        }
        if current is None:
            dataset = Dataset.objects.filter(name=STATISTICS_DATASET).first()
            if dataset is None:
                dataset = create_dataset(access=PIPELINE, data=data).dataset
            else:
                dataset = update_dataset(access=PIPELINE, dataset=dataset, data=data)
        else:
            dataset = update_dataset(access=PIPELINE, dataset=current, data=data, partial=True)
        names = set()
        for table in publication.tables:
            publish_table(
                dataset=dataset,
                name=table.name,
                description=f"{table.title}. {table.description}",
                table=table.data,
                fields=table.fields,
            )
            names.add(table.name)
        now = timezone.now()
        dataset.resources.filter(state=ResourceState.ACTIVE).exclude(name__in=names).update(
            state=ResourceState.DELETED, metadata_modified=now
        )
        Dataset.objects.filter(pk=dataset.pk).update(
            disclosure_control={
                **publication.method,
                "published": now.isoformat(),
                "tables": sorted(names),
            },
            metadata_modified=now,
        )
        dataset.refresh_from_db()
        _bump(dataset)
        _version(dataset, change="statistics published", actor_label=PIPELINE_LABEL)
        run = PublicationRun.objects.create(
            kind="statistics",
            started=started,
            finished=timezone.now(),
            outcome="published",
            content_hash=publication.content_hash,
            dataset=dataset,
            report=report,
            actor_label=PIPELINE_LABEL,
        )
        audit.record(
            actor=PIPELINE_LABEL,
            action="opendata:statistics:published",
            subject=run,
            after={"dataset": dataset.name, **report},
        )
        _after_commit_relocate(dataset)
    return run
