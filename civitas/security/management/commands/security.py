"""``civitas security generate-key`` and ``civitas security rotate-keys``."""

from __future__ import annotations

import logging

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError

from civitas.security import crypto
from civitas.security.rotation import rotate

logger = logging.getLogger("civitas.security")


class Command(BaseCommand):
    help = "Field-encryption keys: make a new key, rotate stored values to the active keys."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        gen = sub.add_parser("generate-key", help="Print a new random key as <key id>:<base64>.")
        gen.add_argument("--kid", required=True, help="Key id, e.g. 2026b (1-16 characters).")
        rot = sub.add_parser(
            "rotate-keys",
            help="Re-encrypt and re-hash every value (and rewrite every file, such as uploaded "
            "documents) not yet under the active keys.",
        )
        rot.add_argument("--batch-size", type=int, default=500)
        rot.add_argument("--dry-run", action="store_true", help="Count, change nothing.")
        rot.add_argument(
            "--model", action="append", default=[], help="Only this model (app_label.Model)."
        )

    def handle(self, *args, action: str, **options):
        if action == "generate-key":
            try:
                self.stdout.write(crypto.new_key_line(options["kid"]))
            except ValueError as exc:
                raise CommandError(str(exc)) from None
            return
        targets = None
        if options["model"]:
            try:
                targets = [apps.get_model(label) for label in options["model"]]
            except (LookupError, ValueError) as exc:
                raise CommandError(f"unknown model: {exc}") from None
        crypto.reload_keys()
        results = rotate(
            targets=targets, batch_size=max(1, options["batch_size"]), dry_run=options["dry_run"]
        )
        verb = "would change" if options["dry_run"] else "changed"
        failed = 0
        for stats in results:
            if stats.kind == "files":
                rewrote = "would rewrite" if options["dry_run"] else "rewrote"
                line = (
                    f"{stats.model} files: {stats.rows} checked, {rewrote} {stats.reencrypted} "
                    f"under the active key, {stats.failed} could not be read"
                )
                failed += stats.failed
            else:
                line = (
                    f"{stats.model}: {stats.rows} rows checked, {verb} {stats.reencrypted} "
                    f"encrypted values and {stats.rehashed} hashes"
                )
            logger.info(
                line, extra={"event": "security:keys:rotated", "dry_run": options["dry_run"]}
            )
            self.stdout.write(line)
        if not results:
            self.stdout.write("no model has encrypted or hashed fields")
        if failed:
            raise CommandError(
                f"{failed} files could not be read (missing or altered; the log names each): "
                "they are still under their old key or in clear, so keep the old keys until "
                "they are dealt with"
            )
