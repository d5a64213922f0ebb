"""Reads of the programme catalogue."""

from __future__ import annotations

from django.http import Http404

from civitas.programs.models import Program


def published_programs():
    return Program.objects.filter(is_published=True)


def published_program(slug: str) -> Program:
    program = published_programs().filter(slug=slug).first()
    if program is None:
        raise Http404("No such programme")
    return program


def version_in_force(program: Program):
    version = program.version_in_force()
    if version is None:
        raise Http404("This programme has no version in force")
    return version
