"""``civitas enrolment proactive --program SLUG --period YYYY-MM [--no-invite]``: run a
programme's eligibility over the whole registry and invite who qualifies but has not applied,
showing progress on the terminal."""

from __future__ import annotations

import getpass
import sys

from django.core.management.base import BaseCommand, CommandError

from civitas.casework.errors import ActionRefused
from civitas.casework.services import proactive
from civitas.programs.models import Program


class Command(BaseCommand):
    help = "Enrolment tools: proactive eligibility runs over the registry."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("proactive", help="Find and invite people who qualify.")
        run.add_argument("--program", required=True)
        run.add_argument("--period", required=True, help="month as YYYY-MM")
        run.add_argument("--no-invite", action="store_true", help="count only, invite nobody")

    def handle(self, *args, **options):
        program = Program.objects.filter(slug=options["program"]).first()
        if program is None:
            raise CommandError(f"--program {options['program']}: no such programme")
        try:
            queued = proactive.start_run(
                program=program,
                period=options["period"],
                actor=f"command line ({getpass.getuser()})",
                invite=not options["no_invite"],
            )
        except ActionRefused as exc:
            raise CommandError(str(exc)) from None
        run = proactive.execute_run(queued.pk, report=self._report)
        if run.status != "done":
            raise CommandError(f"the run failed: {run.message}")
        self.stdout.write(
            f"{program.slug} {run.period}: {run.households:,} households, {run.eligible:,} "
            f"qualify, {run.already_known:,} already enrolled/applied/invited, "
            f"{run.invited:,} invited"
        )

    def _report(self, run) -> None:
        sys.stderr.write(
            f"  {run.phase}: {run.processed:,}/{run.households:,} households ({run.percent}%)\n"
        )
        sys.stderr.flush()
