"""Consultations: creation, documents, phases, and the simulated impact of draft rules."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from civitas.audit import services as audit
from civitas.participation import impact
from civitas.participation.documents import clean
from civitas.participation.lifecycles import CONSULTATION, Phase
from civitas.participation.models import Consultation, Document, ImpactRun, PhaseChange, Subject
from civitas.programs.models import ProgramVersion, VersionStatus


class DocumentRefused(ValueError):
    """The document is not accessible enough to publish; ``problems`` lists what to fix."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(" ".join(problems))


class ConsultationError(ValueError):
    """A consultation cannot be created or changed as asked; the message says why."""


@transaction.atomic
def create_consultation(
    *,
    actor,
    slug: str,
    title: str,
    summary: str,
    program_version: ProgramVersion | None = None,
    opens_on: date | None = None,
    closes_on: date | None = None,
    impact_variable: str = "amount",
) -> Consultation:
    """Create a consultation in the draft phase. The slug makes the call idempotent."""
    slug = slugify(slug)[:80]
    existing = Consultation.objects.filter(slug=slug).first()
    if existing is not None:
        return existing
    if not title.strip() or not summary.strip():
        raise ConsultationError(_("Enter a title and a summary."))
    if opens_on and closes_on and closes_on < opens_on:
        raise ConsultationError(_("The closing date must be on or after the opening date."))
    if program_version is not None and program_version.status in {
        VersionStatus.IN_FORCE,
        VersionStatus.RETIRED,
    }:
        raise ConsultationError(
            _("Consult on a draft version: version %(number)s is already %(status)s.")
            % {"number": program_version.number, "status": program_version.get_status_display()}
        )
    consultation = Consultation.objects.create(
        slug=slug,
        title=title.strip(),
        summary=summary.strip(),
        subject=Subject.PROGRAM_VERSION if program_version else Subject.POLICY,
        program_version=program_version,
        opens_on=opens_on,
        closes_on=closes_on,
        impact_variable=impact_variable,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    PhaseChange.objects.create(
        consultation=consultation, phase=Phase.DRAFT, changed_at=timezone.now()
    )
    audit.record(
        actor=actor,
        action="participation:consultation:created",
        subject=consultation,
        after={
            "slug": slug,
            "title": consultation.title,
            "program_version": str(program_version) if program_version else None,
        },
    )
    return consultation


# the details and documents say what was consulted on: they stop changing once the government
# deliberates on what people said, so the record of the consultation stays as it was
EDITABLE_PHASES = frozenset({Phase.DRAFT, Phase.INFORMATION, Phase.CONSULTATION})


@transaction.atomic
def update_consultation(
    *,
    actor,
    consultation: Consultation,
    title: str,
    summary: str,
    opens_on: date | None = None,
    closes_on: date | None = None,
) -> Consultation:
    """Change the title, summary and dates, until the consultation phase is over."""
    locked = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if locked.phase not in EDITABLE_PHASES:
        raise ConsultationError(
            _("The consultation is in the “%(phase)s” phase: its details can no longer change.")
            % {"phase": locked.get_phase_display()}
        )
    if not title.strip() or not summary.strip():
        raise ConsultationError(_("Enter a title and a summary."))
    if opens_on and closes_on and closes_on < opens_on:
        raise ConsultationError(_("The closing date must be on or after the opening date."))
    fields = ["title", "summary", "opens_on", "closes_on"]
    before = {f: getattr(locked, f) for f in fields}
    locked.title, locked.summary = title.strip(), summary.strip()
    locked.opens_on, locked.closes_on = opens_on, closes_on
    after = {f: getattr(locked, f) for f in fields}
    if after == before:
        return locked
    locked.save(update_fields=fields)
    audit.record(
        actor=actor,
        action="participation:consultation:updated",
        subject=locked,
        before={k: v for k, v in before.items() if after[k] != v},
        after={k: v for k, v in after.items() if before[k] != v},
    )
    return locked


@transaction.atomic
def save_document(
    *, actor, consultation: Consultation, slug: str, title: str, body_html: str, position: int = 0
) -> Document:
    """Add or replace a document. Refused, with what to fix, if it is not accessible, and once
    the consultation has moved past its consultation phase."""
    phase = Consultation.objects.values_list("phase", flat=True).get(pk=consultation.pk)
    if phase not in EDITABLE_PHASES:
        raise DocumentRefused(
            [
                _(
                    "The consultation is in the “%(phase)s” phase: its documents can no longer change."
                )
                % {"phase": Phase(phase).label}
            ]
        )
    cleaned = clean(body_html)
    if cleaned.problems:
        raise DocumentRefused(cleaned.problems)
    if not title.strip():
        raise DocumentRefused([_("Enter the document's title.")])
    slug = slugify(slug or title)[:80]
    document, created = Document.objects.update_or_create(
        consultation=consultation,
        slug=slug,
        defaults={"title": title.strip(), "body_html": cleaned.html, "position": position},
    )
    audit.record(
        actor=actor,
        action=f"participation:document:{'created' if created else 'updated'}",
        subject=document,
        after={"consultation": consultation.slug, "slug": slug, "title": document.title},
    )
    return document


@transaction.atomic
def advance_phase(
    *, actor, consultation: Consultation, target: str, note: str = ""
) -> Consultation:
    """Move to the next phase. Entering the decision phase needs the outcome in ``note``."""
    locked = Consultation.objects.select_for_update().get(pk=consultation.pk)
    CONSULTATION.check(locked.phase, target)
    if target == Phase.INFORMATION and not locked.documents.exists():
        raise ConsultationError(_("Add at least one document before publishing."))
    if target == Phase.DECISION and not note.strip():
        raise ConsultationError(_("Say what was decided and why: people will read it."))
    if target == Phase.FOLLOW_UP and not note.strip():
        raise ConsultationError(_("Say what happened after the decision."))
    before = {"phase": locked.phase}
    locked.phase = target
    fields = ["phase"]
    if target == Phase.DECISION:
        locked.outcome = note.strip()
        fields.append("outcome")
    if target == Phase.FOLLOW_UP:
        locked.follow_up = note.strip()
        fields.append("follow_up")
    locked.save(update_fields=fields)
    PhaseChange.objects.create(
        consultation=locked, phase=target, note=note.strip(), changed_at=timezone.now()
    )
    audit.record(
        actor=actor,
        action=f"participation:consultation:{target}",
        subject=locked,
        before=before,
        after={"phase": target, "note": note.strip()},
    )
    return locked


def run_impact(*, actor, consultation: Consultation, today: date | None = None) -> ImpactRun:
    """Simulate the draft rules over the registry and keep the aggregates with the consultation.

    The simulation reads outside any transaction (so a large population never holds the write
    lock); the result is stored and audited in one short transaction. Raises
    ``impact.ImpactError`` (nothing stored) when the rules cannot be run.
    """
    if consultation.program_version is None:
        raise ConsultationError(_("Only a consultation on draft rules has an impact to simulate."))
    result = impact.simulate(
        consultation.program_version,
        variable=consultation.impact_variable,
        today=today or timezone.localdate(),
    )
    with transaction.atomic():
        return _store_impact(actor=actor, consultation=consultation, result=result)


def _store_impact(*, actor, consultation: Consultation, result: dict) -> ImpactRun:
    run = ImpactRun.objects.create(
        consultation=consultation,
        computed_at=timezone.now(),
        period=result["period"],
        baseline=result["baseline"],
        draft=result["draft"],
        households=result["summary"]["households"],
        persons=result["summary"]["persons"],
        result=result,
    )
    audit.record(
        actor=actor,
        action="participation:impact:computed",
        subject=run,
        after={
            "consultation": consultation.slug,
            "period": run.period,
            "households": run.households,
            "yearly_cost": result["summary"]["yearly_cost"],
        },
    )
    return run
