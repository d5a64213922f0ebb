"""Proactive enrolment: a programme's eligibility over the whole registry, to invite people who
qualify but have not applied.

A run is queued by a supervisor (or started on the command line) and carried out by the worker:
the registry is read as Polars frames, the vectorised engine computes every household, households
already enrolled, applying or invited are set aside, and the rest are invited (email when the
person has an account, otherwise a letter to the household's address, listed for printing).
Progress is written to the run as it goes, so the page and the command line can show it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import polars as pl
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from civitas.applications.lifecycle import Status
from civitas.audit import services as audit
from civitas.casework.eligibility import evaluate_frames, parse_period
from civitas.casework.errors import ActionRefused
from civitas.casework.lifecycles import RUN_TRANSITIONS, RunStatus, check
from civitas.casework.models import Invitation, ProactiveRun
from civitas.casework.models.enrolment import LIVE_ENROLMENT
from civitas.casework.selectors.scope import is_supervisor
from civitas.notify import services as notify
from civitas.registry.bulk import analyze, insert_frame, read_frame
from civitas.registry.frames import population_frames
from civitas.registry.models import Person

logger = logging.getLogger(__name__)
Report = Callable[[ProactiveRun], None]
_EVERY = 1.0  # seconds between progress writes


def start_run(*, program, period: str, actor, invite: bool = True) -> ProactiveRun:
    """Queue a run (one live run per programme); the worker starts it after commit."""
    period = parse_period(period)
    if not isinstance(actor, str) and not is_supervisor(actor):
        raise ActionRefused(_("Only a supervisor can start a proactive enrolment run."))
    if program.version_in_force() is None:
        raise ActionRefused(_("%(program)s has no rules in force.") % {"program": program.name})
    try:
        with transaction.atomic():
            run = ProactiveRun.objects.create(
                program=program,
                period=period,
                invite=invite,
                status=RunStatus.QUEUED,
                requested_by=None if isinstance(actor, str) else actor,
                created_at=timezone.now(),
                phase=_("Waiting for the worker"),
            )
            audit.record(
                actor=actor,
                action="casework:proactive_run:queued",
                subject=run,
                after={"program": program.slug, "period": period, "invite": invite},
            )
            from civitas.casework.tasks import run_proactive

            transaction.on_commit(lambda: run_proactive.enqueue(run.pk))
    except IntegrityError:
        raise ActionRefused(
            _("A run for %(program)s is already under way.") % {"program": program.name}
        ) from None
    return run


def _move(run: ProactiveRun, target: str, **fields) -> ProactiveRun:
    with transaction.atomic():
        locked = ProactiveRun.objects.select_for_update().get(pk=run.pk)
        check(RUN_TRANSITIONS, RunStatus, locked.status, target)
        before = {"status": locked.status}
        locked.status = target
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save()
        audit.record(
            actor=None,
            action=f"casework:proactive_run:{target}",
            subject=locked,
            before=before,
            after={
                "status": target,
                "households": locked.households,
                "eligible": locked.eligible,
                "already_known": locked.already_known,
                "invited": locked.invited,
                "message": locked.message,
            },
        )
    return locked


def _progress(run: ProactiveRun, **fields) -> None:
    """Progress is bookkeeping, not a change of state: written without an audit event."""
    for name, value in fields.items():
        setattr(run, name, value)
    ProactiveRun.objects.filter(pk=run.pk).update(**fields)


def _known_households(program) -> pl.DataFrame:
    """Households that need no invitation: enrolled, applied (whatever came of it), or invited."""
    marks = ", ".join(["%s"] * len(LIVE_ENROLMENT))
    # placeholders only are formatted in; values are bound
    sql = (
        "SELECT household_id FROM casework_enrolment "  # noqa: S608
        f"WHERE program_id = %s AND status IN ({marks}) "
        "UNION SELECT m.household_id FROM applications_application a "
        "JOIN registry_membership m ON m.person_id = a.person_id "
        "WHERE a.program_id = %s AND a.status <> %s "
        "UNION SELECT household_id FROM casework_invitation WHERE program_id = %s"
    )
    params = [program.pk, *LIVE_ENROLMENT, program.pk, Status.DRAFT, program.pk]
    return read_frame(sql, params, {"household_id": pl.Int64})


def execute_run(run_id: int, *, report: Report | None = None) -> ProactiveRun:
    """Carry out a queued run, writing its progress; a failure is recorded on the run."""
    tell = report or (lambda run: None)
    run = ProactiveRun.objects.select_related("program").get(pk=run_id)
    if run.status != RunStatus.QUEUED:
        return run  # already carried out (the queue delivers at least once)
    run = _move(run, RunStatus.RUNNING, started_at=timezone.now(), phase=_("Reading the registry"))
    tell(run)
    try:
        run = _carry_out(run, tell)
    except Exception as exc:
        logger.exception("proactive run %s failed", run.pk)
        run = _move(run, RunStatus.FAILED, finished_at=timezone.now(), message=str(exc)[:500])
        tell(run)
        return run
    tell(run)
    return run


def _carry_out(run: ProactiveRun, tell: Report) -> ProactiveRun:
    program = run.program
    version = program.version_in_force()
    persons, households = population_frames()
    _progress(run, households=households.height, phase=_("Computing eligibility"))
    tell(run)
    last = [time.monotonic()]

    def on_block(done: int, total: int) -> None:
        if time.monotonic() - last[0] >= _EVERY or done >= total:
            last[0] = time.monotonic()
            _progress(run, processed=done)
            tell(run)

    results = evaluate_frames(
        version, period=run.period, persons=persons, households=households, progress=on_block
    )
    _progress(run, processed=households.height)
    qualifying = results.filter(pl.col("eligible") & (pl.col("amount") > 0))
    known = _known_households(program)
    fresh = qualifying.join(known, on="household_id", how="anti")
    first_adult = (
        persons.filter(pl.col("role") == "adult")
        .group_by("household_id", maintain_order=True)
        .first()
        .select("household_id", "person_id")
    )
    del persons, households, results
    invitations = fresh.join(first_adult, on="household_id").sort("household_id")
    _progress(
        run,
        eligible=qualifying.height,
        already_known=qualifying.height - fresh.height,
        phase=_("Sending invitations") if run.invite else _("Counting"),
    )
    tell(run)
    invited = 0
    if run.invite and invitations.height:
        invited = _invite(run, invitations)
    return _move(
        run,
        RunStatus.DONE,
        invited=invited,
        finished_at=timezone.now(),
        phase=_("Finished"),
    )


def _invite(run: ProactiveRun, invitations: pl.DataFrame) -> int:
    program = run.program
    now = timezone.now()
    table = invitations.select(
        pl.lit(run.pk, dtype=pl.Int64).alias("run_id"),
        pl.lit(program.pk, dtype=pl.Int64).alias("program_id"),
        "household_id",
        "person_id",
        pl.col("amount").round(2).alias("amount"),
        pl.lit(False).alias("by_email"),
        pl.lit(now.isoformat(sep=" ")).alias("created_at"),
    )
    with transaction.atomic():
        count = insert_frame(Invitation._meta.db_table, table)
        analyze(Invitation._meta.db_table)
        with_account = list(
            Person.objects.filter(
                pk__in=Invitation.objects.filter(run=run).values("person_id"),
                account__isnull=False,
            ).select_related("account")
        )
        if with_account:
            Invitation.objects.filter(run=run, person_id__in=[p.pk for p in with_account]).update(
                by_email=True
            )
        for person in with_account:
            _email(person.account, program=program, run=run)
        audit.record(
            actor=None,
            action="casework:invitations:created",
            subject=run,
            after={
                "program": program.slug,
                "invited": count,
                "by_email": len(with_account),
                "by_letter": count - len(with_account),
            },
        )
    return count


def _email(user, *, program, run: ProactiveRun) -> None:
    with translation.override(getattr(user, "preferred_language", "") or None):
        notify.queue_message(
            recipient=user,
            subject=_("You may be able to get %(program)s") % {"program": program.name},
            body=_(
                "From what the registry holds about your household, you may qualify for "
                "%(program)s.\n\n%(summary)s\n\nSign in and open Benefits to check and apply. "
                "Applying is free and takes a few minutes."
            )
            % {"program": program.name, "summary": program.summary},
            sms_text=_("You may qualify for %(program)s. Sign in to apply.")
            % {"program": program.name},
            reference=f"proactive-{run.pk}",
            actor=None,
        )
