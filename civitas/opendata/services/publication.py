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


# --- tables from registered sources (e-participation results, ...) -----------------------------


def _slug(key: str) -> str:
    import re

    return re.sub(r"[^a-z0-9_-]+", "-", key.lower()).strip("-")[:100]


def _resource_name(table_key: str) -> str:
    return _slug(table_key.rsplit("/", 1)[-1]) or "data"


def publish_sources(*, method=None, only: str | None = None) -> list[PublicationRun]:
    """Publish every registered source's tables (``civitas.opendata.publication``): one dataset
    per group of tables, one datastore resource per table, after the source's disclosure rule.
    A dataset whose tables did not change since its last publication is left alone, so running it
    again changes nothing. One run is recorded per source."""
    from civitas.opendata import publication

    method = method or _method()
    runs = []
    for source in publication.sources():
        if only and source.name != only:
            continue
        runs.append(_publish_source(source, method))
    return runs


def _method():
    from civitas.opendata.statistics import method_from_settings

    return method_from_settings()


def _publish_source(source, method) -> PublicationRun:
    import hashlib
    import json

    from civitas.opendata import publication

    started = timezone.now()
    grouped: dict[str, list] = {}
    for table in source.tables():
        grouped.setdefault(publication.dataset_key(table.key), []).append(table)
    kind = f"source:{source.name}"
    last = PublicationRun.objects.filter(kind=kind).order_by("-started", "-pk").first()
    known = dict((last.report or {}).get("datasets", {})) if last else {}
    report: dict = {"datasets": dict(known), "published": [], "unchanged": [], "hidden_cells": 0}
    for key, tables in sorted(grouped.items()):
        name = _slug(key.replace("/", "-"))
        protected = [
            (table, publication.protect(table, source.protect.get(table.kind), method))
            for table in tables
        ]
        content = json.dumps(
            [[t.key, t.title, t.description, p.columns, p.rows, p.rule] for t, p in protected],
            default=publication.as_value,
            sort_keys=True,
        )
        digest = hashlib.sha256(content.encode()).hexdigest()
        current = Dataset.objects.filter(name=name, state=DatasetState.ACTIVE).first()
        if current is not None and known.get(name) == digest:
            report["unchanged"].append(name)
            continue
        dataset = _publish_group(source, name, protected, current, method)
        report["datasets"][name] = digest
        report["published"].append(dataset.name)
        report["hidden_cells"] += sum(p.hidden for _, p in protected)
    outcome = "published" if report["published"] else "unchanged"
    with transaction.atomic():
        run = PublicationRun.objects.create(
            kind=kind,
            started=started,
            finished=timezone.now(),
            outcome=outcome,
            content_hash=hashlib.sha256(
                json.dumps(report["datasets"], sort_keys=True).encode()
            ).hexdigest(),
            report=report,
            actor_label=PIPELINE_LABEL,
        )
        audit.record(
            actor=PIPELINE_LABEL,
            action=f"opendata:source:{outcome}",
            subject=run,
            after={"source": source.name, "published": report["published"]},
        )
    return run


def _publish_group(source, name: str, protected: list, current, method) -> Dataset:
    """One dataset and its tables, in one transaction (audited by the services it calls)."""
    import pyarrow as pa

    from civitas.opendata.datastore.schema import ARROW_TYPES

    first = protected[0][0]
    title = first.title.split(": ", 1)[0] if len(protected) > 1 else first.title
    rules = sorted({p.rule for _, p in protected if p.rule})
    notes = "\n\n".join(
        [
            *(f"**{t.title}.** {t.description}" for t, _ in protected),
            f"Published automatically from {settings.CIVITAS_SITE_NAME}'s {source.publisher_title.lower()} pages.",
            *([f"Disclosure control: {' '.join(rules)}"] if rules else []),
        ]
    )
    site = settings.OPENDATA_SITE_URL
    updated = max(t.updated_at for t, _ in protected)
    data = {
        "name": name,
        "title": title[:200],
        "notes": notes,
        "license_id": "cc-by",
        "tags": [{"name": tag} for tag in (*source.tags, first.kind.replace("_", " "))],
        "theme": list(source.theme),
        "frequency": "IRREG",
        "url": f"{site}{first.source_url}" if site and first.source_url.startswith("/") else "",
        "extras": [
            {"key": "source", "value": source.name},
            {"key": "data_updated", "value": updated.isoformat()},
            *([{"key": "disclosure_control", "value": " ".join(rules)}] if rules else []),
        ],
        "state": DatasetState.ACTIVE,
        "private": False,
    }
    with transaction.atomic():
        org = ensure_organization(
            actor=PIPELINE_LABEL, name=source.publisher, title=source.publisher_title
        )
        data["owner_org"] = org.name
        if current is None:
            dataset = Dataset.objects.filter(name=name).first()
            if dataset is None:
                dataset = create_dataset(access=PIPELINE, data=data).dataset
            else:
                dataset = update_dataset(access=PIPELINE, dataset=dataset, data=data)
        else:
            dataset = update_dataset(access=PIPELINE, dataset=current, data=data, partial=True)
        names = set()
        for table, result in protected:
            fields = [
                {"name": c["name"], "type": c["type"], "description": c["description"]}
                for c in result.columns
            ]
            arrow = pa.table(
                {
                    c["name"]: pa.array(
                        [row[i] for row in result.rows], type=ARROW_TYPES[c["type"]]
                    )
                    for i, c in enumerate(result.columns)
                }
            )
            resource_name = _resource_name(table.key)
            publish_table(
                dataset=dataset,
                name=resource_name,
                description=f"{table.title}. {table.description}",
                table=arrow,
                fields=fields,
            )
            names.add(resource_name)
        now = timezone.now()
        dataset.resources.filter(state=ResourceState.ACTIVE).exclude(name__in=names).update(
            state=ResourceState.DELETED, metadata_modified=now
        )
        Dataset.objects.filter(pk=dataset.pk).update(
            disclosure_control={
                "method": method.name,
                "threshold": method.threshold,
                "rounding_base": method.base if method.name == "rounding" else None,
                "summary": " ".join(rules),
                "published": now.isoformat(),
            }
            if rules
            else None,
            metadata_modified=now,
        )
        dataset.refresh_from_db()
        _bump(dataset)
        _version(dataset, change=f"{source.name} tables published", actor_label=PIPELINE_LABEL)
        _after_commit_relocate(dataset)
    return dataset
