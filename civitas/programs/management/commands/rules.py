"""``civitas rules evaluate|explain|simulate|test …``: the rules engine's command line.

The engine is pure Python (``civitas.rules.cli``); this command hands it the arguments so that
errors stay one line with exit code 2, exactly as when the CLI is used on its own. One thing only
the Django side can do: ``simulate --baseline/--reform`` also accept a stored programme version,
``SLUG@NUMBER`` (``child-benefit@3``) or ``SLUG@current`` (the version in force). Its rules are
written to a temporary folder, which the pure CLI then loads like any other; folders keep working.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path, PurePosixPath

from django.core.management.base import BaseCommand
from django.db import DatabaseError

from civitas.programs.models import Program, ProgramVersion
from civitas.rules.cli import main as rules_main

VERSION_OPTIONS = ("--baseline", "--reform")
STORED = re.compile(r"^(?P<slug>[-a-zA-Z0-9_]+)@(?P<ref>\d+|current)$")


class VersionNotFound(Exception):
    pass


def run(argv: list[str]) -> int:
    """Run the engine's CLI on ``argv``, stored versions first written out as folders."""
    if argv and argv[0] == "rules":
        argv = argv[1:]
    if not argv or argv[0] != "simulate":
        return rules_main(argv)
    with tempfile.TemporaryDirectory(prefix="civitas-rules-") as tmp:
        try:
            argv = resolve_versions(argv, Path(tmp))
        except VersionNotFound as exc:
            sys.stderr.write(f"error: {exc}\n")
            return 2
        except DatabaseError as exc:  # not migrated, or not reachable: one line, no trace
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            sys.stderr.write(f"error: cannot read the stored programme versions: {first}\n")
            return 2
        return rules_main(argv)


def resolve_versions(argv: list[str], scratch: Path) -> list[str]:
    """``argv`` with each ``--baseline``/``--reform`` that names a stored version (and is not
    a folder) replaced by a folder under ``scratch`` holding that version's rules."""
    program_dir = _option(argv, "--program")
    out: list[str] = []
    pending: str | None = None
    for arg in argv:
        if pending is not None:
            out.append(_folder_for(arg, program_dir, scratch, pending))
            pending = None
            continue
        option, sep, value = arg.partition("=")
        if option in VERSION_OPTIONS and sep:
            out.append(f"{option}={_folder_for(value, program_dir, scratch, option[2:])}")
        else:
            out.append(arg)
            if arg in VERSION_OPTIONS:
                pending = arg[2:]
    return out


def _option(argv: list[str], name: str) -> str | None:
    for i, arg in enumerate(argv):
        if arg == name and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


def _folder_for(value: str, program_dir: str | None, scratch: Path, what: str) -> str:
    match = STORED.match(value)
    is_folder = Path(value).is_dir() or (program_dir and (Path(program_dir) / value).is_dir())
    if match is None or is_folder:
        return value  # a folder (or a mistake the engine's CLI reports)
    version = _stored_version(match["slug"], match["ref"])
    folder = scratch / what / version.program.slug  # the folder name is the default name
    write_rules(version.rules, folder)
    return str(folder)


def _stored_version(slug: str, ref: str) -> ProgramVersion:
    program = Program.objects.filter(slug=slug).first()
    if program is None:
        raise VersionNotFound(f"no programme {slug!r}")
    if ref == "current":
        version = program.version_in_force()
        if version is None:
            raise VersionNotFound(f"{slug} has no version in force")
        return version
    version = program.versions.filter(number=int(ref)).first()
    if version is None:
        numbers = ", ".join(
            str(n) for n in program.versions.order_by("number").values_list("number", flat=True)
        )
        raise VersionNotFound(f"{slug} has no version {ref} (versions: {numbers or 'none'})")
    return version


def write_rules(files: dict[str, str], folder: Path) -> None:
    """Write a stored rules mapping ``{relative path: text}`` under ``folder``. Paths that would
    leave the folder are refused rather than written."""
    if not isinstance(files, dict) or not files:
        raise VersionNotFound(f"the stored version has no rules to write to {folder.name}")
    for name, text in files.items():
        relative = PurePosixPath(str(name))
        if relative.is_absolute() or ".." in relative.parts or not relative.parts:
            raise VersionNotFound(f"the stored rules hold an unsafe file name: {name!r}")
        target = folder.joinpath(*relative.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(str(text), encoding="utf-8")


class Command(BaseCommand):
    help = "Evaluate, explain, simulate and test programmes written in the rules format."

    def run_from_argv(self, argv: list[str]) -> None:
        # argv is [prog, "rules", ...]; the engine's own parser handles the rest, including --help.
        raise SystemExit(run(argv[2:]))

    def handle(self, *args, **options):  # pragma: no cover - run_from_argv handles everything
        sys.exit(run(list(args)))
