"""Scale-out on Celery and the real Redis: django-tasks ``@task`` functions run on a separate
worker process, failures come back as failures, and a population run split into partitions gives
exactly what one process computes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import polars as pl
import pytest
from django.test import override_settings

from civitas.ops.population import run_partitioned, split
from civitas.rules import load_from_mapping
from civitas.rules.batch import evaluate_population
from tests.conftest import require_service

ROOT = Path(__file__).resolve().parents[2]
PROGRAMME = ROOT / "civitas" / "demo" / "programmes" / "child-benefit"
BROKER = "redis://127.0.0.1:6379/0"


@pytest.fixture(scope="module")
def celery_worker(tmp_path_factory):
    """A real Celery worker (two processes) on its own queue of the local Redis."""
    require_service("127.0.0.1", 6379, "Redis")
    queue = f"civitas-test-{uuid.uuid4().hex[:8]}"
    private = tmp_path_factory.mktemp("private")
    env = {
        **os.environ,
        "CIVITAS_ENV": "test",
        "CIVITAS_PRIVATE_DIR": str(private),
        "CELERY_BROKER_URL": BROKER,
        "LOG_LEVEL": "WARNING",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "civitas.ops.celery",
            "worker",
            "-Q",
            queue,
            "-c",
            "2",
            "-n",
            f"{queue}@%h",
            "-l",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    settings = {
        "TASKS": {
            "default": {
                "BACKEND": "civitas.ops.tasks_backend.CeleryBackend",
                "QUEUES": ["default", queue],
            }
        },
        "STORAGES": {
            "default": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(private)},
            },
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    }
    try:
        yield {"queue": queue, "settings": settings, "process": worker, "private": private}
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)


def wait_for(result, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while not result.is_finished:
        assert time.monotonic() < deadline, "the worker did not run the task in time"
        time.sleep(0.2)
        result.refresh()
    return result


def test_a_task_runs_on_the_worker_not_in_the_caller(celery_worker):
    from tests.ops.celery_tasks import where

    with override_settings(**celery_worker["settings"]):
        result = where.using(queue_name=celery_worker["queue"]).enqueue(21)
        assert result.status == "READY"
        wait_for(result)
        assert result.status == "SUCCESSFUL"
        assert result.return_value["double"] == 42
        assert result.return_value["pid"] != os.getpid()
        again = where.get_result(result.id)
        assert again.return_value == result.return_value and again.args == [21]


def test_a_failing_task_is_reported_as_failed(celery_worker):
    from tests.ops.celery_tasks import fails

    with override_settings(**celery_worker["settings"]):
        result = wait_for(fails.using(queue_name=celery_worker["queue"]).enqueue())
    assert result.status == "FAILED"
    assert result.errors[-1].exception_class_path.endswith("ValueError")
    assert "always fails" in result.errors[-1].traceback


def _population():
    from civitas.demo.population import generate

    persons, households = [], []
    for _number, home in enumerate(generate(households=300, seed=8)):
        households.append(
            {"household_id": home.reference, "rent": home.monthly_rent, "region": home.region}
        )
        for member in home.members:
            persons.append(
                {
                    "person_id": member.national_id,
                    "household_id": home.reference,
                    "role": member.role,
                    "birth": member.birth_date,
                    "sex": member.sex,
                    "income": member.monthly_income,
                    "pregnant": member.pregnant,
                }
            )
    return pl.DataFrame(persons), pl.DataFrame(households)


def test_split_keeps_every_household_whole_and_in_order():
    persons, households = _population()
    parts = split(persons, households, 4)
    assert len(parts) == 4
    assert pl.concat([h for _, h in parts]).equals(households)
    for people, homes in parts:
        assert set(people["household_id"]) <= set(homes["household_id"])
    assert sum(p.height for p, _ in parts) == persons.height


def test_a_population_run_in_partitions_on_workers_equals_one_process(celery_worker):
    from civitas.demo.services import read_rules_folder

    sources = read_rules_folder(PROGRAMME)
    persons, households = _population()
    single = evaluate_population(load_from_mapping(sources), "2026-03", persons, households)
    with override_settings(**celery_worker["settings"]):
        result = run_partitioned(
            sources=sources,
            period="2026-03",
            persons=persons,
            households=households,
            partitions=3,
            queue_name=celery_worker["queue"],
            timeout=120,
        )
    assert result.partitions == 3
    for entity, table in single.tables.items():
        assert result.tables[entity].equals(table), entity
    leftovers = list((celery_worker["private"] / "population-runs").rglob("*.parquet"))
    assert leftovers == [], "personal data of the run is removed once gathered"


@pytest.mark.django_db
def test_readiness_checks_the_broker_when_celery_runs_the_tasks(client, celery_worker):
    with override_settings(**celery_worker["settings"]):
        body = client.get("/readyz").json()
    assert body["checks"]["broker"] == "ok"
