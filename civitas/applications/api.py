"""Public API: a person's applications, through a token that acts for them.

Create with ``POST /applications`` and an ``Idempotency-Key`` header (a replay returns the same
application), fill in, upload documents, send, follow the status, reply to a request for
information, withdraw. Someone else's application is the same 404 as one that does not exist.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import Http404
from ninja import Header, Router, Schema
from ninja import Status as Respond
from ninja.errors import HttpError, ValidationError

from civitas.applications import selectors, services, uploads
from civitas.applications.api_auth import TokenAuth, require_scope
from civitas.applications.lifecycle import EXPLANATIONS, OPEN_STATES, Status
from civitas.applications.models import Application, Channel
from civitas.applications.services.documents import requirement_for
from civitas.programs import selectors as program_selectors
from civitas.programs.forms import validate_answers
from civitas.programs.formspec import parse_spec

router = Router(tags=["Applications"], auth=TokenAuth())

Scalar = str | int | float | bool | None
MAX_UPLOAD = 20 * 1024 * 1024


class ProblemOut(Schema):
    loc: list[str]
    msg: str
    type: str


class DocumentOut(Schema):
    id: int
    requirement: str
    name: str
    format: str
    size: int
    sha256: str
    virus_scan: str
    uploaded_at: datetime


class MessageOut(Schema):
    sent_by: str
    kind: str
    body: str
    sent_at: datetime


class ApplicationOut(Schema):
    reference: str
    programme: str
    status: str
    status_label: str
    status_explained: str
    channel: str
    created_at: datetime
    submitted_at: datetime | None
    decide_by: date | None
    decided_at: datetime | None
    decision_reason: str
    answers: dict[str, Any]
    documents: list[DocumentOut]
    messages: list[MessageOut]


class ApplicationIn(Schema):
    programme: str
    answers: dict[str, Scalar] = {}
    submit: bool = True


class AnswersIn(Schema):
    answers: dict[str, Scalar]


class ReplyIn(Schema):
    message: str


def _out(application: Application, *, new: bool = False) -> dict:
    """The application as the API shows it; ``new`` when this request made it (so it has no
    documents or messages yet, and there is nothing to read back)."""
    documents, messages = ([], []) if new else selectors.documents_and_messages(application)
    return {
        "reference": application.reference,
        "programme": application.program.slug,
        "status": application.status,
        "status_label": str(Status(application.status).label),
        "status_explained": str(EXPLANATIONS.get(application.status, "")),
        "channel": application.channel,
        "created_at": application.created_at,
        "submitted_at": application.submitted_at,
        "decide_by": selectors.expected_decision(application),
        "decided_at": application.decided_at,
        "decision_reason": application.decision_reason,
        "answers": application.answers,
        "documents": [
            {
                "id": d.pk,
                "requirement": d.requirement,
                "name": d.original_name,
                "format": d.file_format,
                "size": d.size,
                "sha256": d.sha256,
                "virus_scan": d.scan_status,
                "uploaded_at": d.uploaded_at,
            }
            for d in documents
        ],
        "messages": [
            {
                "sent_by": "office" if m.to_applicant else "applicant",
                "kind": m.kind,
                "body": m.body,
                "sent_at": m.created_at,
            }
            for m in messages
        ],
    }


def _mine(request, reference: str) -> Application:
    return selectors.application_for_applicant(user=request.auth.user, reference=reference)


def _problems(problems) -> ValidationError:
    return ValidationError(
        [
            {
                "loc": ["body", "answers", p.name]
                if p.kind == "question"
                else ["documents", p.name],
                "msg": p.message,
                "type": "missing" if p.kind == "document" else "value_error",
            }
            for p in problems
        ]
    )


@router.get("", response=list[ApplicationOut], summary="Your applications, newest first")
def list_applications(request):
    require_scope(request, "applications:read")
    return [_out(a) for a in selectors.applications_of(request.auth.user)[:200]]


@router.post(
    "",
    response={200: ApplicationOut, 201: ApplicationOut, 422: dict},
    summary="Start an application, and send it when it is complete",
    description=(
        "Idempotent: send a unique `Idempotency-Key` header (up to 100 characters) with each new "
        "application. Replaying a request with the same key returns the application the first "
        "request made (200) instead of making another (201). With `submit: false` the "
        "application stays a draft: add answers and documents, then POST .../submit."
    ),
)
def create_application(
    request,
    payload: ApplicationIn,
    idempotency_key: str = Header(..., alias="Idempotency-Key", min_length=1, max_length=100),
):
    require_scope(request, "applications:write")
    user = request.auth.user
    key = f"api:{idempotency_key}"
    existing = selectors.replayed_application(created_by=user, idempotency_key=key)
    if existing is not None:
        return Respond(200, _out(existing))
    if payload.submit:
        program, version = program_selectors.published_program_in_force(payload.programme)
        # the service checks the answers (once) and says what is missing in the same words
        try:
            outcome = services.submit_application(
                applicant=user,
                program=program,
                answers=payload.answers,
                idempotency_key=key,
                channel=Channel.API,
                version=version,
                replay_checked=True,
            )
        except services.SubmissionIncomplete as exc:
            raise _problems(exc.problems) from None
        return Respond(
            201 if outcome.created else 200, _out(outcome.application, new=outcome.created)
        )
    program = program_selectors.published_program(payload.programme)
    version = program_selectors.version_in_force(program)
    clean, errors = validate_answers(parse_spec(version.form), payload.answers, partial=True)
    if errors:
        raise ValidationError(
            [
                {"loc": ["body", "answers", name], "msg": message, "type": "value_error"}
                for name, messages in errors.items()
                for message in messages
            ]
        )
    outcome = services.start_draft(
        applicant=user,
        program=program,
        idempotency_key=key,
        channel=Channel.API,
        answers=clean,
    )
    return Respond(201 if outcome.created else 200, _out(outcome.application))


@router.get("/{reference}", response=ApplicationOut, summary="One application and its status")
def get_application(request, reference: str):
    require_scope(request, "applications:read")
    return _out(
        selectors.application_status_for_applicant(user=request.auth.user, reference=reference)
    )


@router.patch(
    "/{reference}/answers",
    response={200: ApplicationOut, 409: dict, 422: dict},
    summary="Add or change answers of a draft",
)
def save_answers(request, reference: str, payload: AnswersIn):
    require_scope(request, "applications:write")
    application = _mine(request, reference)
    if application.status != Status.DRAFT:
        raise HttpError(409, "This application has been sent, so its answers can no longer change")
    spec = parse_spec(application.program_version.form)
    merged = {**application.answers, **payload.answers}
    clean, errors = validate_answers(spec, merged, partial=True)
    errors = {name: msgs for name, msgs in errors.items() if name in payload.answers}
    if errors:
        raise ValidationError(
            [
                {"loc": ["body", "answers", name], "msg": message, "type": "value_error"}
                for name, messages in errors.items()
                for message in messages
            ]
        )
    changed = {name: clean[name] for name in payload.answers if name in clean}
    application = services.save_answers(
        application=application, actor=request.auth.user, answers=changed
    )
    return Respond(200, _out(application))


@router.post(
    "/{reference}/submit",
    response={200: ApplicationOut, 422: dict},
    summary="Send a draft (sending one already sent changes nothing)",
)
def submit(request, reference: str):
    require_scope(request, "applications:write")
    application = _mine(request, reference)
    try:
        sent = services.submit_draft(application=application, actor=request.auth.user)
    except services.SubmissionIncomplete as exc:
        raise _problems(exc.problems) from None
    return Respond(200, _out(sent))


@router.post(
    "/{reference}/documents/{requirement}",
    response={201: DocumentOut, 413: dict, 422: dict},
    summary="Upload a document (multipart, field `file`)",
    description=(
        "`requirement` is a document name from the programme's form (GET /programmes/{slug}), or "
        "`information` when replying to a request for information. The format is read from the "
        "file's content (PDF, PNG or JPEG as the form allows), never from its name; the size "
        "limit is enforced while the file streams in; infected files are refused."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                        "required": ["file"],
                    }
                }
            },
        }
    },
)
def upload_document(request, reference: str, requirement: str):
    require_scope(request, "documents:write")
    application = _mine(request, reference)
    needed = requirement_for(application, requirement)
    if needed is None:
        raise Http404("No such document in this programme's form")
    limit = needed.max_bytes
    if uploads.declared_length_too_large(request, limit=limit):
        return Respond(413, {"detail": f"The file must be smaller than {needed.max_size_mb} MB"})
    limiter = uploads.limit_uploads(request, limit=limit)
    upload = request.FILES.get("file")
    if "file" in limiter.too_large:
        return Respond(413, {"detail": f"The file must be smaller than {needed.max_size_mb} MB"})
    if upload is None:
        raise ValidationError(
            [
                {
                    "loc": ["body", "file"],
                    "msg": "Send the file in the multipart field 'file'",
                    "type": "missing",
                }
            ]
        )
    try:
        document = services.add_document(
            application=application,
            actor=request.auth.user,
            requirement=requirement,
            stream=upload,
            original_name=upload.name,
            size=upload.size,
        )
    except services.DocumentRefused as exc:
        raise ValidationError(
            [{"loc": ["body", "file"], "msg": str(exc), "type": "value_error"}]
        ) from None
    finally:
        upload.close()
    return Respond(
        201,
        {
            "id": document.pk,
            "requirement": document.requirement,
            "name": document.original_name,
            "format": document.file_format,
            "size": document.size,
            "sha256": document.sha256,
            "virus_scan": document.scan_status,
            "uploaded_at": document.uploaded_at,
        },
    )


@router.post(
    "/{reference}/reply",
    response={200: ApplicationOut, 409: dict},
    summary="Reply to a request for information (the application goes back to review)",
)
def reply(request, reference: str, payload: ReplyIn):
    require_scope(request, "applications:write")
    application = _mine(request, reference)
    if application.status != Status.INFORMATION_REQUESTED:
        raise HttpError(409, "We have not asked for more information on this application")
    try:
        updated = services.answer_information_request(
            application=application, actor=request.auth.user, body=payload.message
        )
    except ValueError as exc:
        raise ValidationError(
            [{"loc": ["body", "message"], "msg": str(exc), "type": "value_error"}]
        ) from None
    return Respond(200, _out(updated))


@router.post(
    "/{reference}/withdraw",
    response={200: ApplicationOut, 409: dict},
    summary="Withdraw an application (or give up a draft)",
)
def withdraw(request, reference: str):
    require_scope(request, "applications:write")
    application = _mine(request, reference)
    if application.status not in OPEN_STATES | {Status.DRAFT}:
        raise HttpError(409, f"This application is {application.get_status_display().lower()}")
    return Respond(200, _out(services.withdraw(application=application, actor=request.auth.user)))
