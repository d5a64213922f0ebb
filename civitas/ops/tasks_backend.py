"""A django-tasks backend that enqueues to Celery, so the same ``@task`` functions run on Celery
workers when one machine is not enough (ADR 4 and ADR 70).

``TASKS = {"default": {"BACKEND": "civitas.ops.tasks_backend.CeleryBackend", "QUEUES": [...]}}``.
Each django-tasks queue name is used as the Celery queue; start workers with ``-Q default,...``.
Results are kept in the Celery result backend (Redis) for ``CELERY_RESULT_EXPIRES`` seconds.
"""

from __future__ import annotations

import json
from datetime import datetime

from celery.result import AsyncResult
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.backends.base import BaseTaskBackend
from django_tasks.base import Task, TaskError, TaskResult, TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist
from django_tasks.utils import get_random_id

from civitas.security.requestid import current_request_id

_STATES = {
    "PENDING": TaskResultStatus.READY,
    "RECEIVED": TaskResultStatus.READY,
    "RETRY": TaskResultStatus.READY,
    "STARTED": TaskResultStatus.RUNNING,
    "SUCCESS": TaskResultStatus.SUCCESSFUL,
    "FAILURE": TaskResultStatus.FAILED,
    "REVOKED": TaskResultStatus.FAILED,
}


def _meta_key(result_id: str) -> str:
    return f"civitas-task-meta-{result_id}"


def _celery_priority(priority: int) -> int:
    """django-tasks priorities run -100..100 (higher first); Celery's 0..9 (0 first on Redis)."""
    return round((100 - priority) * 9 / 200)


class CeleryBackend(BaseTaskBackend):
    supports_defer = True
    supports_async_task = True
    supports_get_result = True
    supports_priority = True

    @property
    def app(self):
        from civitas.ops.celery import app

        return app

    def _results(self):
        """The Redis client of Celery's result backend, where each task's description is kept."""
        client = getattr(self.app.backend, "client", None)
        if client is None:
            raise ImproperlyConfigured(
                "CeleryBackend needs a Redis result backend (CELERY_RESULT_BACKEND)"
            )
        return client

    def _expires(self) -> int:
        expires = self.app.conf.result_expires
        return int(
            expires.total_seconds() if hasattr(expires, "total_seconds") else expires or 86400
        )

    def enqueue(self, task: Task, args, kwargs) -> TaskResult:
        self.validate_task(task)
        result_id = get_random_id()
        enqueued_at = timezone.now()
        result = TaskResult(
            task=task,
            id=result_id,
            status=TaskResultStatus.READY,
            enqueued_at=enqueued_at,
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=list(args),
            kwargs=dict(kwargs),
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        meta = {
            "module_path": task.module_path,
            "queue_name": task.queue_name,
            "priority": task.priority,
            "args": result.args,
            "kwargs": result.kwargs,
            "enqueued_at": enqueued_at.isoformat(),
        }
        self._results().set(_meta_key(result_id), json.dumps(meta), ex=self._expires())
        self.app.send_task(
            "civitas.run_task",
            args=[task.module_path, result.args, result.kwargs, current_request_id()],
            task_id=result_id,
            queue=task.queue_name,
            eta=task.run_after,
            priority=_celery_priority(task.priority),
        )
        return result

    def get_result(self, result_id: str) -> TaskResult:
        raw = self._results().get(_meta_key(result_id))
        if raw is None:
            raise TaskResultDoesNotExist(result_id)
        meta = json.loads(raw)
        task = import_string(meta["module_path"])
        task = task.using(
            queue_name=meta["queue_name"], priority=meta["priority"], backend=self.alias
        )
        outcome = AsyncResult(result_id, app=self.app)
        status = _STATES.get(outcome.state, TaskResultStatus.READY)
        finished = outcome.date_done if status in {"SUCCESSFUL", "FAILED"} else None
        errors = []
        if status == TaskResultStatus.FAILED:
            exc = outcome.result
            errors.append(
                TaskError(
                    exception_class_path=f"{type(exc).__module__}.{type(exc).__qualname__}",
                    traceback=outcome.traceback or "",
                )
            )
        result = TaskResult(
            task=task,
            id=result_id,
            status=status,
            enqueued_at=datetime.fromisoformat(meta["enqueued_at"]),
            started_at=None,
            last_attempted_at=None,
            finished_at=finished,
            args=meta["args"],
            kwargs=meta["kwargs"],
            backend=self.alias,
            errors=errors,
            worker_ids=[outcome.worker] if getattr(outcome, "worker", None) else [],
        )
        if status == TaskResultStatus.SUCCESSFUL:
            object.__setattr__(result, "_return_value", outcome.result)
        return result
