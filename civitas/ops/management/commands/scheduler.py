"""``civitas scheduler loop|run-due|run JOB|status``: the periodic jobs of civitas/ops/scheduler.py.

``loop`` is what ``civitas serve`` starts on one machine; ``run JOB`` is what each Helm CronJob
runs. Any number of them may run at once: each slot of each job runs once.
"""

from __future__ import annotations

import signal
import threading
from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from civitas.ops import scheduler
from civitas.ops.models import RunStatus


def _when(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError("--at must be a date and time, e.g. 2026-11-26T04:15") from None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


class Command(BaseCommand):
    help = "Periodic jobs: run them by the clock (loop), once (run-due, run JOB), or show them."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        loop = sub.add_parser("loop", help="run due jobs until stopped (SIGTERM or Ctrl+C)")
        loop.add_argument("--tick", type=float, default=60.0, help="seconds between checks")
        due = sub.add_parser("run-due", help="run every job whose latest slot has not run")
        due.add_argument("--at", help="act as at this local time (YYYY-MM-DDTHH:MM)")
        names = [job.name for job in scheduler.JOBS]
        for parser_ in (loop, due):
            parser_.add_argument(
                "--job",
                action="append",
                choices=names,
                help="only this job (repeat for more; default: every job)",
            )
        one = sub.add_parser("run", help="run one job for its latest slot (a CronJob's command)")
        one.add_argument("job", choices=names)
        one.add_argument("--at", help="act as at this local time (YYYY-MM-DDTHH:MM)")
        sub.add_parser("status", help="each job's schedule, last run and next slot")

    def handle(self, *args, action: str, **options):
        chosen = options.get("job") if action != "run" else None
        jobs = tuple(j for j in scheduler.JOBS if not chosen or j.name in chosen)
        if action == "loop":
            stop = threading.Event()

            def request_stop(signum, frame):
                stop.set()

            signal.signal(signal.SIGTERM, request_stop)
            signal.signal(signal.SIGINT, request_stop)
            scheduler.loop(jobs, stop=stop, tick=max(0.5, options["tick"]))
            return
        if action == "status":
            self._status()
            return
        now = _when(options.get("at"))
        if action == "run":
            job = scheduler.job_named(options["job"])
            run = scheduler.run_job(job, now=now)
            if run is None:
                self.stdout.write(f"{job.name}: this slot has already run or is running elsewhere")
                return
            self._report(run)
            if run.status != RunStatus.SUCCEEDED:
                raise SystemExit(1)  # the CronJob's pod fails, so Kubernetes shows it
            return
        runs = scheduler.run_due(jobs, now=now)
        for run in runs:
            self._report(run)
        self.stdout.write(f"{len(runs)} job(s) run")

    def _report(self, run) -> None:
        local = timezone.localtime(run.slot)
        self.stdout.write(f"{run.job} (slot {local:%Y-%m-%d %H:%M}): {run.status}")
        if run.output.strip():
            self.stdout.write("  " + run.output.strip().replace("\n", "\n  "))

    def _status(self) -> None:
        for row in scheduler.status():
            last = row.last
            said = (
                f"last slot {timezone.localtime(last.slot):%Y-%m-%d %H:%M} {last.status}"
                if last
                else "never run"
            )
            success = (
                f", last success {timezone.localtime(row.last_success.finished_at):%Y-%m-%d %H:%M}"
                if row.last_success and row.last_success.finished_at
                else ""
            )
            self.stdout.write(
                f"{row.job.name}: {row.job.schedule}; {said}{success}; "
                f"next {timezone.localtime(row.next_slot):%Y-%m-%d %H:%M}"
            )
