"""Tasks the Celery tests enqueue (module level, so a worker process can import them)."""

from __future__ import annotations

import os

from django_tasks import task


@task()
def where(value: int) -> dict:
    return {"pid": os.getpid(), "double": value * 2}


@task()
def fails() -> None:
    raise ValueError("this task always fails")
