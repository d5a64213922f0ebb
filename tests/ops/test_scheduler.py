"""Periodic jobs: a real scheduler process puts a due programme version in force; two schedulers
never run the same slot twice; a run whose process died is taken over once; failures are kept
with their reason; and the Helm CronJobs and the compose file run the same jobs on the same
schedules as the table in civitas/ops/scheduler.py."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from django.db import connection
from django.utils import timezone

from civitas.audit.models import AuditEvent
from civitas.ops import scheduler
from civitas.ops.models import JobRun, RunStatus
from tests.ops.helm_render import render_chart

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "deploy" / "helm" / "civitas"


# --- helpers ----------------------------------------------------------------------------------------
def _child_env() -> dict:
    """This test database for a separate ``civitas`` process (the same keys and var dir)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        env["DATABASE_URL"] = "sqlite:///" + str(db["NAME"])
    else:
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}{password}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
            f"/{db['NAME']}"
        )
    env["LOG_LEVEL"] = "WARNING"
    return env


def _civitas(*args: str) -> list[str]:
    return [sys.executable, "-m", "civitas.manage", *args]


def _scheduled_version(today: date):
    """An emergency programme approved for next week, then its date come (the clock moved)."""
    from civitas.accounts.models import User
    from civitas.programs.models import ProgramVersion
    from civitas.studio import services

    author = User.objects.get(email="policy@demo.civitas.example")
    approver = User.objects.get(email="approver@demo.civitas.example")
    start = today + timedelta(days=7)
    version = services.start_emergency_programme(
        actor=author,
        slug="flood-relief",
        name="Flood relief",
        start=start,
        end=start + timedelta(days=90),
        reference="Flood Emergency Decree 2026, art. 2",
    )
    services.submit_for_review(actor=author, version=version)
    assert services.approve(actor=approver, version=version) == "scheduled"
    ProgramVersion.objects.filter(pk=version.pk).update(effective_from=today)
    return version


# --- a real scheduler process ------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_a_scheduler_process_puts_a_due_version_in_force_and_records_the_run(demo_country):
    from civitas.programs.models import Program, ProgramVersion

    version = _scheduled_version(timezone.localdate())
    process = subprocess.Popen(
        _civitas("scheduler", "loop", "--job", "activate-due-versions", "--tick", "1"),
        env=_child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if ProgramVersion.objects.get(pk=version.pk).status == "in_force":
                break
            assert process.poll() is None, process.stdout.read()
            time.sleep(0.3)
        deadline = time.monotonic() + 30  # the run is recorded just after the command returns
        while time.monotonic() < deadline:
            if JobRun.objects.filter(status=RunStatus.SUCCEEDED).exists():
                break
            time.sleep(0.2)
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=30)[0]
    assert process.returncode == 0, output
    assert ProgramVersion.objects.get(pk=version.pk).status == "in_force", output
    assert Program.objects.get(slug="flood-relief").is_published
    [run] = JobRun.objects.all()
    assert run.job == "activate-due-versions" and run.status == RunStatus.SUCCEEDED
    assert "flood-relief v1: in force" in run.output
    assert run.slot == scheduler.job_named(run.job).schedule.last(run.started_at)
    actions = list(AuditEvent.objects.filter(action__startswith="ops:job:").values_list("action"))
    assert actions == [("ops:job:started",), ("ops:job:succeeded",)]


def _hold_the_write_lock():
    """Hold the database's write lock from another connection, so schedulers started now queue
    on it and then race for the same slot when it is released."""
    if connection.vendor == "sqlite":
        raw = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None, timeout=30)
        raw.execute("BEGIN IMMEDIATE")
        return raw
    import psycopg

    raw = psycopg.connect(_child_env()["DATABASE_URL"])
    raw.execute("LOCK TABLE ops_jobrun IN EXCLUSIVE MODE")  # reads pass, inserts wait
    return raw


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_once_run_each_slot_once(demo_country):
    from civitas.programs.models import ProgramVersion

    version = _scheduled_version(timezone.localdate())
    at = timezone.localtime().replace(tzinfo=None).isoformat(timespec="minutes")
    command = _civitas(
        "scheduler", "run-due", "--job", "activate-due-versions", "--job", "purge", "--at", at
    )
    lock = _hold_the_write_lock()
    try:
        processes = [
            subprocess.Popen(
                command,
                env=_child_env(),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for _ in range(2)
        ]
        time.sleep(5)  # both are started and waiting for the lock
    finally:
        lock.rollback() if connection.vendor != "sqlite" else lock.execute("ROLLBACK")
        lock.close()
    outputs = [p.communicate(timeout=120)[0] for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    runs = list(JobRun.objects.order_by("job"))
    assert [(r.job, r.status) for r in runs] == [
        ("activate-due-versions", RunStatus.SUCCEEDED),
        ("purge", RunStatus.SUCCEEDED),
    ], outputs
    assert sum(int(o.strip().rsplit("\n", 1)[-1].split()[0]) for o in outputs) == 2, outputs
    # the jobs' own effects happened once: one purge in the audit trail, one activation
    assert AuditEvent.objects.filter(action="ops:retention:purged").count() == 1
    activations = AuditEvent.objects.filter(
        action="programs:version:in_force", subject_id=str(version.pk)
    )
    assert activations.count() == 1
    assert ProgramVersion.objects.get(pk=version.pk).status == "in_force"


# --- slots, leases and failures (in this process) -------------------------------------------------
def _at(text: str) -> datetime:
    return timezone.make_aware(datetime.fromisoformat(text))


def test_slots_are_the_latest_scheduled_moment():
    daily, hourly = scheduler.Daily(hour=3, minute=30), scheduler.Hourly(minute=1)
    assert daily.last(_at("2026-11-26T03:29")) == _at("2026-11-25T03:30")
    assert daily.last(_at("2026-11-26T03:30")) == _at("2026-11-26T03:30")
    assert daily.next(_at("2026-11-26T03:30")) == _at("2026-11-27T03:30")
    assert hourly.last(_at("2026-11-26T10:00")) == _at("2026-11-26T09:01")
    assert hourly.next(_at("2026-11-26T10:00")) == _at("2026-11-26T10:01")
    assert (daily.cron, hourly.cron) == ("30 3 * * *", "1 * * * *")


@pytest.mark.django_db
def test_a_slot_is_claimed_once_and_a_dead_run_is_taken_over_once():
    job = scheduler.Job("test-job", ("check",), scheduler.Hourly(), "test", timedelta(minutes=10))
    now = _at("2026-11-26T10:05")
    slot = job.schedule.last(now)
    first = scheduler.claim(job, slot, now=now, owner="host-a:1")
    assert first is not None and first.attempt == 1
    assert scheduler.claim(job, slot, now=now + timedelta(minutes=5), owner="host-b:2") is None
    later = now + timedelta(minutes=11)  # host-a died: its lease ran out
    taken = scheduler.claim(job, slot, now=later, owner="host-b:2")
    assert taken is not None and taken.owner == "host-b:2" and taken.attempt == 2
    assert scheduler.claim(job, slot, now=later, owner="host-c:3") is None
    # host-a comes back and finishes: its outcome is not recorded over host-b's run
    assert not scheduler._finish(first, status=RunStatus.SUCCEEDED, output="late", seconds=1)
    assert scheduler.execute(job, taken).status == RunStatus.SUCCEEDED
    assert JobRun.objects.get().output.strip() == "System check identified no issues (0 silenced)."
    actions = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))
    assert actions == ["ops:job:started", "ops:job:taken_over", "ops:job:succeeded"]


@pytest.mark.django_db
def test_a_failing_job_is_recorded_with_its_reason_and_the_others_still_run():
    bad = scheduler.Job(
        "bad", ("studio", "activate-due", "--date", "soon"), scheduler.Hourly(), "fails"
    )
    good = scheduler.Job("good", ("check",), scheduler.Hourly(), "works")
    runs = scheduler.run_due([bad, good], now=_at("2026-11-26T10:05"), owner="here:1")
    assert [(r.job, r.status) for r in runs] == [("bad", "failed"), ("good", "succeeded")]
    assert "--date must be YYYY-MM-DD" in runs[0].output
    assert scheduler.run_due([bad, good], now=_at("2026-11-26T10:59")) == []  # same slot
    assert len(scheduler.run_due([bad, good], now=_at("2026-11-26T11:01"))) == 2  # next slot
    [bad_status, _] = scheduler.status([bad, good], now=_at("2026-11-26T11:30"))
    assert bad_status.last.status == "failed" and bad_status.last_success is None
    assert bad_status.next_slot == _at("2026-11-26T12:00")


@pytest.mark.django_db
def test_the_status_command_lists_every_job():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("scheduler", "status", stdout=out)
    for job in scheduler.JOBS:
        assert f"{job.name}: {job.schedule}; never run" in out.getvalue()


# --- deployment runs the same jobs ------------------------------------------------------------------
def test_the_helm_chart_has_a_cronjob_per_job_on_the_same_schedule():
    docs = [d for docs in render_chart(CHART).values() for d in docs if d["kind"] == "CronJob"]
    by_job = {
        d["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["args"][3]: d
        for d in docs
    }
    assert set(by_job) == {job.name for job in scheduler.JOBS}
    for job in scheduler.JOBS:
        cron = by_job[job.name]["spec"]
        assert cron["schedule"] == job.schedule.cron, job.name
        assert cron["timeZone"] == "UTC" and cron["concurrencyPolicy"] == "Forbid"
        pod = cron["jobTemplate"]["spec"]["template"]["spec"]
        [container] = pod["containers"]
        assert container["args"] == ["civitas", "scheduler", "run", job.name]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["automountServiceAccountToken"] is False
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert "/tmp" in {m["mountPath"] for m in container["volumeMounts"]}
    assert not [
        d
        for docs in render_chart(CHART, values={"scheduler": {"enabled": False}}).values()
        for d in docs
        if d["kind"] == "CronJob"
    ]
    zoned = render_chart(CHART, values={"config": {"TIME_ZONE": "Africa/Nairobi"}})
    assert {d["spec"]["timeZone"] for d in zoned["cronjobs.yaml"]} == {"Africa/Nairobi"}


def test_compose_runs_one_scheduler_locked_down_like_the_other_services():
    services = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())["services"]
    scheduler_service = services["scheduler"]
    assert scheduler_service["command"] == ["civitas", "scheduler", "loop"]
    assert scheduler_service["read_only"] is True and scheduler_service["cap_drop"] == ["ALL"]
    migrate = scheduler_service["depends_on"]["migrate"]["condition"]
    assert migrate == "service_completed_successfully"
