"""``civitas audit verify``: check the whole hash chain and name the first broken link.
``civitas audit export --out FILE``: the trail (or part of it) as CSV for auditors."""

import getpass
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from civitas.audit import selectors
from civitas.audit.services import record_export, verify_chain


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date written YYYY-MM-DD") from None


class Command(BaseCommand):
    help = "Audit trail tools."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="Verify the hash chain of the audit trail.")
        export = sub.add_parser("export", help="Write the trail as CSV.")
        export.add_argument("--out", required=True, help="file to write ('-' for the terminal)")
        export.add_argument("--actor", default="", help="email or label, exactly")
        export.add_argument("--action-prefix", default="", help="e.g. payments: or casework:")
        export.add_argument("--subject-type", default="")
        export.add_argument("--subject-id", default="")
        export.add_argument("--since", default="", help="YYYY-MM-DD")
        export.add_argument("--until", default="", help="YYYY-MM-DD")

    def handle(self, *args, action: str, **options):
        if action == "export":
            self._export(options)
            return
        result = verify_chain()
        if not result.ok:
            raise CommandError(
                f"audit chain broken at event #{result.broken_seq}: {result.reason} "
                f"({result.checked} events verified before it)"
            )
        self.stdout.write(f"audit chain intact: {result.checked} events verified")

    def _export(self, options) -> None:
        filters = selectors.TrailFilters(
            actor=options["actor"],
            action=options["action_prefix"],
            subject_type=options["subject_type"],
            subject_id=options["subject_id"],
            since=_date(options["since"]) if options["since"] else None,
            until=_date(options["until"]) if options["until"] else None,
        )
        record_export(actor=f"command line ({getpass.getuser()})", filters=filters.as_dict())
        if options["out"] == "-":
            for line in selectors.csv_lines(filters):
                self.stdout.write(line, ending="")
            return
        path = Path(options["out"])
        rows = -1
        with path.open("w", encoding="utf-8", newline="") as out:
            for line in selectors.csv_lines(filters):
                out.write(line)
                rows += 1
        self.stdout.write(f"{rows} events written to {path}")
