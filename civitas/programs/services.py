"""Writes to the programme catalogue."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from civitas.audit import services as audit
from civitas.programs.forms import validate_spec
from civitas.programs.models import Program, ProgramVersion, VersionStatus


@transaction.atomic
def create_program(*, actor, slug: str, **texts) -> Program:
    program = Program.objects.create(slug=slug, **texts)
    audit.record(
        actor=actor,
        action="programs:program:created",
        subject=program,
        after={"slug": slug, **texts},
    )
    return program


@transaction.atomic
def put_version_in_force(
    *,
    actor,
    program: Program,
    effective_from: date,
    rules: dict[str, str],
    form: dict,
    legal_basis: str = "",
) -> ProgramVersion:
    """Record a new version and put it in force, retiring the previous one (used by the demo
    loader and imports; the studio's review workflow arrives with the programme studio issue)."""
    validate_spec(form)
    previous = program.version_in_force()
    number = (
        program.versions.order_by("-number").values_list("number", flat=True).first() or 0
    ) + 1
    version = ProgramVersion.objects.create(
        program=program,
        number=number,
        status=VersionStatus.IN_FORCE,
        effective_from=effective_from,
        rules=rules,
        form=form,
        legal_basis=legal_basis,
    )
    if previous is not None:
        ProgramVersion.objects.filter(pk=previous.pk).update(status=VersionStatus.RETIRED)
    audit.record(
        actor=actor,
        action="programs:version:in_force",
        subject=version,
        before={"version_in_force": previous.number if previous else None},
        after={"number": number, "effective_from": effective_from, "files": sorted(rules)},
    )
    return version
