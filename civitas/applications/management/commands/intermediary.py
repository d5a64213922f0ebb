"""Register someone to apply on people's behalf (assisted digital):
``civitas intermediary --email helper@library.example --organisation "Liberty Street Library"``."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from civitas.applications import services


class Command(BaseCommand):
    help = "Register an existing account as an intermediary who may apply on people's behalf."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--organisation", required=True)

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(email=options["email"].lower()).first()
        if user is None:
            raise CommandError(f"no account with the email address {options['email']!r}")
        try:
            services.register_intermediary(
                actor="civitas intermediary", user=user, organisation=options["organisation"]
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{user.email} may now apply on people's behalf")
