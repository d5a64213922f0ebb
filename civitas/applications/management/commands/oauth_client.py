"""Register a third-party app for OAuth 2: ``civitas oauth_client --name "Budget app"
--redirect-uri https://budget.example/callback --scope applications:read [--confidential]``.

Prints the client id (and, for a confidential app, its secret, shown this once)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from civitas.applications import services
from civitas.applications.models import SCOPES


class Command(BaseCommand):
    help = "Register a third-party app that may ask people for access through OAuth 2."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="The name people see on the consent page")
        parser.add_argument(
            "--redirect-uri", action="append", required=True, help="Exact redirect URI (repeatable)"
        )
        parser.add_argument(
            "--scope",
            action="append",
            required=True,
            choices=sorted(SCOPES),
            help="A scope the app may ask for (repeatable)",
        )
        parser.add_argument(
            "--confidential",
            action="store_true",
            help="A server-side app that keeps a secret (PKCE is required either way)",
        )

    def handle(self, *args, **options):
        try:
            client, secret = services.create_oauth_client(
                actor="civitas oauth_client",
                name=options["name"],
                redirect_uris=options["redirect_uri"],
                scopes=options["scope"],
                confidential=options["confidential"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"client_id: {client.client_id}")
        if secret:
            self.stdout.write(f"client_secret: {secret}   (shown once: store it now)")
