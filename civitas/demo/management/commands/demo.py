"""``civitas demo load``, ``civitas demo populate --households N --seed S`` and ``civitas demo
serve [--port N]`` (the demo's national eID, then ``civitas serve`` signed in to it)."""

from __future__ import annotations

import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from civitas.demo import catalogue, eid, services


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
        serve = sub.add_parser(
            "serve", help="Start the demo national eID on 127.0.0.1, then `civitas serve` with it."
        )
        serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        serve.add_argument(
            "--eid-port", type=int, default=None, help="Port of the demo eID (default: --port + 1)."
        )

    def handle(self, *args, action: str, **options):
        if action == "serve":
            return self.serve(
                port=options["port"], eid_port=options["eid_port"] or options["port"] + 1
            )
        return self.load(action=action, households=options["households"], seed=options["seed"])

    def serve(self, *, port: int, eid_port: int):
        if settings.CIVITAS_ENV == "production":
            # the demo eID lets anyone be anyone: it never runs beside a real deployment
            raise CommandError("civitas demo serve is for the demo: use civitas serve")
        demo = None
        try:
            demo = eid.start(
                settings.VAR_DIR / "demo-eid",
                port=eid_port,
                app_urls=[f"http://127.0.0.1:{port}", f"http://localhost:{port}"],
            )
        except eid.EidUnavailable as exc:
            self.stdout.write(
                f"The demo runs WITHOUT eID sign-in: the demo eID cannot start: {exc}"
            )
        if demo is not None:
            os.environ.update(demo.env)  # for the `civitas serve` started below, and only it
            self.stdout.write(f"Demo national eID ({eid.PROVIDER_NAME}) on {demo.issuer}")
            self.stdout.write(
                "  Sign in > Sign in with CivitasID, then choose one of these people:"
            )
            for person in demo.identities:
                self.stdout.write(
                    f"  {person.name:<18} {person.claims['national_id']}  {person.note}"
                )
        try:
            call_command("serve", port=port)
        finally:
            if demo is not None:
                demo.stop()

    def load(self, *, action: str, households: int, seed: int):
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
