"""``civitas registry import FILE --source NAME``: people and households from CSV or Parquet, all
or nothing, with a report by row and column when the file is refused."""

from __future__ import annotations

import getpass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from civitas.registry.problems import FileRefused
from civitas.registry.services import import_file


class Command(BaseCommand):
    help = "Registry tools: bulk import."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser(
            "import",
            help="Import a CSV or Parquet file, one row per person (see docs/decisions/0060).",
        )
        imp.add_argument("file")
        imp.add_argument(
            "--source", default="", help="scheme of the file's identifiers, e.g. census-2025"
        )
        imp.add_argument("--report", metavar="CSV", help="write the problems here when refused")

    def handle(self, *args, **options):
        path = Path(options["file"])
        source = options["source"] or path.stem
        try:
            outcome = import_file(
                path=path, source=source, actor=f"command line ({getpass.getuser()})"
            )
        except FileRefused as exc:
            if options.get("report"):
                Path(options["report"]).write_text(exc.report_csv(), encoding="utf-8")
            self.stderr.write(exc.summary())
            raise CommandError(
                f"{path.name} refused, nothing imported: {len(exc.problems)} problem(s)"
                + (f"; report in {options['report']}" if options.get("report") else "")
            ) from None
        batch = outcome.batch
        if not outcome.created:
            self.stdout.write(
                f"{path.name} was imported before ({batch.imported_at:%Y-%m-%d}): nothing changed"
            )
            return
        self.stdout.write(
            f"imported {batch.households:,} households and {batch.persons:,} persons from "
            f"{path.name} (source {batch.source}); {batch.duplicates_flagged:,} possible "
            "duplicates flagged for review"
        )
