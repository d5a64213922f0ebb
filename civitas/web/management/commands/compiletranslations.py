"""``civitas compiletranslations``: build the .mo files from the committed .po files.

Needs no GNU gettext (see ``civitas.web.translations``); ``make install`` runs it. ``--force``
rebuilds files that look up to date.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from civitas.web.translations import PoSyntaxError, compile_all


class Command(BaseCommand):
    help = "Compile the translations (.po to .mo) in LOCALE_PATHS, without GNU gettext."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="rebuild every .mo file")

    def handle(self, *args, force: bool, **options):
        written = []
        for folder in settings.LOCALE_PATHS:
            try:
                written += compile_all(Path(folder), only_if_stale=not force)
            except PoSyntaxError as exc:
                raise CommandError(str(exc)) from None
        for mo in written:
            self.stdout.write(f"compiled {mo}")
        if not written:
            self.stdout.write("translations are up to date")
