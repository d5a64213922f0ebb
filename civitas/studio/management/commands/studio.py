"""``civitas studio activate-due [--date YYYY-MM-DD]``: put scheduled programme versions whose
date has come in force (retiring the version before each). Run it daily (cron or the task
``civitas.studio.tasks.activate_due_versions``); running it twice does nothing the second time."""

from __future__ import annotations

import getpass
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from civitas.studio import services


class Command(BaseCommand):
    help = "Programme studio housekeeping."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        due = sub.add_parser("activate-due", help="put due scheduled versions in force")
        due.add_argument("--date", help="the day to act for (default: today)")

    def handle(self, *args, **options):
        today = None
        if options.get("date"):
            try:
                today = date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("--date must be YYYY-MM-DD") from None
        done = services.activate_due(actor=f"command line ({getpass.getuser()})", today=today)
        for version in done:
            self.stdout.write(f"{version.program.slug} v{version.number}: in force")
        self.stdout.write(f"{len(done)} version(s) put in force")
