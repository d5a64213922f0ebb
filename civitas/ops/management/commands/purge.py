"""``civitas purge [--dry-run]``: delete records past their retention period (see retention.py)."""

from django.core.management.base import BaseCommand

from civitas.ops.retention import purge, retention_days


class Command(BaseCommand):
    help = (
        "Delete the records that are past their retention period, and record it in the audit trail."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count, delete nothing.")

    def handle(self, *args, dry_run: bool, **options):
        days = retention_days()
        for name, count in purge(dry_run=dry_run).items():
            verb = "would delete" if dry_run else "deleted"
            self.stdout.write(f"{name}: {verb} {count} (kept {days[name]} days)")
