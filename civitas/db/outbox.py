"""Queueing background work that must happen if, and only if, a write commits."""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, router, transaction
from django_tasks_db.backend import DatabaseBackend


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Queue ``task`` to run once the surrounding transaction commits, never if it rolls back.

    With the database queue (the default) the task's row is written inside the same transaction:
    a transactional outbox. The write and its follow-up commit together or not at all (a crash
    between the two cannot lose the follow-up), the worker cannot see the row before the commit,
    and the request makes one write transaction instead of two. Other backends (Celery on a
    broker, the immediate backend of the tests) are called after the commit, so nothing runs or
    leaves the machine for a write that did not happen.
    """
    if isinstance(task.get_backend(), DatabaseBackend) and _queue_database() == DEFAULT_DB_ALIAS:
        task.enqueue(*args, **kwargs)
    else:
        transaction.on_commit(lambda: task.enqueue(*args, **kwargs))


def _queue_database() -> str:
    from django_tasks_db.models import DBTaskResult  # after the apps are loaded

    return router.db_for_write(DBTaskResult)
