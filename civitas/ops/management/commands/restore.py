"""``civitas restore ARCHIVE --yes``: replace the database and files with a backup's."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from civitas.audit.services import verify_chain
from civitas.ops.backup import BackupError, read_manifest, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by `civitas backup`: the archive is checked completely first, then "
        "the database and the file targets are replaced. Stop the web and worker processes first."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument("--no-files", action="store_true", help="The database only.")
        parser.add_argument(
            "--check", action="store_true", help="Check the archive, change nothing."
        )
        parser.add_argument(
            "--yes", action="store_true", help="Replace the current data without asking."
        )

    def handle(self, *args, archive: str, no_files: bool, check: bool, yes: bool, **options):
        try:
            manifest = read_manifest(Path(archive))
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"{archive}: a {manifest['engine']} backup from {manifest['created_at']}, "
            f"{manifest['files']['private']} private and {manifest['files']['public']} public files; "
            "every checksum matches"
        )
        if check:
            return
        if not yes:
            answer = input("This replaces ALL current data with the backup's. Type 'restore': ")
            if answer.strip() != "restore":
                raise CommandError("nothing was changed")
        try:
            restore_backup(path=Path(archive), include_files=not no_files)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        result = verify_chain()
        if not result.ok:
            raise CommandError(
                f"restored, but the audit chain is broken at event #{result.broken_seq}: "
                f"{result.reason}"
            )
        self.stdout.write(f"restored; audit chain intact ({result.checked} events)")
