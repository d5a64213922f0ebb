"""Every write of the programme studio: drafts, edits (with an optimistic lock), test cases,
review, approval, scheduling and simulations. Each runs in one transaction with its audit event;
status changes go through ``programs.versioning.change_status``."""

from __future__ import annotations

import json
import logging
import time
from datetime import date

import yaml
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from civitas.audit import services as audit
from civitas.programs import services as programs
from civitas.programs import versioning
from civitas.programs.formspec import FormSpecError, validate_spec
from civitas.programs.models import Program, ProgramVersion, VersionStatus
from civitas.rules.periods import parse_period
from civitas.studio import emergency, selectors
from civitas.studio.errors import StudioRefused
from civitas.studio.models import (
    LIVE_SIMULATION,
    SIMULATION_TRANSITIONS,
    Authorship,
    Review,
    ReviewDecision,
    Simulation,
    SimulationStatus,
    TestCase,
    Workspace,
)

logger = logging.getLogger(__name__)

TEXT_FIELDS = ("name", "summary", "who_can_apply", "what_you_need", "how_long", "what_happens_next")

DEFAULT_FORM = {
    "questions": [
        {
            "name": "household_income",
            "type": "decimal",
            "label": "Monthly income of everyone in your household together",
            "prefill": "household_income",
            "fact": "household_income",
            "min": 0,
        }
    ]
}


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise StudioRefused(message)


def _today() -> date:
    return timezone.localdate()


# --- starting a draft ------------------------------------------------------------------------------
def _new_draft(
    *,
    actor,
    program: Program,
    rules: dict,
    form: dict,
    effective_from: date,
    legal_basis: str,
    template: str,
    texts: dict,
    audit_actor=None,
) -> ProgramVersion:
    number = (program.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = ProgramVersion.objects.create(
        program=program,
        number=number,
        status=VersionStatus.DRAFT,
        effective_from=effective_from,
        rules=rules,
        form=form,
        legal_basis=legal_basis,
    )
    Workspace.objects.create(version=version, template=template, texts=texts, created_by=actor)
    if actor is not None:
        Authorship.objects.create(version=version, user=actor)
    audit.record(
        actor=audit_actor or actor,
        action="studio:version:drafted",
        subject=version,
        after={
            "program": program.slug,
            "number": number,
            "template": template,
            "effective_from": effective_from,
            "files": sorted(rules),
        },
    )
    return version


def _program_texts(program: Program) -> dict:
    return {"en": {name: getattr(program, name) for name in TEXT_FIELDS}}


@transaction.atomic
def start_emergency_programme(
    *, actor, slug: str, name: str, start: date, end: date, reference: str
) -> ProgramVersion:
    """A new programme from the flat emergency payment template, unpublished until in force."""
    _require(selectors.may_author(actor), _("Only policy authors can start a programme."))
    _require(
        not Program.objects.filter(slug=slug).exists(),
        _("A programme with this short name already exists."),
    )
    try:
        files = emergency.flat_payment(
            slug=slug, label=name, start=start, end=end, reference=reference
        )
    except emergency.TemplateError as exc:
        raise StudioRefused(str(exc)) from None
    texts = {
        "name": name,
        "summary": _("An emergency payment to households in the regions the decree lists."),
        "who_can_apply": _("Households living in a listed region with a low income."),
        "what_you_need": _("Your household's monthly income."),
        "how_long": _("Usually within 5 working days"),
        "what_happens_next": _("We check your household in the registry and pay you monthly."),
    }
    program = programs.create_program(
        actor=actor, slug=slug, is_published=False, decision_days=5, **texts
    )
    return _new_draft(
        actor=actor,
        program=program,
        rules=files,
        form=DEFAULT_FORM,
        effective_from=start,
        legal_basis=reference,
        template="flat_payment",
        texts={"en": texts},
    )


@transaction.atomic
def start_version(
    *,
    actor,
    program: Program,
    template: str,
    start: date,
    end: date | None = None,
    reference: str = "",
) -> ProgramVersion:
    """A new draft of ``program`` from its version in force: a plain copy (``copy``), a
    ``top_up`` for a period or a ``one_off`` payment in the month of ``start``."""
    _require(selectors.may_author(actor), _("Only policy authors can start a version."))
    current = program.version_in_force()
    _require(current is not None, _("This programme has no version in force to build on."))
    base = dict(current.rules)
    try:
        if template == "copy":
            files = base
        elif template == "top_up":
            files = emergency.top_up(base=base, start=start, end=end or start, reference=reference)
        elif template == "one_off":
            files = emergency.one_off(base=base, month=start, reference=reference)
        else:
            raise StudioRefused(_("Unknown template."))
    except emergency.TemplateError as exc:
        raise StudioRefused(str(exc)) from None
    return _new_draft(
        actor=actor,
        program=program,
        rules=files,
        form=dict(current.form),
        effective_from=start,
        legal_basis=reference or current.legal_basis,
        template=template,
        texts=_program_texts(program),
    )


@transaction.atomic
def import_bundle(*, actor, bundle) -> ProgramVersion:
    """A draft from a programme folder (``studio.bundle.read``): a new version of the programme
    with that short name, or a new unpublished programme. It then goes through review like any
    draft. ``actor`` is a policy author, or a label for the command line (an operator)."""
    is_user = hasattr(actor, "pk")
    _require(
        not is_user or selectors.may_author(actor), _("Only policy authors can import a programme.")
    )
    program = Program.objects.filter(slug=bundle.slug).first()
    if program is None:
        en = bundle.texts.get("en") or {}
        texts = {k: str(en.get(k) or "") for k in TEXT_FIELDS} | {"name": bundle.name}
        program = programs.create_program(
            actor=actor,
            slug=bundle.slug,
            is_published=False,
            decision_days=bundle.decision_days,
            **texts,
        )
    return _new_draft(
        actor=actor if is_user else None,
        audit_actor=actor,
        program=program,
        rules=bundle.rules,
        form=bundle.form,
        effective_from=bundle.effective_from,
        legal_basis=bundle.legal_basis,
        template="import",
        texts=bundle.texts,
    )


# --- editing a draft (optimistic lock) -------------------------------------------------------------
def _edit(actor, version: ProgramVersion, revision: int) -> tuple[ProgramVersion, Workspace]:
    """Lock the version's workspace for an edit; refuse when not a draft, not an author, or
    someone saved since ``revision`` was read."""
    _require(selectors.may_author(actor), _("Only policy authors can edit a version."))
    workspace = (
        Workspace.objects.select_for_update().select_related("version").get(version_id=version.pk)
    )
    locked = workspace.version
    _require(
        versioning.is_editable(locked),
        _("This version is %(status)s and can no longer be changed; start a new version.")
        % {"status": VersionStatus(locked.status).label},
    )
    _require(
        int(revision) == workspace.revision,
        _(
            "Someone else saved this version since you opened it (revision %(theirs)s; you "
            "edited revision %(yours)s). Your text is shown below: copy it, reload and apply "
            "your change again."
        )
        % {"theirs": workspace.revision, "yours": revision},
    )
    workspace.revision += 1
    workspace.updated_at = timezone.now()
    workspace.save(update_fields=["revision", "updated_at"])
    Authorship.objects.get_or_create(version=locked, user=actor)
    return locked, workspace


@transaction.atomic
def save_rules(*, actor, version: ProgramVersion, revision: int, files: dict[str, str]):
    """Save the rules files (draft text is kept even when it does not load yet: nothing is lost;
    the returned validation lists the engine's problems by file and line)."""
    cleaned = {}
    for path, text in files.items():
        path = path.strip().lstrip("/")
        _require(
            path.endswith((".yaml", ".yml")) and ".." not in path.split("/"),
            _("File names end in .yaml and stay inside the rules folder: %(path)s")
            % {"path": path},
        )
        cleaned[path] = text.replace("\r\n", "\n")
    locked, workspace = _edit(actor, version, revision)
    before = sorted(locked.rules)
    locked.rules = cleaned
    locked.save(update_fields=["rules"])
    checked = selectors.validate_rules(cleaned, name=locked.program.slug)
    audit.record(
        actor=actor,
        action="studio:version:rules_saved",
        subject=locked,
        before={"files": before},
        after={"files": sorted(cleaned), "revision": workspace.revision, "loads": checked.ok},
    )
    return checked


@transaction.atomic
def save_form(*, actor, version: ProgramVersion, revision: int, form_text: str) -> None:
    try:
        form = json.loads(form_text)
        validate_spec(form)
    except json.JSONDecodeError as exc:
        raise StudioRefused(
            _("The form is not valid JSON: line %(line)s, column %(col)s: %(msg)s")
            % {"line": exc.lineno, "col": exc.colno, "msg": exc.msg}
        ) from None
    except FormSpecError as exc:
        raise StudioRefused(_("The form is not valid: %(msg)s") % {"msg": exc}) from None
    locked, workspace = _edit(actor, version, revision)
    locked.form = form
    locked.save(update_fields=["form"])
    audit.record(
        actor=actor,
        action="studio:version:form_saved",
        subject=locked,
        after={"revision": workspace.revision},
    )


@transaction.atomic
def save_details(
    *,
    actor,
    version: ProgramVersion,
    revision: int,
    effective_from: date,
    legal_basis: str,
    language: str,
    texts: dict[str, str],
) -> None:
    """The date it takes effect, its legal basis and the start page texts in one language."""
    _require(effective_from >= _today(), _("The date it takes effect cannot be in the past."))
    locked, workspace = _edit(actor, version, revision)
    before = {"effective_from": locked.effective_from, "legal_basis": locked.legal_basis}
    locked.effective_from = effective_from
    locked.legal_basis = legal_basis
    locked.save(update_fields=["effective_from", "legal_basis"])
    all_texts = dict(workspace.texts)
    all_texts[language] = {k: str(texts.get(k, "")).strip() for k in TEXT_FIELDS}
    workspace.texts = all_texts
    workspace.save(update_fields=["texts"])
    audit.record(
        actor=actor,
        action="studio:version:details_saved",
        subject=locked,
        before=before,
        after={
            "effective_from": effective_from,
            "legal_basis": legal_basis,
            "language": language,
            "revision": workspace.revision,
        },
    )


def _check_case(period: str, situation: str, expected: str) -> None:
    try:
        parse_period(period)
    except ValueError:
        raise StudioRefused(_("The month must be written YYYY-MM.")) from None
    for label, text in ((_("situation"), situation), (_("expected values"), expected)):
        try:
            value = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" (line {mark.line + 1})" if mark else ""
            raise StudioRefused(
                _("The %(what)s is not valid YAML%(where)s.") % {"what": label, "where": where}
            ) from None
        _require(
            isinstance(value, dict) and value,
            _("The %(what)s must map names to values.") % {"what": label},
        )


@transaction.atomic
def add_case(
    *,
    actor,
    version: ProgramVersion,
    revision: int,
    name: str,
    period: str,
    situation: str,
    expected: str,
    tolerance: float = 0.0,
) -> TestCase:
    _check_case(period, situation, expected)
    _require(tolerance >= 0, _("The tolerance cannot be negative."))
    locked, workspace = _edit(actor, version, revision)
    case = TestCase.objects.create(
        version=locked,
        name=name.strip() or _("Unnamed case"),
        period=period,
        situation=situation,
        expected=expected,
        tolerance=tolerance,
        position=locked.cases.count(),
    )
    audit.record(
        actor=actor,
        action="studio:case:added",
        subject=case,
        after={"version": locked.pk, "name": case.name, "revision": workspace.revision},
    )
    return case


@transaction.atomic
def delete_case(*, actor, version: ProgramVersion, revision: int, case_id: int) -> None:
    locked, workspace = _edit(actor, version, revision)
    case = locked.cases.filter(pk=case_id).first()
    _require(case is not None, _("This test case no longer exists."))
    audit.record(
        actor=actor,
        action="studio:case:deleted",
        subject=case,
        before={"name": case.name},
        after={"revision": workspace.revision},
    )
    case.delete()


# --- review, approval, scheduling -----------------------------------------------------------------
def readiness(version: ProgramVersion) -> list[str]:
    """Why the version cannot go to review or be approved (empty when it can)."""
    reasons = []
    report = selectors.run_tests(version)
    if report.problems:
        reasons.append(_("The rules do not load: fix the errors shown next to the files."))
    elif not report.results:
        reasons.append(_("The version has no tests: add at least one test case."))
    elif report.failed:
        reasons.append(_("%(n)s of its tests fail.") % {"n": report.failed})
    if version.effective_from < _today():
        reasons.append(
            _("It would take effect in the past (%(date)s): choose today or a later date.")
            % {"date": version.effective_from.isoformat()}
        )
    return reasons


@transaction.atomic
def submit_for_review(*, actor, version: ProgramVersion) -> None:
    _require(selectors.may_author(actor), _("Only policy authors can send a version to review."))
    reasons = readiness(version)
    _require(not reasons, " ".join(reasons))
    versioning.change_status(actor=actor, version=version, to=VersionStatus.IN_REVIEW)


@transaction.atomic
def return_for_changes(*, actor, version: ProgramVersion, comment: str) -> None:
    _require(selectors.may_approve(actor), _("Only approvers can return a version."))
    _require(comment.strip(), _("Say what should change."))
    versioning.change_status(actor=actor, version=version, to=VersionStatus.DRAFT)
    Review.objects.create(
        version=version, reviewer=actor, decision=ReviewDecision.RETURNED, comment=comment.strip()
    )


@transaction.atomic
def approve(*, actor, version: ProgramVersion, comment: str = "") -> str:
    """Approve and schedule: in force at once when dated today, else scheduled for its date.
    Returns the new status."""
    _require(selectors.may_approve(actor), _("Only approvers can approve a version."))
    _require(
        actor.pk not in selectors.authors_of(version),
        _("You wrote part of this version, so someone else must approve it."),
    )
    _require(
        version.status == VersionStatus.IN_REVIEW, _("Only a version in review can be approved.")
    )
    reasons = readiness(version)
    _require(not reasons, " ".join(reasons))
    versioning.change_status(actor=actor, version=version, to=VersionStatus.APPROVED)
    Review.objects.create(
        version=version, reviewer=actor, decision=ReviewDecision.APPROVED, comment=comment.strip()
    )
    if version.effective_from <= _today():
        _put_in_force(actor=actor, version=version)
        return VersionStatus.IN_FORCE
    versioning.change_status(
        actor=actor,
        version=version,
        to=VersionStatus.SCHEDULED,
        context={"effective_from": version.effective_from.isoformat()},
    )
    return VersionStatus.SCHEDULED


def _put_in_force(*, actor, version: ProgramVersion) -> None:
    versioning.change_status(actor=actor, version=version, to=VersionStatus.IN_FORCE)
    workspace = Workspace.objects.filter(version=version).first()
    texts = (workspace.texts.get("en") if workspace else None) or {}
    changes = {k: v for k, v in texts.items() if k in TEXT_FIELDS and v}
    program = Program.objects.select_for_update().get(pk=version.program_id)
    before = {k: getattr(program, k) for k in changes} | {"is_published": program.is_published}
    Program.objects.filter(pk=program.pk).update(is_published=True, **changes)
    audit.record(
        actor=actor,
        action="studio:program:texts_published",
        subject=program,
        before=before,
        after=changes | {"is_published": True, "version": version.number},
    )


def activate_due(*, actor, today: date | None = None) -> list[ProgramVersion]:
    """Put every scheduled version whose date has come in force (retiring the one before), one
    transaction per version, oldest date first. Running it twice does nothing the second time."""
    today = today or _today()
    done = []
    due = ProgramVersion.objects.filter(
        status=VersionStatus.SCHEDULED, effective_from__lte=today
    ).order_by("effective_from", "number")
    for version in due:
        with transaction.atomic():
            fresh = ProgramVersion.objects.select_for_update().get(pk=version.pk)
            if fresh.status != VersionStatus.SCHEDULED:
                continue
            _put_in_force(actor=actor, version=fresh)
            done.append(fresh)
    return done


# --- simulation: queued here, run by the worker with its progress on the row ---------------------
# One queued or running simulation per version. One the worker has said nothing about for a long
# time (``Simulation.is_stale``) is taken as lost: the next press records it as failed and starts
# a new one. Progress comes from the registry read, then from the engine (after each of its blocks
# of about 30,000 persons); it is written at most every PROGRESS_EVERY seconds (the page
# refreshes every few seconds), and always at the end of each of the two.
PROGRESS_EVERY = 0.5


def start_simulation(*, actor, version: ProgramVersion, period: str) -> tuple[Simulation, bool]:
    """Queue a simulation of ``version`` for ``period``; the worker runs it after commit
    (``tasks.run_simulation``). Returns ``(simulation, started)``: while one is already queued or
    running for this version, that one with ``started`` False, and nothing new is queued."""
    from civitas.studio import tasks

    _require(selectors.may_use_studio(actor), _("Only studio users can run a simulation."))
    try:
        parse_period(period)
    except ValueError:
        raise StudioRefused(_("Give the month as YYYY-MM.")) from None
    checked = selectors.validate_rules(dict(version.rules), name=version.program.slug)
    _require(checked.ok, _("The rules do not load: fix the errors shown next to the files."))
    try:
        with transaction.atomic():
            workspace = Workspace.objects.select_for_update().filter(version_id=version.pk).first()
            live = _live_simulation(version)
            if live is not None and not live.is_stale:
                return live, False
            if live is not None:
                _move(
                    live,
                    SimulationStatus.FAILED,
                    actor=actor,
                    finished_at=timezone.now(),
                    phase="",
                    message=_(
                        "The worker stopped before this simulation finished (no news from it "
                        "since %(time)s)."
                    )
                    % {"time": timezone.localtime(live.updated_at).strftime("%Y-%m-%d %H:%M")},
                )
            now = timezone.now()
            run = Simulation.objects.create(
                version=version,
                revision=workspace.revision if workspace else 0,
                period=period,
                status=SimulationStatus.QUEUED,
                phase=_("Waiting for the worker"),
                run_by=actor,
                run_at=now,
                updated_at=now,
            )
            audit.record(
                actor=actor,
                action="studio:simulation:queued",
                subject=run,
                after={"version": version.pk, "period": period, "revision": run.revision},
            )
            transaction.on_commit(lambda: tasks.run_simulation.enqueue(run.pk))
    except IntegrityError:  # someone else queued one for this version a moment ago
        live = _live_simulation(version)
        if live is None:
            raise
        return live, False
    return run, True


def _live_simulation(version: ProgramVersion) -> Simulation | None:
    return Simulation.objects.filter(version_id=version.pk, status__in=LIVE_SIMULATION).first()


def _move(run: Simulation, target: str, *, actor=None, **fields) -> Simulation:
    """Change a simulation's status along ``SIMULATION_TRANSITIONS``, audited, in one short
    transaction (the worker's moves are audited with no actor: the system made them)."""
    with transaction.atomic():
        locked = Simulation.objects.select_for_update().get(pk=run.pk)
        if target not in SIMULATION_TRANSITIONS[locked.status]:
            raise StudioRefused(
                _("This simulation is %(current)s, so it cannot become %(target)s.")
                % {
                    "current": str(SimulationStatus(locked.status).label).lower(),
                    "target": str(SimulationStatus(target).label).lower(),
                }
            )
        before = {"status": locked.status}
        locked.status = target
        locked.updated_at = timezone.now()
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save()
        after = {
            "status": target,
            "version": locked.version_id,
            "period": locked.period,
            "revision": locked.revision,
            "households": locked.households,
        }
        if target == SimulationStatus.DONE:
            after |= {"baseline": locked.baseline, "difference": locked.report["difference"]}
        if target == SimulationStatus.FAILED:
            after["message"] = locked.message
        audit.record(
            actor=actor,
            action=f"studio:simulation:{target}",
            subject=locked,
            before=before,
            after=after,
        )
    return locked


def _progress(run: Simulation, **fields) -> None:
    """Progress is bookkeeping, not a change of state: one short write, without an audit event."""
    fields["updated_at"] = timezone.now()
    for name, value in fields.items():
        setattr(run, name, value)
    with transaction.atomic():
        Simulation.objects.filter(pk=run.pk).update(**fields)


def execute_simulation(simulation_id: int) -> Simulation | None:
    """The worker's half: run a queued simulation, writing its progress, and keep the report; a
    failure is kept on the simulation as a message for the page (the details go to the log).
    Running it again for a simulation that is no longer queued does nothing (the queue delivers
    at least once)."""
    from civitas.registry.models import Household
    from civitas.studio import simulation

    with transaction.atomic():
        run = Simulation.objects.select_for_update().filter(pk=simulation_id).first()
        if run is None or run.status != SimulationStatus.QUEUED:
            return run
        # the rules and their revision as they are now, read together (the draft may have been
        # saved since the button was pressed)
        workspace = Workspace.objects.select_for_update().filter(version_id=run.version_id).first()
        version = ProgramVersion.objects.select_related("program").get(pk=run.version_id)
        run = _move(
            run,
            SimulationStatus.RUNNING,
            revision=workspace.revision if workspace else run.revision,
            started_at=timezone.now(),
            households=Household.objects.count(),
            households_done=0,
            phase=_("Reading the registry"),
        )

    comparing = _("Comparing the draft with the baseline")
    written = [float("-inf")]  # when progress was last written (time.monotonic)

    def write(fields: dict, *, now: bool) -> None:
        """One progress write, at most every ``PROGRESS_EVERY`` seconds unless ``now``."""
        clock = time.monotonic()
        if not now and clock - written[0] < PROGRESS_EVERY:
            return
        written[0] = clock
        try:
            _progress(run, **fields)
        except DatabaseError:  # a missed progress write must not stop the simulation
            logger.warning("studio simulation %s: progress not written", run.pk, exc_info=True)

    def on_reading(done: int, total: int) -> None:
        write({"read_done": done, "read_total": total}, now=done >= total)

    def on_progress(done: int, total: int) -> None:
        fields = {"households": total, "households_done": done}
        first = run.phase != comparing
        if first:
            fields["phase"] = comparing
        write(fields, now=first or done >= total)

    started = time.perf_counter()
    try:
        outcome = simulation.simulate_version(
            version, period=run.period, progress=on_progress, reading=on_reading
        )
    except simulation.SimulationRefused as exc:
        message = str(exc)
    except Exception:
        logger.exception("studio simulation %s failed", run.pk)
        message = _unexpected(run)
    else:
        try:
            return _end(
                run,
                SimulationStatus.DONE,
                baseline=outcome.baseline_label,
                households=outcome.report["households"],
                households_done=outcome.report["households"],
                report=outcome.report,
                seconds=round(time.perf_counter() - started, 3),
                finished_at=timezone.now(),
                phase="",
            )
        except Exception:
            logger.exception("studio simulation %s: the report could not be kept", run.pk)
            message = _unexpected(run)
    return _end(
        run, SimulationStatus.FAILED, message=message[:2000], finished_at=timezone.now(), phase=""
    )


def _unexpected(run: Simulation) -> str:
    return _(
        "The simulation stopped on an unexpected error. Try again; if it happens again, tell the "
        "administrators (simulation %(id)s: the details are in the server's log)."
    ) % {"id": run.pk}


def _end(run: Simulation, target: str, **fields) -> Simulation:
    """The worker's last move; a simulation no longer running (taken as lost meanwhile, see
    ``Simulation.is_stale``) is left as it is."""
    try:
        return _move(run, target, **fields)
    except StudioRefused:
        logger.warning("studio simulation %s ended after it was taken as lost", run.pk)
        return Simulation.objects.get(pk=run.pk)


@transaction.atomic
def ensure_workspace(*, actor, version: ProgramVersion) -> Workspace:
    """Give a version made outside the studio (the demo loader, an older import) its studio
    record, so it opens in the studio like any other instead of failing."""
    workspace = Workspace.objects.filter(version=version).first()
    if workspace is not None:
        return workspace
    texts = {"en": {field: getattr(version.program, field) for field in TEXT_FIELDS}}
    workspace = Workspace.objects.create(version=version, texts=texts, created_by=None)
    audit.record(
        actor=actor,
        action="studio:workspace:created",
        subject=version,
        after={"program": version.program.slug, "number": version.number},
    )
    return workspace


# --- a public consultation on a draft, with its simulated impact ----------------------------------
CONSULTABLE = (VersionStatus.DRAFT, VersionStatus.IN_REVIEW)


def _consultation_document(version: ProgramVersion, run: Simulation) -> str:
    """The consultation's first document: what the draft is, in plain words, and what the
    simulation found (aggregates only)."""
    from django.utils.html import escape

    report = run.report
    texts = (version.studio.texts.get("en") if hasattr(version, "studio") else None) or {}
    rows = [
        (_("Households that would receive more"), f"{report['gainers']:,}"),
        (_("Households that would receive less"), f"{report['losers']:,}"),
        (_("Households with no change"), f"{report['unchanged']:,}"),
        (_("Change in monthly payments"), f"{report['difference']:,.2f}"),
    ]
    items = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in rows)
    parts = [
        f"<h2>{escape(_('What would change'))}</h2>",
        f"<p>{escape(texts.get('summary') or version.program.summary)}</p>",
        "<p>"
        + escape(
            _(
                "This draft would take effect on %(date)s. Its legal basis: %(basis)s. "
                "Who could receive it: %(who)s"
            )
            % {
                "date": version.effective_from.isoformat(),
                "basis": version.legal_basis or _("not yet given"),
                "who": texts.get("who_can_apply") or version.program.who_can_apply,
            }
        )
        + "</p>",
        f"<h2>{escape(_('What the simulation found'))}</h2>",
        "<p>"
        + escape(
            _(
                "The draft rules were run over the %(n)s households in the registry for "
                "%(period)s and compared with %(baseline)s. Only totals are shown: no "
                "household can be recognised."
            )
            % {"n": f"{run.households:,}", "period": run.period, "baseline": run.baseline}
        )
        + "</p>",
        f"<dl>{items}</dl>",
    ]
    return "".join(parts)


def open_consultation(*, actor, simulation: Simulation, title: str, summary: str, closes_on: date):
    """Open a public consultation on the simulated draft.

    In the request, one transaction: the participation app's consultation (unpublished), a
    document that explains the draft and the simulation's totals, and the studio's audit event.
    After commit a background task (``tasks.publish_consultation``) attaches the impact over the
    registry (the participation app's simulation of the same draft for the same month: minutes
    for a registry of a million households, so never in a web request) and opens the
    consultation for comments; see ``publish_consultation``. The public never sees a
    consultation without its impact. Running it again for the same version updates the
    document and publishes again if needed, and returns the same consultation.
    """
    from civitas.participation.permissions import can_manage
    from civitas.participation.services import consultations as consulting
    from civitas.studio import tasks

    version = simulation.version
    _require(
        selectors.may_use_studio(actor) and can_manage(actor),
        _("Only policy authors and approvers can open a consultation."),
    )
    _require(
        version.status in CONSULTABLE,
        _("Only a draft or a version in review can be put to consultation."),
    )
    _require(
        simulation.status == SimulationStatus.DONE,
        _(
            "This simulation has not finished: wait for its results (or run it again if it "
            "failed) before opening a consultation."
        ),
    )
    workspace = Workspace.objects.filter(version=version).first()
    _require(
        workspace is None or simulation.revision == workspace.revision,
        _(
            "The draft changed after this simulation was run: run the simulation again, so "
            "the public sees the impact of the rules they are asked about."
        ),
    )
    _require(bool(title.strip()) and bool(summary.strip()), _("Enter a title and a summary."))
    _require(closes_on > _today(), _("The consultation must close after today."))
    existing = version.consultations.order_by("pk").first()
    slug = existing.slug if existing else f"{version.program.slug}-v{version.number}"
    try:
        with transaction.atomic():
            consultation = consulting.create_consultation(
                actor=actor,
                slug=slug,
                title=title,
                summary=summary,
                program_version=version,
                opens_on=_today(),
                closes_on=closes_on,
            )
            _require(
                consultation.program_version_id == version.pk,
                _("A consultation with the address %(slug)s already exists.") % {"slug": slug},
            )
            consulting.save_document(
                actor=actor,
                consultation=consultation,
                slug="the-draft",
                title=_("The draft and its simulated impact"),
                body_html=_consultation_document(version, simulation),
            )
            audit.record(
                actor=actor,
                action="studio:consultation:opened",
                subject=version,
                after={
                    "consultation": consultation.slug,
                    "simulation": simulation.pk,
                    "period": simulation.period,
                    "households": simulation.households,
                    "difference": simulation.report.get("difference"),
                },
            )
            transaction.on_commit(
                lambda: tasks.publish_consultation.enqueue(consultation.pk, simulation.pk, actor.pk)
            )
    except (consulting.ConsultationError, consulting.DocumentRefused) as exc:
        raise StudioRefused(str(exc)) from None
    return consultation


def publish_consultation(*, actor, consultation, simulation: Simulation):
    """The background half of ``open_consultation``: the impact, then the public phases.

    Reads the whole registry outside any transaction (the participation app's rule), stores the
    impact, then moves the consultation to information and to consultation, each step audited
    by the participation app. Idempotent: a consultation already open only gets a fresh impact.
    When the impact cannot be computed the consultation stays unpublished and the reason is
    audited as ``studio:consultation:failed``.
    """
    from civitas.participation.impact import ImpactError
    from civitas.participation.lifecycles import Phase
    from civitas.participation.services import consultations as consulting

    period_start = parse_period(simulation.period).start
    try:
        consulting.run_impact(
            actor=actor, consultation=consultation, today=max(period_start, _today())
        )
    except (ImpactError, consulting.ConsultationError) as exc:
        with transaction.atomic():
            audit.record(
                actor=actor,
                action="studio:consultation:failed",
                subject=consultation,
                after={"reason": str(exc), "simulation": simulation.pk},
            )
        return consultation
    if consultation.phase == Phase.DRAFT:
        consultation = consulting.advance_phase(
            actor=actor, consultation=consultation, target=Phase.INFORMATION
        )
    if consultation.phase == Phase.INFORMATION:
        consultation = consulting.advance_phase(
            actor=actor, consultation=consultation, target=Phase.CONSULTATION
        )
    return consultation
