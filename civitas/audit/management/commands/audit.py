"""``civitas audit verify``: check the whole hash chain and name the first broken link."""

from django.core.management.base import BaseCommand, CommandError

from civitas.audit.services import verify_chain


class Command(BaseCommand):
    help = "Audit trail tools."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="Verify the hash chain of the audit trail.")

    def handle(self, *args, **options):
        result = verify_chain()
        if not result.ok:
            raise CommandError(
                f"audit chain broken at event #{result.broken_seq}: {result.reason} "
                f"({result.checked} events verified before it)"
            )
        self.stdout.write(f"audit chain intact: {result.checked} events verified")
