"""``civitas programmes export SLUG DIR [--version N]`` and
``civitas programmes import DIR [--as NEW-SLUG]``.

Export writes the version in force (or version N) as a folder (see ``civitas.studio.bundle``);
import reads one back as a new draft, which then goes through review and approval in the studio.
"""

from __future__ import annotations

import getpass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from civitas.programs.models import Program
from civitas.studio import bundle, services
from civitas.studio.errors import StudioRefused


class Command(BaseCommand):
    help = "Export a programme to a folder, or import one as a new draft."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        out = sub.add_parser("export", help="write a programme version to a folder")
        out.add_argument("slug")
        out.add_argument("dir", type=Path)
        out.add_argument("--version", type=int, help="version number (default: in force)")
        into = sub.add_parser("import", help="read a folder as a new draft version")
        into.add_argument("dir", type=Path)
        into.add_argument("--as", dest="new_slug", help="import under another short name")

    def handle(self, *args, **options):
        if options["action"] == "export":
            return self.export(options["slug"], options["dir"], options["version"])
        return self.import_(options["dir"], options["new_slug"])

    def export(self, slug: str, target: Path, number: int | None) -> None:
        program = Program.objects.filter(slug=slug).first()
        if program is None:
            raise CommandError(f"no programme {slug!r}")
        if number is None:
            version = program.version_in_force()
            if version is None:
                raise CommandError(f"{slug} has no version in force: give --version N")
        else:
            version = program.versions.filter(number=number).first()
            if version is None:
                raise CommandError(f"{slug} has no version {number}")
        try:
            written = bundle.export(version, target)
        except bundle.BundleError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{slug} v{version.number}: {len(written)} files written to {target}")

    def import_(self, source: Path, new_slug: str | None) -> None:
        try:
            read = bundle.read(source, slug=new_slug)
            version = services.import_bundle(
                actor=f"command line ({getpass.getuser()})", bundle=read
            )
        except (bundle.BundleError, StudioRefused) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"{version.program.slug} v{version.number}: imported as a draft "
            f"({len(read.rules)} rules files); review and approve it in the studio"
        )
