"""Applying: drafts saved page by page, once-only answers, idempotent submission, the lifecycle
after it, and the messages between the caseworker and the applicant."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from civitas.applications import selectors
from civitas.applications.lifecycle import (
    Status,
    TransitionNotAllowed,
    add_working_days,
    check_transition,
)
from civitas.applications.models import (
    Application,
    ApplicationMessage,
    Channel,
    Consent,
    ConsentMethod,
    ConsentPurpose,
    MessageKind,
)
from civitas.applications.references import new_reference
from civitas.audit import services as audit
from civitas.db.prepared import insert
from civitas.notify import services as notify
from civitas.programs.assessment import pre_assess, registry_facts
from civitas.programs.forms import validate_answers
from civitas.programs.formspec import FormSpec, is_blank, parse_spec
from civitas.programs.models import Program
from civitas.programs.selectors import version_in_force
from civitas.registry.selectors import person_for_account
from civitas.security import crypto


def answers_for_audit(answers: dict[str, Any]) -> dict[str, Any]:
    """What the audit trail keeps of answers: their names and a keyed digest, never the values.

    Answers hold health facts, income and bank details; the trail is hash-chained and cannot be
    erased, so it must not hold them. The digest lets an auditor confirm that the answers stored
    with the application are the ones recorded, without the trail revealing them.
    """
    canonical = json.dumps(answers, sort_keys=True, cls=DjangoJSONEncoder)
    return {
        "names": sorted(answers),
        "digest": crypto.keyed_hash(canonical, purpose="audit.answers"),
    }


@dataclass(frozen=True)
class SubmitOutcome:
    application: Application
    created: bool  # False when the same idempotency key was replayed


@dataclass(frozen=True)
class Problem:
    """Something to put right before an application can be sent."""

    kind: str  # "question" or "document"
    name: str  # the question's or the document's name
    page: str  # the page that asks the question ("" for documents)
    message: str


class SubmissionIncomplete(Exception):
    """The application cannot be sent yet; ``problems`` says what is missing, in order."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(p.message for p in problems))


def spec_of(application: Application) -> FormSpec:
    return parse_spec(application.program_version.form)


def _locked(application: Application) -> Application:
    return Application.objects.select_for_update().get(pk=application.pk)


def _require_draft(application: Application) -> None:
    if application.status != Status.DRAFT:
        raise TransitionNotAllowed(
            _("This application has been sent, so its answers can no longer be changed.")
        )


def _recipient(application: Application):
    """Who hears about the application: the applicant, or whoever applied for a person who has no
    account of their own."""
    return application.applicant or application.created_by


def _tell(application: Application, *, subject: str, body: str, sms: str, actor) -> None:
    recipient = _recipient(application)
    if recipient is None:
        return
    with translation.override(getattr(recipient, "preferred_language", "") or None):
        notify.queue_message(
            recipient=recipient,
            subject=str(subject),
            body=str(body),
            sms_text=str(sms),
            reference=application.reference,
            actor=actor,
        )


# --- drafts -------------------------------------------------------------------------------------
def start_draft(
    *,
    applicant,
    program: Program,
    idempotency_key: str,
    created_by=None,
    person=None,
    channel: str = Channel.ONLINE,
    answers: dict[str, Any] | None = None,
) -> SubmitOutcome:
    """Open a draft application; replaying the same key returns the first one unchanged."""
    creator = created_by or applicant
    existing = Application.objects.filter(
        created_by=creator, idempotency_key=idempotency_key
    ).first()
    if existing is not None:
        return SubmitOutcome(existing, created=False)
    version = version_in_force(program)
    if person is None and applicant is not None:
        person = person_for_account(applicant)
    try:
        with transaction.atomic():
            application = Application.objects.create(
                reference=new_reference(),
                applicant=applicant,
                created_by=creator,
                channel=channel,
                person=person,
                program=program,
                program_version=version,
                status=Status.DRAFT,
                answers=answers or {},
                idempotency_key=idempotency_key,
            )
            audit.record(
                actor=creator,
                action="applications:application:created",
                subject=application,
                after={
                    "reference": application.reference,
                    "program": program.slug,
                    "version": version.number,
                    "channel": channel,
                    "applicant": getattr(applicant, "pk", None),
                    "person": getattr(person, "pk", None),
                },
            )
    except IntegrityError:
        # A concurrent request with the same key won the race: return its application.
        existing = Application.objects.filter(
            created_by=creator, idempotency_key=idempotency_key
        ).first()
        if existing is None:
            raise
        return SubmitOutcome(existing, created=False)
    return SubmitOutcome(application, created=True)


@transaction.atomic
def save_answers(*, application: Application, actor, answers: dict[str, Any]) -> Application:
    """Keep the answers of one page in the draft (checked by the caller's form)."""
    locked = _locked(application)
    _require_draft(locked)
    before = {name: locked.answers.get(name) for name in answers}
    locked.answers = {**locked.answers, **answers}
    # an answer the person changed no longer comes from the registry
    locked.prefilled = [
        name for name in locked.prefilled if name not in answers or answers[name] == before[name]
    ]
    locked.updated_at = timezone.now()
    locked.save(update_fields=["answers", "prefilled", "updated_at"])
    audit.record(
        actor=actor,
        action="applications:application:answered",
        subject=locked,
        before=answers_for_audit(before),
        after=answers_for_audit(answers),
    )
    return locked


def use_registry_answers(
    *, application: Application, actor, method: str = ConsentMethod.ONLINE
) -> Application:
    """Once-only: with the person's consent (recorded), answer the questions the registry can
    answer instead of asking them again. Answers already given are kept."""
    spec = spec_of(application)
    facts = registry_facts(application.person)
    offered = {
        q.name: facts[q.prefill]
        for q in spec.prefillable()
        if q.prefill in facts and is_blank(application.answers.get(q.name))
    }
    # keep only what the form would accept (a registry value outside a question's limits is asked)
    valid, errors = validate_answers(spec, offered, partial=True)
    filled = {name: valid[name] for name in offered if name in valid and name not in errors}
    with transaction.atomic():
        locked = _locked(application)
        _require_draft(locked)
        consent = Consent.objects.create(
            purpose=ConsentPurpose.PREFILL,
            user=locked.applicant,
            person=locked.person,
            recorded_by=actor,
            method=method,
            program=locked.program,
            application=locked,
            detail=", ".join(sorted(filled)),
        )
        audit.record(
            actor=actor,
            action="applications:consent:given",
            subject=consent,
            after={
                "purpose": consent.purpose,
                "method": method,
                "application": locked.reference,
                "person": locked.person_id,
            },
        )
        locked.answers = {**locked.answers, **filled}
        locked.prefilled = sorted(set(locked.prefilled) | set(filled))
        locked.prefill_choice = "accepted"
        locked.updated_at = timezone.now()
        locked.save(update_fields=["answers", "prefilled", "prefill_choice", "updated_at"])
        audit.record(
            actor=actor,
            action="applications:application:prefilled",
            subject=locked,
            after={"answers": answers_for_audit(filled), "consent": consent.pk},
        )
    return locked


@transaction.atomic
def decline_prefill(*, application: Application, actor) -> Application:
    locked = _locked(application)
    _require_draft(locked)
    locked.prefill_choice = "declined"
    locked.save(update_fields=["prefill_choice"])
    audit.record(actor=actor, action="applications:application:prefill_declined", subject=locked)
    return locked


def problems_before_sending(application: Application) -> list[Problem]:
    """Every answer and required document still missing or wrong, in the order of the form."""
    spec = spec_of(application)
    _clean, errors = validate_answers(spec, application.answers)
    problems = []
    for page in spec.visible_pages(application.answers):
        for question in page.visible_questions(application.answers):
            for message in errors.get(question.name, []):
                problems.append(Problem("question", question.name, page.name, message))
    uploaded = set(application.documents.values_list("requirement", flat=True))
    for document in spec.documents_needed(application.answers):
        if document.required and document.name not in uploaded:
            problems.append(_missing_document(document))
    return problems


def submit_draft(
    *, application: Application, actor, pre_assessment: dict | None = None
) -> Application:
    """Send a draft. Sending one that was already sent returns it unchanged (a double click or a
    retry never does anything twice). ``SubmissionIncomplete`` lists what is missing."""
    if application.status != Status.DRAFT:
        return application
    spec = spec_of(application)
    answers = spec.keep_visible(application.answers)
    if pre_assessment is None:
        # worked out before the write transaction, so loading rules never holds the write lock
        pre_assessment = pre_assess(
            version=application.program_version, person=application.person, answers=answers
        )
    with transaction.atomic():
        locked = _locked(application)
        if locked.status != Status.DRAFT:
            return locked
        problems = problems_before_sending(locked)
        if problems:
            raise SubmissionIncomplete(problems)
        submitted = _transition(
            locked,
            target=Status.SUBMITTED,
            actor=actor,
            changes={
                "answers": answers,
                "pre_assessment": pre_assessment,
                "submitted_at": timezone.now(),
            },
            audit_after={
                "reference": locked.reference,
                "program": locked.program.slug,
                "version": locked.program_version.number,
                "channel": locked.channel,
                "answers": answers_for_audit(answers),
            },
        )
        _tell_received(submitted, actor=actor)
    return submitted


def submit_application(
    *,
    applicant,
    program: Program,
    answers: dict[str, Any],
    idempotency_key: str,
    pre_assessment: dict | None = None,
    created_by=None,
    channel: str = Channel.ONLINE,
    version=None,
    replay_checked: bool = False,
) -> SubmitOutcome:
    """Create and send an application in one step (the API, imports); replaying the same key
    returns the first one unchanged. ``SubmissionIncomplete`` when answers are missing or wrong, or
    the form requires a document (a one-step application has none); then nothing is kept.

    One business action, so one write transaction and one audit event: the application is born
    sent (the draft it would have been for a moment is never seen by anyone). The answers are
    checked once, and the rules run before the transaction so they never hold the write lock.

    A caller that has just looked the key up itself passes ``replay_checked`` (the race with a
    concurrent request is still caught below), and may pass the ``version`` in force it read."""
    creator = created_by or applicant
    if not replay_checked:
        existing = _replayed(creator, idempotency_key)
        if existing is not None:
            return SubmitOutcome(existing, created=False)
    if version is None:
        version = version_in_force(program)
    spec = parse_spec(version.form)
    clean, errors = validate_answers(spec, answers)  # only the questions shown are kept
    problems = [
        Problem("question", name, "", message) for name, msgs in errors.items() for message in msgs
    ]
    problems += [
        _missing_document(document)
        for document in spec.documents_needed(clean)
        if document.required
    ]
    if problems:
        raise SubmissionIncomplete(problems)
    check_transition(Status.DRAFT, Status.SUBMITTED)
    person = person_for_account(applicant) if applicant is not None else None
    if pre_assessment is None:
        pre_assessment = pre_assess(version=version, person=person, answers=clean, spec=spec)
    now = timezone.now()
    try:
        with transaction.atomic():
            application = insert(  # the ORM's create, its INSERT built once (civitas.db)
                Application(
                    reference=new_reference(),
                    applicant=applicant,
                    created_by=creator,
                    channel=channel,
                    person=person,
                    program=program,
                    program_version=version,
                    status=Status.SUBMITTED,
                    answers=clean,
                    pre_assessment=pre_assessment,
                    idempotency_key=idempotency_key,
                    created_at=now,
                    updated_at=now,
                    submitted_at=now,
                )
            )
            audit.record(
                actor=creator,
                action=f"applications:application:{Status.SUBMITTED}",
                subject=application,
                before=None,
                after={
                    "status": Status.SUBMITTED,
                    "reason": "",
                    "reference": application.reference,
                    "program": program.slug,
                    "version": version.number,
                    "channel": channel,
                    "applicant": getattr(applicant, "pk", None),
                    "person": getattr(person, "pk", None),
                    "answers": answers_for_audit(clean),
                },
            )
            _tell_received(application, actor=creator)
    except IntegrityError:
        # A concurrent request with the same key won the race: return its application.
        existing = _replayed(creator, idempotency_key)
        if existing is None:
            raise
        return SubmitOutcome(existing, created=False)
    return SubmitOutcome(application, created=True)


def _replayed(creator, idempotency_key: str) -> Application | None:
    return selectors.replayed_application(created_by=creator, idempotency_key=idempotency_key)


def _missing_document(document) -> Problem:
    return Problem(
        "document",
        document.name,
        "",
        _("Upload %(document)s") % {"document": document.label[:1].lower() + document.label[1:]},
    )


def _tell_received(application: Application, *, actor) -> None:
    program = application.program
    decide_by = add_working_days(
        timezone.localdate(application.submitted_at), program.decision_days
    )
    on_behalf = (
        application.applicant is None or application.created_by_id != application.applicant_id
    )
    _tell(
        application,
        subject=_("Application received: %(ref)s") % {"ref": application.reference},
        body=_(
            "We have received the application for %(program)s.\n\n"
            "The reference number is %(ref)s. Keep it: you will need it if you contact us.\n\n"
            "We aim to decide by %(date)s.\n\nWhat happens next: %(next)s"
        )
        % {
            "program": program.name,
            "ref": application.reference,
            "date": decide_by.strftime("%d/%m/%Y"),
            "next": program.what_happens_next,
        }
        + ("\n\n" + _("This application was made on the applicant's behalf.") if on_behalf else ""),
        sms=_("We received application %(ref)s. We aim to decide by %(date)s.")
        % {"ref": application.reference, "date": decide_by.strftime("%d/%m/%Y")},
        actor=actor,
    )


# --- the lifecycle after sending ----------------------------------------------------------------
def _transition(
    application: Application,
    *,
    target: str,
    actor,
    reason: str = "",
    changes: dict[str, Any] | None = None,
    audit_after: dict[str, Any] | None = None,
) -> Application:
    """The only place an application's status changes (call inside a transaction)."""
    locked = _locked(application)
    check_transition(locked.status, target)
    before = {"status": locked.status}
    fields = {"status": target, "updated_at": timezone.now(), **(changes or {})}
    if target in {Status.APPROVED, Status.REJECTED}:
        fields["decided_at"] = timezone.now()
        fields["decision_reason"] = reason
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save(update_fields=list(fields))
    audit.record(
        actor=actor,
        action=f"applications:application:{target}",
        subject=locked,
        before=before,
        after={"status": target, "reason": reason, **(audit_after or {})},
    )
    return locked


@transaction.atomic
def start_review(*, application: Application, actor) -> Application:
    return _transition(application, target=Status.UNDER_REVIEW, actor=actor)


@transaction.atomic
def record_decision(*, application: Application, approved: bool, reason: str, actor) -> Application:
    """Approve or reject with a reason, and tell the applicant (the email goes after commit)."""
    if not reason.strip():
        raise ValueError(_("Enter the reason for the decision"))
    target = Status.APPROVED if approved else Status.REJECTED
    decided = _transition(application, target=target, actor=actor, reason=reason)
    outcome = _("approved") if approved else _("not approved")
    _tell(
        decided,
        subject=_("Decision on your application %(ref)s") % {"ref": decided.reference},
        body=_(
            "Your application %(ref)s for %(program)s has been %(outcome)s.\n\nReason: %(reason)s"
            "\n\nYou can read the decision in your account."
        )
        % {
            "ref": decided.reference,
            "program": decided.program.name,
            "outcome": outcome,
            "reason": reason,
        },
        sms=_("Your application %(ref)s has been %(outcome)s. Sign in to read why.")
        % {"ref": decided.reference, "outcome": outcome},
        actor=actor,
    )
    return decided


@transaction.atomic
def withdraw(*, application: Application, actor) -> Application:
    return _transition(application, target=Status.WITHDRAWN, actor=actor)


def _message(application, *, actor, to_applicant: bool, kind: str, body: str) -> ApplicationMessage:
    message = ApplicationMessage.objects.create(
        application=application, author=actor, to_applicant=to_applicant, kind=kind, body=body
    )
    audit.record(
        actor=actor,
        action=f"applications:message:{kind}",
        subject=message,
        after={"application": application.reference, "to_applicant": to_applicant, "body": body},
    )
    return message


@transaction.atomic
def request_information(*, application: Application, actor, body: str) -> Application:
    """A caseworker asks the applicant for more information; the application waits for the reply."""
    if not body.strip():
        raise ValueError(_("Enter what information you need"))
    locked = _locked(application)
    if locked.status == Status.SUBMITTED:
        locked = _transition(locked, target=Status.UNDER_REVIEW, actor=actor)
    locked = _transition(locked, target=Status.INFORMATION_REQUESTED, actor=actor)
    _message(
        locked, actor=actor, to_applicant=True, kind=MessageKind.INFORMATION_REQUEST, body=body
    )
    _tell(
        locked,
        subject=_("We need more information: %(ref)s") % {"ref": locked.reference},
        body=_(
            "We need more information about your application %(ref)s for %(program)s:\n\n"
            "%(request)s\n\nSign in and open the application to reply."
        )
        % {"ref": locked.reference, "program": locked.program.name, "request": body},
        sms=_("We need more information about application %(ref)s. Sign in to reply.")
        % {"ref": locked.reference},
        actor=actor,
    )
    return locked


@transaction.atomic
def answer_information_request(*, application: Application, actor, body: str) -> Application:
    """The applicant replies; the application goes back to the caseworker (under review)."""
    if not body.strip():
        raise ValueError(_("Enter your reply"))
    locked = _locked(application)
    if locked.status != Status.INFORMATION_REQUESTED:
        raise TransitionNotAllowed(_("We have not asked for more information on this application."))
    _message(
        locked, actor=actor, to_applicant=False, kind=MessageKind.INFORMATION_RESPONSE, body=body
    )
    return _transition(locked, target=Status.UNDER_REVIEW, actor=actor)


@transaction.atomic
def send_message(
    *, application: Application, actor, body: str, to_applicant: bool
) -> ApplicationMessage:
    """A message about the application that does not change its status."""
    if not body.strip():
        raise ValueError(_("Enter a message"))
    if application.status == Status.DRAFT:
        raise TransitionNotAllowed(_("This application has not been sent yet."))
    message = _message(
        application, actor=actor, to_applicant=to_applicant, kind=MessageKind.MESSAGE, body=body
    )
    if to_applicant:
        _tell(
            application,
            subject=_("A message about your application %(ref)s") % {"ref": application.reference},
            body=body,
            sms=_("You have a message about application %(ref)s. Sign in to read it.")
            % {"ref": application.reference},
            actor=actor,
        )
    return message
