"""Periodic jobs: one declared table, run once per slot however many schedulers are running.

``JOBS`` lists every job the platform runs by the clock: a name, the ``civitas`` command it runs
and its schedule. On one machine ``civitas serve`` starts ``civitas scheduler loop`` beside the web
server and the worker; in a cluster the Helm chart has one CronJob per job running
``civitas scheduler run <job>`` (``deploy/helm/civitas/values.yaml`` repeats the schedules as cron
expressions; a test keeps the two equal).

A *slot* is the scheduled moment a run stands for (for a daily job at 03:30, each day's 03:30 in
the platform's time zone). Whoever inserts the ``JobRun`` row for (job, slot) runs the job; the
unique constraint turns every other scheduler away, so two schedulers, a scheduler and a CronJob,
or a CronJob retried by Kubernetes never run a slot twice. A slot missed while nothing was running
is caught up once, at the next start. A run still ``running`` when its lease has expired is taken
to have died with its process and is taken over once by the next scheduler that looks.

Run states (``JobRun.status``): running → succeeded | failed, and running → running when another
scheduler takes over an expired lease. Every change is audited as ``ops:job:<what>``; the jobs
audit their own effects.
"""

from __future__ import annotations

import io
import logging
import os
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, close_old_connections, transaction
from django.db.models import F
from django.utils import timezone

from civitas.audit import services as audit
from civitas.ops.models import JobRun, RunStatus

logger = logging.getLogger("civitas.scheduler")

ACTOR = "scheduler"
OUTPUT_CHARS = 4000  # the tail of a command's output kept with its run

# Allowed changes of JobRun.status; the conditional UPDATEs below are the guards.
TRANSITIONS = {
    RunStatus.RUNNING: {RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.RUNNING},
    RunStatus.SUCCEEDED: set(),
    RunStatus.FAILED: set(),
}


# --- schedules ----------------------------------------------------------------------------------
def _local(now: datetime) -> datetime:
    return timezone.localtime(now).replace(tzinfo=None)  # wall-clock time in TIME_ZONE


def _aware(wall: datetime) -> datetime:
    return timezone.make_aware(wall)


@dataclass(frozen=True)
class Hourly:
    """Every hour at ``minute`` past."""

    minute: int = 0

    def last(self, now: datetime) -> datetime:
        wall = _local(now).replace(minute=self.minute, second=0, microsecond=0)
        if wall > _local(now):
            wall -= timedelta(hours=1)
        return _aware(wall)

    def next(self, now: datetime) -> datetime:
        return _aware(_local(self.last(now)) + timedelta(hours=1))

    @property
    def cron(self) -> str:
        return f"{self.minute} * * * *"

    def __str__(self) -> str:
        return f"every hour at :{self.minute:02d}"


@dataclass(frozen=True)
class Daily:
    """Every day at ``hour``:``minute`` in the platform's time zone."""

    hour: int
    minute: int = 0

    def last(self, now: datetime) -> datetime:
        wall = _local(now).replace(hour=self.hour, minute=self.minute, second=0, microsecond=0)
        if wall > _local(now):
            wall -= timedelta(days=1)
        return _aware(wall)

    def next(self, now: datetime) -> datetime:
        return _aware(_local(self.last(now)) + timedelta(days=1))

    @property
    def cron(self) -> str:
        return f"{self.minute} {self.hour} * * *"

    def __str__(self) -> str:
        return f"every day at {self.hour:02d}:{self.minute:02d}"


@dataclass(frozen=True)
class Job:
    name: str
    command: tuple[str, ...]  # a ``civitas`` command and its arguments
    schedule: Hourly | Daily
    purpose: str
    lease: timedelta = timedelta(hours=1)  # longer than the job ever takes


JOBS: tuple[Job, ...] = (
    Job(
        "activate-due-versions",
        ("studio", "activate-due"),
        Hourly(minute=1),
        "Put scheduled programme versions in force when their date comes (ADR 0080).",
        lease=timedelta(minutes=30),
    ),
    Job(
        "purge",
        ("purge",),
        Daily(hour=3, minute=30),
        "Delete records past their retention period (civitas/ops/retention.py).",
    ),
    Job(
        "publish-statistics",
        ("opendata", "publish-statistics"),
        Daily(hour=4, minute=15),
        "Publish the anonymised statistics of operations as open data (idempotent).",
        lease=timedelta(hours=2),
    ),
)


def job_named(name: str, jobs: Iterable[Job] = JOBS) -> Job:
    for job in jobs:
        if job.name == name:
            return job
    raise KeyError(name)


def owner_label() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


# --- claiming and running one slot -------------------------------------------------------------
def claim(job: Job, slot: datetime, *, now: datetime, owner: str) -> JobRun | None:
    """The run of ``job`` for ``slot`` if this scheduler may run it, else None (someone else
    has it, or it is done)."""
    if not JobRun.objects.filter(job=job.name, slot=slot).exists():
        try:
            with transaction.atomic():
                run = JobRun.objects.create(
                    job=job.name,
                    slot=slot,
                    owner=owner,
                    started_at=now,
                    lease_until=now + job.lease,
                )
                audit.record(
                    actor=ACTOR,
                    action="ops:job:started",
                    subject=run,
                    after={"job": job.name, "slot": slot, "owner": owner},
                )
                return run
        except IntegrityError:  # another scheduler inserted it first
            return None
    with transaction.atomic():
        taken = JobRun.objects.filter(
            job=job.name, slot=slot, status=RunStatus.RUNNING, lease_until__lt=now
        ).update(owner=owner, attempt=F("attempt") + 1, started_at=now, lease_until=now + job.lease)
        if not taken:
            return None
        run = JobRun.objects.get(job=job.name, slot=slot)
        audit.record(
            actor=ACTOR,
            action="ops:job:taken_over",
            subject=run,
            after={"job": job.name, "slot": slot, "owner": owner, "attempt": run.attempt},
        )
        return run


def _finish(run: JobRun, *, status: str, output: str, seconds: float) -> bool:
    assert status in TRANSITIONS[RunStatus.RUNNING]
    with transaction.atomic():
        changed = JobRun.objects.filter(
            pk=run.pk, owner=run.owner, status=RunStatus.RUNNING
        ).update(status=status, finished_at=timezone.now(), output=output[-OUTPUT_CHARS:])
        if not changed:  # our lease ran out and another scheduler took the run over
            logger.warning("job %s: run %s was taken over; its outcome is theirs", run.job, run.pk)
            return False
        audit.record(
            actor=ACTOR,
            action=f"ops:job:{status}",
            subject=run,
            before={"status": RunStatus.RUNNING},
            after={
                "job": run.job,
                "slot": run.slot,
                "attempt": run.attempt,
                "seconds": round(seconds, 3),
            },
        )
    run.status = status
    return True


def execute(job: Job, run: JobRun) -> JobRun:
    """Run the job's command for a claimed run and record the outcome."""
    out = io.StringIO()
    started = time.perf_counter()
    try:
        call_command(*job.command, stdout=out, stderr=out)
    except (Exception, SystemExit) as exc:  # any failure is recorded; the scheduler goes on
        logger.exception("job %s failed", job.name)
        text = out.getvalue() + f"\n{type(exc).__name__}: {exc}"
        _finish(run, status=RunStatus.FAILED, output=text, seconds=time.perf_counter() - started)
    else:
        _finish(
            run,
            status=RunStatus.SUCCEEDED,
            output=out.getvalue(),
            seconds=time.perf_counter() - started,
        )
    run.refresh_from_db()
    return run


def run_job(job: Job, *, now: datetime | None = None, owner: str | None = None) -> JobRun | None:
    """Run ``job`` for its latest slot unless that slot was run (or is running) already.
    Returns the run, or None when another scheduler has the slot."""
    now = now or timezone.now()
    run = claim(job, job.schedule.last(now), now=now, owner=owner or owner_label())
    if run is None:
        return None
    logger.info("job %s: running slot %s (attempt %s)", job.name, run.slot, run.attempt)
    return execute(job, run)


def run_due(
    jobs: Iterable[Job] = JOBS, *, now: datetime | None = None, owner: str | None = None
) -> list[JobRun]:
    """One pass: every job whose latest slot nobody has run yet, one after another."""
    owner = owner or owner_label()
    done = []
    for job in jobs:
        run = run_job(job, now=now, owner=owner)
        if run is not None:
            done.append(run)
    return done


def next_wake(jobs: Iterable[Job], now: datetime) -> datetime:
    return min(job.schedule.next(now) for job in jobs)


def loop(jobs: Iterable[Job] = JOBS, *, stop: threading.Event, tick: float = 60.0) -> None:
    """Run due jobs until ``stop`` is set, waking at the next slot or every ``tick`` seconds
    (so a run whose lease expired elsewhere is taken over, and a database that was down is
    tried again)."""
    jobs = tuple(jobs)
    owner = owner_label()
    logger.info("scheduler %s started: %s", owner, ", ".join(j.name for j in jobs))
    while not stop.is_set():
        close_old_connections()
        try:
            run_due(jobs, owner=owner)
        except DatabaseError:  # e.g. migrations not applied yet, or the database restarting
            logger.exception("scheduler: the database is not available; trying again")
        close_old_connections()
        wait = (next_wake(jobs, timezone.now()) - timezone.now()).total_seconds()
        stop.wait(max(0.5, min(tick, wait + 0.5)))
    logger.info("scheduler %s stopped", owner)


# --- reading -------------------------------------------------------------------------------------
@dataclass
class JobStatus:
    job: Job
    last: JobRun | None
    last_success: JobRun | None
    next_slot: datetime


def status(jobs: Iterable[Job] = JOBS, *, now: datetime | None = None) -> list[JobStatus]:
    now = now or timezone.now()
    rows = []
    for job in jobs:
        runs = JobRun.objects.filter(job=job.name).order_by("-slot")
        rows.append(
            JobStatus(
                job=job,
                last=runs.first(),
                last_success=runs.filter(status=RunStatus.SUCCEEDED).first(),
                next_slot=job.schedule.next(now),
            )
        )
    return rows
