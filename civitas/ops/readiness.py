"""What ``/readyz`` checks. Each check answers within about two seconds or counts as failed."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import caches
from django.db import connections
from django.db.migrations.executor import MigrationExecutor

logger = logging.getLogger(__name__)
_migrated: set[str] = set()  # once a database is migrated it stays so for this process


@dataclass
class Report:
    checks: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(value == "ok" for value in self.checks.values())


def _database(alias: str = "default") -> str:
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    if alias not in _migrated:
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            return "migrations pending"
        _migrated.add(alias)
    return "ok"


def _cache() -> str:
    cache = caches["default"]
    cache.set("civitas:readyz", "1", timeout=10)
    return "ok" if cache.get("civitas:readyz") == "1" else "cache does not keep values"


def _broker() -> str:
    from civitas.ops.celery import app

    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, timeout=2)
    return "ok"


def check_all() -> Report:
    report = Report()
    checks = {"database": _database, "cache": _cache}
    if settings.TASKS["default"]["BACKEND"].endswith("CeleryBackend"):
        checks["broker"] = _broker
    for name, check in checks.items():
        try:
            report.checks[name] = check()
        except Exception as exc:  # a probe reports, it never raises
            logger.warning("readiness check %s failed: %s", name, exc.__class__.__name__)
            report.checks[name] = f"unavailable ({exc.__class__.__name__})"
    return report
