"""``civitas demo load`` and ``civitas demo populate --households N --seed S``."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from civitas.demo import catalogue, services


def _progress(stream):
    def report(done: int, total: int) -> None:
        if stream.isatty():
            stream.write(f"\r  households: {done:,}/{total:,} ({100 * done // max(total, 1)}%)")
            if done >= total:
                stream.write("\n")
        elif done >= total or done % 50_000 == 0:
            stream.write(f"  households: {done:,}/{total:,}\n")
        stream.flush()

    return report


class Command(BaseCommand):
    help = "Load the demo country (Republic of Civitas): programmes, staff, demo accounts, people."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="Everything `make demo` needs (idempotent).")
        load.add_argument("--households", type=int, default=1000)
        load.add_argument("--seed", type=int, default=1)
        populate = sub.add_parser("populate", help="Add a synthetic population.")
        populate.add_argument("--households", type=int, required=True)
        populate.add_argument("--seed", type=int, required=True)

    def handle(self, *args, action: str, households: int, seed: int, **options):
        if households < 0:
            self.stderr.write("--households must be 0 or more")
            sys.exit(2)
        progress = _progress(sys.stderr)
        if action == "populate":
            services.load_geography()
            added = services.populate(households=households, seed=seed, progress=progress)
            if added == 0 and households:
                self.stdout.write(f"seed {seed} was already loaded: nothing added")
            else:
                self.stdout.write(f"added {added:,} households (seed {seed})")
            return
        counts = services.load_all(households=households, seed=seed, progress=progress)
        self.stdout.write(
            "demo country loaded: {programmes} programmes, {households:,} households, "
            "{persons:,} persons, {enrolled:,} new enrolments".format(**counts)
        )
        self.stdout.write("")
        self.stdout.write(f"Demo sign-ins (password for all: {catalogue.DEMO_PASSWORD})")
        self.stdout.write("Staff set up an authenticator app (any TOTP app) at first sign-in.")
        self.stdout.write(f"  {'citizen':<22} {catalogue.DEMO_CITIZEN}")
        for email, _, roles in catalogue.DEMO_STAFF:
            self.stdout.write(f"  {'/'.join(roles):<22} {email}")
