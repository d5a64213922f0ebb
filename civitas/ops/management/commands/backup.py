"""``civitas backup [--output FILE]``: the database and both file targets in one archive."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from civitas.ops.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "Back up the database and the private and public files into one .tar.gz archive."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            help="Archive to write (default: <CIVITAS_VAR_DIR>/backups/civitas-<time>.tar.gz).",
        )
        parser.add_argument("--no-files", action="store_true", help="The database only.")

    def handle(self, *args, output: str | None, no_files: bool, **options):
        if output is None:
            stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
            output = str(Path(settings.VAR_DIR) / "backups" / f"civitas-{stamp}.tar.gz")
        try:
            summary = create_backup(output=Path(output), include_files=not no_files)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"backup written to {summary.path} ({summary.engine} database, "
            f"{summary.files['private']} private and {summary.files['public']} public files, "
            f"{summary.bytes} bytes)"
        )
