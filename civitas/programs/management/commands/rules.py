"""``civitas rules evaluate|explain|simulate|test …``: the rules engine's command line.

The engine is pure Python (``civitas.rules.cli``); this command only hands it the arguments so that
errors stay one line with exit code 2, exactly as when the CLI is used on its own.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from civitas.rules.cli import main as rules_main


class Command(BaseCommand):
    help = "Evaluate, explain, simulate and test programmes written in the rules format."

    def run_from_argv(self, argv: list[str]) -> None:
        # argv is [prog, "rules", ...]; the engine's own parser handles the rest, including --help.
        raise SystemExit(rules_main(argv[2:]))

    def handle(self, *args, **options):  # pragma: no cover - run_from_argv handles everything
        sys.exit(rules_main(list(args)))
