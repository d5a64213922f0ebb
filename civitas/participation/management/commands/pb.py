"""`civitas pb ...`: participatory-budget files and tallies (logic in participation.pb.cli)."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from civitas.participation.pb.cli import main


class Command(BaseCommand):
    help = "Tally, check and verify Pabulib .pb files: civitas pb tally FILE.pb --rule mes ..."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("arguments", nargs=argparse.REMAINDER, help="see `civitas pb --help`")

    def run_from_argv(self, argv: list[str]) -> None:
        # The pure CLI parses its own arguments and prints its own one-line errors.
        raise SystemExit(main(argv[2:]))

    def handle(self, *args: Any, **options: Any) -> None:  # reached through call_command
        code = main([str(a) for a in options["arguments"]], stdout=self.stdout, stderr=self.stderr)
        if code:
            raise CommandError(f"civitas pb exited with code {code}", returncode=code)
