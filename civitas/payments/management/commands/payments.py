"""``civitas payments cycle --program SLUG --period YYYY-MM [--approve] [--export DIR]`` and
``civitas payments results FILE``.

Each step is safe to run again: a computed cycle is completed, never recomputed; an approved one
is not approved twice; an export issues only what is waiting and copies the same files again.
"""

from __future__ import annotations

import getpass
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from civitas.accounts.models import User
from civitas.casework.errors import ActionRefused
from civitas.payments import services
from civitas.payments.files import validate_pain001
from civitas.programs.models import Program
from civitas.registry.problems import FileRefused


def _actor(email: str | None):
    if not email:
        return f"command line ({getpass.getuser()})"
    user = User.objects.filter(email=email.lower()).first()
    if user is None:
        raise CommandError(f"--as {email}: no such account")
    return user


class Command(BaseCommand):
    help = "Payment cycles: compute, approve, export batch files; import providers' results."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        cycle = sub.add_parser("cycle", help="Compute (and optionally approve and export) a cycle.")
        cycle.add_argument("--program", required=True, help="programme slug, e.g. child-benefit")
        cycle.add_argument("--period", required=True, help="month as YYYY-MM")
        cycle.add_argument("--approve", action="store_true", help="release the payments")
        cycle.add_argument("--export", metavar="DIR", help="write the batch files into DIR")
        cycle.add_argument("--as", dest="as_user", metavar="EMAIL", help="act as this account")
        results = sub.add_parser("results", help="Import a provider's results file (CSV).")
        results.add_argument("file")
        results.add_argument("--as", dest="as_user", metavar="EMAIL")

    def handle(self, *args, action: str, **options):
        actor = _actor(options.get("as_user"))
        try:
            if action == "results":
                self._results(Path(options["file"]), actor)
            else:
                self._cycle(options, actor)
        except ActionRefused as exc:
            raise CommandError(str(exc)) from None

    def _progress(self, phase: str, done: int, total: int) -> None:
        if total:
            sys.stderr.write(f"  {phase}: {done:,}/{total:,}\n")
        else:
            sys.stderr.write(f"  {phase}\n")
        sys.stderr.flush()

    def _cycle(self, options, actor) -> None:
        program = Program.objects.filter(slug=options["program"]).first()
        if program is None:
            known = ", ".join(Program.objects.values_list("slug", flat=True))
            raise CommandError(f"--program {options['program']}: no such programme ({known})")
        started = time.perf_counter()
        outcome = services.compute_cycle(
            program=program, period=options["period"], actor=actor, progress=self._progress
        )
        cycle = outcome.cycle
        if outcome.created or outcome.added:
            self.stdout.write(
                f"cycle {program.slug} {cycle.period}: {outcome.added:,} entitlements computed "
                f"({cycle.eligible:,} entitled, total {cycle.total_amount:,.2f} {cycle.currency})"
            )
        else:
            self.stdout.write(
                f"cycle {program.slug} {cycle.period} already {cycle.status}: nothing recomputed"
            )
        if options["approve"]:
            if cycle.status == "approved":
                self.stdout.write("already approved: nothing changed")
            else:
                approval = services.approve_cycle(cycle=cycle, actor=actor)
                self.stdout.write(f"approved: {approval.payments:,} payments")
        if options["export"]:
            directory = Path(options["export"])
            export = services.export_cycle(cycle=cycle, directory=directory, actor=actor)
            self.stdout.write(
                f"exported: {len(export.issued.batches)} new batches with "
                f"{export.issued.payments:,} payments; {len(export.files)} files in {directory}"
            )
            for path in export.files:
                if path.suffix == ".xml":
                    problems = validate_pain001(path)
                    if problems:
                        raise CommandError(f"{path.name} is not valid pain.001: {problems[0]}")
        self.stdout.write(f"done in {time.perf_counter() - started:.1f} s")

    def _results(self, path: Path, actor) -> None:
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from None
        try:
            outcome = services.import_results(content=content, file_name=path.name, actor=actor)
        except FileRefused as exc:
            self.stderr.write(exc.report_csv())
            raise CommandError(f"{path.name} refused, nothing applied: {exc.summary(5)}") from None
        if not outcome.created:
            self.stdout.write(f"{path.name} was imported before: nothing changed")
            return
        self.stdout.write(
            f"{path.name}: {outcome.record.paid:,} paid, {outcome.record.failed:,} failed"
        )
