"""``civitas erase``: erase a person's data where the law allows (see civitas/ops/erasure.py).

    civitas erase --person 42 --reason "DSR-2026-117" [--dry-run]
    civitas erase --national-id - --reason "DSR-2026-117"     # the number read from stdin
    civitas erase --account someone@example.org --reason "DSR-2026-118"

A national ID given on the command line would stay in the shell's history: pass ``-`` and type
it (or pipe it) instead.

Administrators can do the same from the back office, with a dry run shown first and a download
of everything held (subject access): ``/staff/privacy/`` (civitas/ops/privacy_views.py).
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from civitas.accounts.models import User
from civitas.ops.erasure import ErasureRefused, erase_account, erase_person
from civitas.registry.models import Person


class Command(BaseCommand):
    help = (
        "Erase a person's or an account's data where the law allows, and log it in the audit trail."
    )

    def add_arguments(self, parser):
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--person", type=int, help="Registry record id.")
        who.add_argument("--national-id", help="'-' to read the national ID from stdin.")
        who.add_argument("--account", help="Email address of an account without a registry record.")
        parser.add_argument("--reason", required=True, help="Reference of the erasure request.")
        parser.add_argument("--dry-run", action="store_true", help="Report, change nothing.")

    def handle(self, *args, person, national_id, account, reason, dry_run, **options):
        actor = "civitas erase"
        try:
            if account:
                user = User.objects.filter(email__iexact=account.strip()).first()
                if user is None:
                    raise CommandError("no such account")
                outcome = erase_account(user=user, actor=actor, reason=reason, dry_run=dry_run)
            else:
                found = self._person(person, national_id)
                outcome = erase_person(person=found, actor=actor, reason=reason, dry_run=dry_run)
        except ErasureRefused as exc:
            raise CommandError(str(exc)) from None
        prefix = "would be " if dry_run else ""
        self.stdout.write(f"outcome: {prefix}{outcome.outcome}")
        for name, count in outcome.removed.items():
            self.stdout.write(f"removed {name}: {count}")
        for rule, hold in outcome.kept.items():
            self.stdout.write(f"kept by law, {rule}: {hold['count']} until {hold['until']}")

    def _person(self, pk, national_id) -> Person:
        if national_id is not None:
            number = sys.stdin.readline().strip() if national_id == "-" else national_id
            found = Person.objects.with_national_id(number).first()
        else:
            found = Person.objects.filter(pk=pk).first()
        if found is None:
            raise CommandError("no such person in the registry")
        return found
