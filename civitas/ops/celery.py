"""The Celery application for scale-out: ``celery -A civitas.ops.celery worker``.

Civitas code never calls Celery directly. Tasks are django-tasks ``@task`` functions; with
``TASKS_BACKEND=civitas.ops.tasks_backend.CeleryBackend`` enqueuing sends one generic Celery task,
``civitas.run_task``, naming the function, which a worker then runs. Settings prefixed ``CELERY_``
configure it (broker and result backend from ``CELERY_BROKER_URL``, see settings).

Delivery is at least once: a message is acknowledged only after the task finished, and redelivered
if the worker died mid-task. Tasks are written to be idempotent (ADR 4).
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civitas.config.settings")

app = Celery("civitas")
app.config_from_object("django.conf:settings", namespace="CELERY")


@app.task(name="civitas.run_task", acks_late=True, reject_on_worker_lost=True)
def run_task(module_path: str, args: list, kwargs: dict, request_id: str = ""):
    """Run the django-tasks task at ``module_path``; its return value becomes the result."""
    from django.utils.module_loading import import_string
    from django_tasks.utils import normalize_json

    from civitas.security.requestid import bind_request_id, reset_request_id

    token = bind_request_id(request_id or None)
    try:
        task = import_string(module_path)
        return normalize_json(task.call(*args, **kwargs))
    finally:
        reset_request_id(token)
