"""Follow-up work is queued with the write that causes it: both commit, or neither."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import override_settings
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from civitas.db.outbox import enqueue_on_commit

pytestmark = pytest.mark.django_db(transaction=True)

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
ran: list[int] = []


@task()
def remember(value: int) -> int:
    ran.append(value)
    return value


@override_settings(TASKS=DATABASE_QUEUE)
def test_database_queue_row_is_written_in_the_transaction():
    with transaction.atomic():
        enqueue_on_commit(remember, 1)
        assert DBTaskResult.objects.count() == 1  # the same transaction: no second write later
    assert DBTaskResult.objects.get().args_kwargs == {"args": [1], "kwargs": {}}


@override_settings(TASKS=DATABASE_QUEUE)
def test_database_queue_row_rolls_back_with_the_write():
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_on_commit(remember, 2)
        raise RuntimeError("the write failed")
    assert not DBTaskResult.objects.exists()


@override_settings(TASKS=IMMEDIATE)
def test_other_backends_run_only_after_commit():
    ran.clear()
    with transaction.atomic():
        enqueue_on_commit(remember, 3)
        assert ran == []  # nothing leaves before the commit
    assert ran == [3]
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_on_commit(remember, 4)
        raise RuntimeError("rolled back")
    assert ran == [3]
