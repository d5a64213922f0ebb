"""Background work of the open data portal. Tasks only call services."""

from __future__ import annotations

from django_tasks import task

from civitas.opendata import services


@task()
def publish_statistics() -> dict:
    """Publish the statistics from operations and every registered source's tables (idempotent:
    unchanged data publishes nothing).
    Schedule it monthly with the worker's scheduler or cron: ``civitas opendata publish-statistics``."""
    run = services.publish_statistics()
    sources = {r.kind: r.outcome for r in services.publish_sources()}
    return {"outcome": run.outcome, "content_hash": run.content_hash, "sources": sources}


@task()
def relocate_files(dataset_id: str) -> int:
    """Bring a dataset's files to the storage target its visibility calls for (a retry path for
    the move that normally runs right after the commit)."""
    return services.relocate_files(dataset_id=dataset_id)
