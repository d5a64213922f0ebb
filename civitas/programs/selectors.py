"""Reads of the programme catalogue."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import get_language

from civitas.db.prepared import Prepared
from civitas.programs.formspec import LocalizedText, data_language
from civitas.programs.models import Program, ProgramVersion, VersionStatus


def published_programs():
    return Program.objects.filter(is_published=True)


def published_program(slug: str) -> Program:
    program = published_programs().filter(slug=slug).first()
    if program is None:
        raise Http404("No such programme")
    return program


# Every submission through the API reads these: compiled once (civitas.db.prepared).
_IN_FORCE = Prepared(
    lambda slug: ProgramVersion.objects.filter(
        program__slug=slug, program__is_published=True, status=VersionStatus.IN_FORCE
    ).order_by("-number")[:1],
    str,
)
_PROGRAM = Prepared(lambda pk: Program.objects.filter(pk=pk)[:1], int)


def program_by_id(pk: int) -> Program | None:
    return _PROGRAM.first(pk)


def published_program_in_force(slug: str) -> tuple[Program, ProgramVersion]:
    """The published programme ``slug`` and its version in force; the same 404s as
    ``published_program`` then ``version_in_force`` when either is missing."""
    version = _IN_FORCE.first(slug)
    if version is None:
        program = published_program(slug)
        return program, version_in_force(program)
    version.program = program_by_id(version.program_id)
    return version.program, version


def version_in_force(program: Program):
    version = program.version_in_force()
    if version is None:
        raise Http404("This programme has no version in force")
    return version


START_PAGE_TEXTS = (
    "name",
    "summary",
    "who_can_apply",
    "what_you_need",
    "how_long",
    "what_happens_next",
)


def program_texts(program: Program, language: str | None = None) -> dict[str, LocalizedText]:
    """The start page texts of ``program`` in ``language`` (the request's by default) where the
    version in force has them (the studio keeps them per language beside the version), else the
    programme's own, which are in the site's default language. Each text knows its language.
    Kept on the programme object, so a page listing programmes asks once per programme."""
    language = (language or get_language() or data_language()).split("-")[0]
    cache = program.__dict__.setdefault("_civitas_texts", {})
    if language not in cache:
        translated: dict = {}
        if language != data_language():
            # the studio's per-language texts, reached through the version (no import upwards)
            stored = (
                ProgramVersion.objects.filter(program=program, status=VersionStatus.IN_FORCE)
                .order_by("-number")
                .values_list("studio__texts", flat=True)
                .first()
            )
            translated = (stored or {}).get(language) or {}
        cache[language] = {
            name: (
                LocalizedText(str(translated[name]).strip(), language)
                if str(translated.get(name) or "").strip()
                else LocalizedText(getattr(program, name), data_language())
            )
            for name in START_PAGE_TEXTS
        }
    return cache[language]
