"""`civitas opinion-map --votes votes.csv [--comments comments.csv]` (logic in opinion.cli)."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from civitas.participation.opinion.cli import add_arguments, main, run


class Command(BaseCommand):
    help = "Opinion map from a Polis export: civitas opinion-map --votes votes.csv"

    def add_arguments(self, parser: CommandParser) -> None:
        add_arguments(parser)

    def run_from_argv(self, argv: list[str]) -> None:
        # The pure CLI parses its own arguments and prints its own one-line errors.
        raise SystemExit(main(argv[2:]))

    def handle(self, *args: Any, **options: Any) -> None:  # reached through call_command
        names = ("votes", "comments", "min_votes", "seed", "points")
        parsed = argparse.Namespace(**{name: options[name] for name in names})
        code = run(parsed, stdout=self.stdout, stderr=self.stderr)
        if code:
            raise CommandError(f"civitas opinion-map exited with code {code}", returncode=code)
