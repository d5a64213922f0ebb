"""``civitas opendata publish-statistics`` and other open data chores."""

from __future__ import annotations

import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from civitas.opendata import services
from civitas.opendata.disclosure.protect import ROUNDING, SUPPRESSION, Method
from civitas.opendata.statistics import method_from_settings


class Command(BaseCommand):
    help = "Open data: publish statistics from operations, check links."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        publish = sub.add_parser(
            "publish-statistics",
            help="Publish anonymised statistics from the benefits system, and the tables of "
            "every registered source such as e-participation results (idempotent).",
        )
        publish.add_argument(
            "--since", help="Only applications submitted from this date (YYYY-MM-DD)."
        )
        publish.add_argument(
            "--method", choices=[SUPPRESSION, ROUNDING], help="Override OPENDATA_DISCLOSURE_METHOD."
        )
        publish.add_argument(
            "--threshold", type=int, help="Override OPENDATA_DISCLOSURE_THRESHOLD."
        )
        sub.add_parser(
            "relocate-files", help="Move every dataset's files to the right storage target."
        )
        sub.add_parser(
            "search-index",
            help="Bring the search index up to date and write it to disk, so that the first "
            "search after a restart does not rebuild it (run at deployment or on a schedule).",
        )
        links = sub.add_parser(
            "check-links", help="Check resource links and files (quality score)."
        )
        links.add_argument("--timeout", type=float, default=10.0)

    def handle(self, *args, action: str, **options):
        if action == "search-index":
            import time

            from civitas.opendata.search import snapshot
            from civitas.opendata.search.index import INDEX

            started = time.perf_counter()
            INDEX.ensure_fresh()
            target = snapshot.save(INDEX)
            self.stdout.write(
                f"search index of {INDEX.size} datasets written to {target} "
                f"in {time.perf_counter() - started:.1f} s"
            )
            return
        if action == "check-links":
            counts = services.check_links(timeout=options["timeout"])
            self.stdout.write(
                f"{counts['reachable']} reachable, {counts['unreachable']} not reachable"
            )
            return
        if action == "relocate-files":
            from civitas.opendata.models import Dataset

            moved = sum(
                services.relocate_files(dataset_id=pk)
                for pk in Dataset.objects.values_list("pk", flat=True)
            )
            self.stdout.write(f"{moved} file(s) moved")
            return
        since = None
        if options.get("since"):
            try:
                since = date.fromisoformat(options["since"])
            except ValueError:
                raise CommandError(
                    f"--since {options['since']!r} is not a date: use YYYY-MM-DD"
                ) from None
        method = method_from_settings()
        if options.get("method") or options.get("threshold"):
            threshold = options.get("threshold") or method.threshold
            if threshold < 2:
                raise CommandError("--threshold must be at least 2")
            method = Method(
                name=options.get("method") or method.name, threshold=threshold, base=method.base
            )
        run = services.publish_statistics(method=method, since=since)
        tables = ", ".join(
            f"{name} ({rows} rows)" for name, rows in run.report.get("tables", {}).items()
        )
        if run.outcome == "unchanged":
            self.stdout.write("statistics unchanged since the last publication: nothing published")
        else:
            self.stdout.write(
                f"published {run.report.get('applications', 0)} applications as {tables} "
                f"({run.report['method']['method']}, threshold {run.report['method']['threshold']})"
            )
        for source_run in services.publish_sources(method=method):
            source = source_run.kind.split(":", 1)[-1]
            published = source_run.report.get("published", [])
            unchanged = source_run.report.get("unchanged", [])
            self.stdout.write(
                f"{source}: {len(published)} dataset(s) published"
                + (f" ({', '.join(published)})" if published else "")
                + f", {len(unchanged)} unchanged"
            )
        sys.stdout.flush()
