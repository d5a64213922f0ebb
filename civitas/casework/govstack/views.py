"""GovStack Registration BB endpoints: thin views over the casework and applications services.

Every endpoint needs the Information-Mediator-Client header of a registered client and its bearer
token. An operator client acts as its staff account and sees only that account's scope ("missing"
and "outside the scope" are the same 404); a client allowed to submit files applications for
people in the registry. Errors are ``systemError`` bodies; nothing reaches the caller as a trace.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import uuid
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from civitas.applications import services as applications
from civitas.applications.lifecycle import Status, TransitionNotAllowed
from civitas.applications.models import Application, Channel
from civitas.applications.services import SubmissionIncomplete
from civitas.applications.uploads import HEAD_BYTES, sniff
from civitas.casework import selectors, services
from civitas.casework.errors import ActionRefused
from civitas.casework.govstack import shapes, staging
from civitas.casework.govstack.auth import authenticate, error
from civitas.casework.govstack.ids import service_id, user_id
from civitas.casework.lifecycles import ACTIVE_TASK_STATES, TaskKind
from civitas.casework.models import Case, Decision, Task
from civitas.programs.forms import validate_answers
from civitas.programs.formspec import parse_spec
from civitas.programs.models import Program
from civitas.registry.models import Person, national_id_hashes

logger = logging.getLogger(__name__)
MAX_RESULTS = 200
MAX_UPLOAD = 20 * 1024 * 1024


def endpoint(*methods: str):
    """Authenticate, check the method, turn refusals into systemError bodies."""

    def wrap(view):
        @csrf_exempt
        @functools.wraps(view)
        def run(request, *args, **kwargs):
            if request.method not in methods:
                return error(405, "METHOD_NOT_ALLOWED", f"use {' or '.join(methods)}")
            client = authenticate(request)
            if isinstance(client, JsonResponse):
                return client
            try:
                return view(request, client, *args, **kwargs)
            except (ActionRefused, TransitionNotAllowed, ValueError) as exc:
                return error(400, "REFUSED", str(exc))
            except PermissionDenied:
                return error(404, "NOT_FOUND", "not found")
            except Exception:
                logger.exception("GovStack API %s %s failed", request.method, request.path)
                return error(500, "INTERNAL", "the request could not be completed")

        return run

    return wrap


def _json_body(request) -> dict:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise ValueError("the body is not JSON") from None
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    return body


def _paging(request) -> tuple[int, int]:
    def number(name: str, default: int) -> int:
        raw = request.GET.get(name, "")
        if not raw:
            return default
        if not raw.isdigit():
            raise ValueError(f"{name} must be a whole number")
        return int(raw)

    return number("firstResult", 0), min(number("maxResult", 50), MAX_RESULTS)


def _program(service: str) -> Program | None:
    return next(
        (p for p in Program.objects.filter(is_published=True) if service_id(p) == service), None
    )


# --- services and eForms ---------------------------------------------------------------------------
@endpoint("GET")
def service_list(request, client):
    programs = Program.objects.filter(is_published=True).order_by("display_order", "name")
    name = request.GET.get("name", "").strip()
    if name:
        programs = programs.filter(name__icontains=name)
    return JsonResponse([shapes.service(p) for p in programs], safe=False)


@endpoint("GET")
def service_detail(request, client, service: str):
    program = _program(service)
    if program is None:
        return error(404, "NOT_FOUND", "service not found")
    return JsonResponse(shapes.service(program))


@endpoint("GET")
def service_eforms(request, client, service: str):
    program = _program(service)
    if program is None:
        return JsonResponse([], safe=False)
    current = program.version_in_force()
    versions = program.versions.filter(status__in=["in_force", "retired"]).order_by("-number")
    return JsonResponse(
        [shapes.eform_item(v, latest=current is not None and v.pk == current.pk) for v in versions],
        safe=False,
    )


@endpoint("GET")
def eform_detail(request, client, eform: str):
    from civitas.casework.govstack.ids import eform_id
    from civitas.programs.models import ProgramVersion

    for version in ProgramVersion.objects.select_related("program").filter(
        status__in=["in_force", "retired"]
    ):
        if eform_id(version) == eform:
            current = version.program.version_in_force()
            return JsonResponse(shapes.eform(version, latest=current == version))
    return error(404, "NOT_FOUND", "eForm not found")


# --- documents ------------------------------------------------------------------------------------
@endpoint("POST")
def upload_document(request, client):
    """Keep an uploaded file, sealed, for a later application; ``additionalMetadata`` names the
    document requirement it answers. The file is checked again (format, virus scan) when the
    application uses it, then becomes one of its documents and the staged copy is deleted."""
    if not client.may_submit:
        return error(403, "FORBIDDEN", "this client may not submit applications")
    uploaded = request.FILES.getlist("file")
    if len(uploaded) != 1:
        return error(400, "BAD_FILE", "send exactly one file in the 'file' field")
    upload = uploaded[0]
    if upload.size == 0 or upload.size > MAX_UPLOAD:
        return error(400, "BAD_FILE", "the file is empty or larger than 20 MB")
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    if sniff(head) is None:
        return error(400, "BAD_FILE", "the file must be a PDF, PNG or JPEG")
    requirement = request.GET.get("additionalMetadata", "").strip()[:60]
    token = staging.stage(
        client=client, upload=upload, original_name=upload.name, requirement=requirement
    )
    return JsonResponse(
        {"code": 200, "type": "upload", "message": "stored", "url": f"urn:civitas:upload:{token}"}
    )


# --- applications ---------------------------------------------------------------------------------
def _answers(submitted: dict) -> dict:
    data = (submitted.get("formData") or {}).get("data") or {}
    if not isinstance(data, dict):
        raise ValueError("formData.data must be an object")
    return {
        name: value.get("value") if isinstance(value, dict) and "value" in value else value
        for name, value in data.items()
    }


@endpoint("POST")
def submit(request, client, service: str):
    if not client.may_submit:
        return error(403, "FORBIDDEN", "this client may not submit applications")
    program = _program(service)
    if program is None:
        return error(404, "NOT_FOUND", "service not found")
    body = _json_body(request)
    national_id = str(body.get("applicantId", "")).replace(" ", "")
    person = Person.objects.with_national_id(national_id).select_related("account").first()
    if person is None:
        return error(400, "UNKNOWN_APPLICANT", "applicantId must be a national ID in the registry")
    version = program.version_in_force()
    clean, problems = validate_answers(
        parse_spec(version.form),
        {k: ("" if v is None else str(v)) for k, v in _answers(body).items()},
    )
    if problems:
        return error(
            400, "INVALID_FORM", "; ".join(f"{k}: {' '.join(v)}" for k, v in problems.items())
        )
    # the same request sent twice makes one application
    key = hashlib.sha256(request.body).hexdigest()[:40]
    urls = body.get("documentUrls") or []
    stored: list[str] = []  # document files written, to remove if the transaction rolls back
    try:
        with transaction.atomic():
            outcome = applications.start_draft(
                applicant=person.account,
                person=person,
                program=program,
                idempotency_key=f"govstack-{key}",
                created_by=client.acts_as,
                channel=Channel.API,
                answers=clean,
            )
            application = outcome.application
            if outcome.created:
                staging.attach(application=application, client=client, urls=urls, stored=stored)
    except BaseException:
        staging.discard(stored)
        raise
    if application.status == Status.DRAFT:
        try:
            application = applications.submit_draft(application=application, actor=client.acts_as)
        except SubmissionIncomplete as exc:
            return error(400, "INCOMPLETE", str(exc))
        services.open_case(application=application, actor=client.acts_as)
    return JsonResponse(shapes.application_file(application))


def _visible_applications(client):
    user = client.acts_as
    reach = selectors.reach_of(user)
    operator = selectors.can_see_cases(user) and not reach.is_empty
    mine = Q(created_by=user)
    if operator:
        visible = Q(pk__in=Case.objects.filter(reach.q()).values("application_id")) | mine
    else:
        visible = mine
    return Application.objects.filter(visible).exclude(status=Status.DRAFT)


SORTS = {"created": "created_at", "id": "reference", "name": "program__name"}


@endpoint("GET")
def application_list(request, client):
    services.take_in_new_applications(actor=client.acts_as)
    first, size = _paging(request)
    found = _visible_applications(client).select_related(
        "program", "program_version", "person", "applicant"
    )
    if request.GET.get("serviceId"):
        program = _program(request.GET["serviceId"])
        found = found.filter(program=program) if program else found.none()
    if request.GET.get("applicantId"):
        found = found.filter(
            person__national_id_hash__in=national_id_hashes(request.GET["applicantId"])
        )
    order = SORTS.get(request.GET.get("sortBy", "created"), "created_at")
    if request.GET.get("sortOrder", "asc").lower() == "desc":
        order = "-" + order
    rows = list(found.order_by(order, "pk").prefetch_related("documents")[first : first + size])
    tasks = {
        t.application_id: t
        for t in Task.objects.filter(application__in=rows, state__in=ACTIVE_TASK_STATES)
        .select_related("assignee")
        .order_by("created_at")
    }
    return JsonResponse(
        [shapes.application_list_item(a, tasks.get(a.pk)) for a in rows], safe=False
    )


def _application(client, reference: str) -> Application:
    application = (
        _visible_applications(client)
        .filter(reference=reference)
        .select_related("program", "program_version", "person", "applicant")
        .first()
    )
    if application is None:
        raise PermissionDenied
    return application


@csrf_exempt
def application_detail(request, reference: str):
    if request.method == "PUT":
        return _update_application(request, reference=reference)
    return _get_application(request, reference=reference)


@endpoint("GET")
def _get_application(request, client, reference: str):
    return JsonResponse(shapes.application_file(_application(client, reference)))


@endpoint("PUT")
def _update_application(request, client, reference: str):
    """Operator's data on a file: recorded as a message to the case (the applicant's own answers
    are never overwritten); a decision goes through the task endpoints."""
    application = _application(client, reference)
    if not selectors.can_decide(client.acts_as):
        raise PermissionDenied
    body = _json_body(request)
    data = _answers(body)
    if data:
        lines = "\n".join(f"{k}: {v}" for k, v in sorted(data.items()))
        applications.send_message(
            application=application,
            actor=client.acts_as,
            body=f"Operator data ({client.name}):\n{lines}",
            to_applicant=False,
        )
    return JsonResponse(shapes.application_file(_application(client, reference)))


# --- tasks -----------------------------------------------------------------------------------------
def _tasks(client):
    user = client.acts_as
    if not selectors.can_see_cases(user):
        return Task.objects.none()
    return Task.objects.filter(selectors.reach_of(user).q()).select_related(
        "application__program", "application__program_version", "assignee"
    )


@endpoint("GET")
def task_list(request, client):
    services.take_in_new_applications(actor=client.acts_as)
    first, size = _paging(request)
    found = _tasks(client).filter(state__in=ACTIVE_TASK_STATES)
    if request.GET.get("mainTaskId"):
        found = found.filter(public_id=_uuid(request.GET["mainTaskId"]))
    if request.GET.get("fileId"):
        found = found.filter(application__reference=request.GET["fileId"])
    if request.GET.get("assigneeId"):
        wanted = request.GET["assigneeId"]
        ids = [u for u in found.values_list("assignee_id", flat=True).distinct() if u]
        from civitas.accounts.models import User

        matching = [u.pk for u in User.objects.filter(pk__in=ids) if user_id(u) == wanted]
        found = found.filter(assignee_id__in=matching)
    order = {"dueDate": "due_at", "created": "created_at", "assignee": "assignee_id"}.get(
        request.GET.get("sortBy", "created"), "created_at"
    )
    if request.GET.get("sortOrder", "asc").lower() == "desc":
        order = "-" + order
    rows = list(found.order_by(order, "pk")[first : first + size])
    return JsonResponse([shapes.user_task(t) for t in rows], safe=False)


def _uuid(value: str):
    try:
        return uuid.UUID(value)
    except ValueError:
        raise PermissionDenied from None


def _task(client, task_id: str) -> Task:
    task = _tasks(client).filter(public_id=_uuid(task_id)).first()
    if task is None:
        raise PermissionDenied
    return task


@endpoint("GET")
def task_detail(request, client, task: str):
    return JsonResponse(shapes.data_user_task(_task(client, task)))


def _flag(value, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if str(value).lower() in {"true", "yes", "approve", "approved", "upheld", "resolved"}:
        return True
    if str(value).lower() in {"false", "no", "reject", "rejected", "dismissed", "not_upheld"}:
        return False
    raise ValueError(f"{name} must be true or false")


@endpoint("POST")
def task_complete(request, client, task: str):
    """Complete a task with ``{"data": {...}}``: a review with ``decision`` {outcome, reason,
    rule}; a second approval with ``secondApproval`` {agree, note}; an appeal with ``appeal``
    {upheld, reason}; a complaint with ``grievance`` {resolved, response}."""
    item = _task(client, task)
    data = _json_body(request).get("data") or {}
    actor = client.acts_as
    if item.kind == TaskKind.REVIEW:
        decision = data.get("decision") or {}
        services.decide(
            application=item.application,
            approved=_flag(decision.get("outcome"), "decision.outcome"),
            reason=str(decision.get("reason", "")),
            rule_reference=str(decision.get("rule", "")),
            actor=actor,
        )
    elif item.kind == TaskKind.SECOND_APPROVAL:
        second = data.get("secondApproval") or {}
        pending = Decision.objects.filter(
            application=item.application, status="awaiting_second"
        ).first()
        if pending is None:
            raise ActionRefused("no decision is waiting for a second approval")
        services.confirm_decision(
            decision=pending,
            actor=actor,
            agree=_flag(second.get("agree"), "secondApproval.agree"),
            note=str(second.get("note", "")),
        )
    elif item.kind == TaskKind.APPEAL:
        appeal = data.get("appeal") or {}
        services.decide_appeal(
            appeal=item.appeal,
            actor=actor,
            upheld=_flag(appeal.get("upheld"), "appeal.upheld"),
            reason=str(appeal.get("reason", "")),
        )
    else:
        grievance = data.get("grievance") or {}
        services.answer_grievance(
            grievance=item.grievance,
            actor=actor,
            resolved=_flag(grievance.get("resolved"), "grievance.resolved"),
            response=str(grievance.get("response", "")),
        )
    item.refresh_from_db()
    application = item.application
    return JsonResponse(
        {
            "taskId": str(item.public_id),
            "fileId": application.reference if application else "",
            "serviceId": service_id(application.program) if application else "",
            "status": shapes.task_status(item),
            "variables": {"result": {"data": {"outcome": {"value": item.outcome}}}},
        }
    )


# --- statistics ------------------------------------------------------------------------------------
def _day(text: str, name: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{name} must be a date written YYYY-MM-DD") from None


def _buckets(start: date, end: date, timeframe: str) -> list[tuple[date, date]]:
    if not timeframe:
        return [(start, end)]
    buckets, cursor = [], start
    while cursor <= end and len(buckets) < 400:
        if timeframe == "day":
            last = cursor
        elif timeframe == "week":
            last = cursor + timedelta(days=6 - cursor.weekday())
        elif timeframe == "month":
            following = (cursor.replace(day=28) + timedelta(days=4)).replace(day=1)
            last = following - timedelta(days=1)
        else:
            last = date(cursor.year, 12, 31)
        buckets.append((cursor, min(last, end)))
        cursor = last + timedelta(days=1)
    return buckets


@endpoint("GET")
def statistics(request, client):
    today = timezone.localdate()
    end = _day(request.GET.get("endDate", ""), "endDate") or today
    start = _day(request.GET.get("startDate", ""), "startDate") or end - timedelta(days=30)
    if start > end:
        raise ValueError("startDate is after endDate")
    timeframe = request.GET.get("timeframe", "")
    if timeframe and timeframe not in {"day", "week", "month", "year"}:
        raise ValueError("timeframe must be day, week, month or year")
    decisions = Decision.objects.filter(status="final")
    reach = selectors.reach_of(client.acts_as)
    if not selectors.can_see_cases(client.acts_as) or reach.is_empty:
        decisions = decisions.none()
    else:
        decisions = decisions.filter(case__in=Case.objects.filter(reach.q()))
    name = request.GET.get("registrationName", "").strip()
    if name:
        decisions = decisions.filter(application__program__name__icontains=name)
    operator = request.GET.get("operator", "").strip()
    if operator:
        decisions = decisions.filter(
            Q(proposed_by__full_name__icontains=operator) | Q(proposed_by__email__iexact=operator)
        )
    sent_back = Task.objects.filter(kind=TaskKind.REVIEW, paused_at__isnull=False)
    result = []
    for first, last in _buckets(start, end, timeframe):
        since = timezone.make_aware(datetime.combine(first, time.min))
        until = timezone.make_aware(datetime.combine(last, time.max))
        counts = decisions.filter(finalised_at__range=(since, until)).aggregate(
            yes=Count("id", filter=Q(approved=True)),
            no=Count("id", filter=Q(approved=False)),
        )
        result.append(
            {
                "processed": counts["yes"] + counts["no"],
                "approved": counts["yes"],
                "sentBack": sent_back.filter(paused_at__range=(since, until)).count(),
                "rejected": counts["no"],
                "references": {
                    "startDate": first.isoformat(),
                    "endDate": last.isoformat(),
                    "registrationName": name,
                    "operator": operator,
                    "role": request.GET.get("role", ""),
                    "timeframeDay": timeframe == "day",
                    "timeframeWeek": timeframe == "week",
                    "timeframeMonth": timeframe == "month",
                    "timeframeYear": timeframe == "year",
                },
            }
        )
    return JsonResponse(result, safe=False)
