"""The ``civitas`` command: Django's management entry point with clear start-up errors."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civitas.config.settings")
    # `civitas opinion-map` reads better than `civitas opinion_map`; commands are modules.
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    from civitas.config.env import ConfigurationError

    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(argv)
    except ConfigurationError as exc:
        sys.stderr.write(f"civitas: configuration error: {exc}\n")
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
