"""The work queues: cases, and appeals and grievances; filters, sorting, bulk assignment."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civitas.accounts.models import User
from civitas.applications.lifecycle import OPEN_STATES, Status
from civitas.casework import selectors, services
from civitas.casework.forms import BulkActionForm, QueueFilterForm
from civitas.casework.lifecycles import CASE_TASKS, REDRESS_TASKS, TaskKind
from civitas.casework.models.cases import QUEUE_CASES, QUEUE_REDRESS
from civitas.casework.views.common import READABLE_ERRORS, require_case_staff
from civitas.programs.models import Program
from civitas.registry.models import Region


def _filters(request, queue: str) -> tuple[QueueFilterForm, selectors.QueueFilters]:
    reach = selectors.reach_of(request.user)
    programs = Program.objects.order_by("display_order", "name")
    if reach.programs is not None:
        programs = programs.filter(pk__in=reach.programs)
    regions = Region.objects.order_by("name")
    if reach.regions is not None:
        regions = regions.filter(pk__in=reach.regions)
    kinds = CASE_TASKS if queue == QUEUE_CASES else REDRESS_TASKS
    form = QueueFilterForm(
        request.GET or None,
        programs=programs,
        regions=regions,
        statuses=[(s, Status(s).label) for s in Status.values if s in OPEN_STATES],
        colleagues=selectors.colleagues_of(request.user),
        kinds=[(k, TaskKind(k).label) for k in kinds],
    )
    filters = selectors.QueueFilters(queue=queue)
    if form.is_valid():
        data = form.cleaned_data
        filters.program = data.get("program")
        filters.region = data.get("region")
        filters.status = data.get("status") or None
        filters.kind = data.get("kind") or None
        filters.assignee = data.get("assignee") or None
        filters.overdue = bool(data.get("overdue"))
        filters.older_than_days = data.get("older_than_days")
        filters.sort = data.get("sort") or "oldest"
    page = request.GET.get("page", "1")
    filters.page = int(page) if page.isdigit() else 1
    return form, filters


def _queue(request, queue: str, template: str):
    require_case_staff(request)
    services.take_in_new_applications(actor=request.user)
    form, filters = _filters(request, queue)
    page = selectors.queue_page(request.user, filters)
    params = {k: v for k, v in request.GET.items() if k != "page" and v}
    bulk = BulkActionForm(
        colleagues=selectors.colleagues_of(request.user),
        task_ids=[str(t.public_id) for t in page.tasks],
    )
    scope = (
        getattr(request.user, "staff_scope", None) if hasattr(request.user, "staff_scope") else None
    )
    return render(
        request,
        template,
        {
            "form": form,
            "bulk": bulk,
            "page": page,
            "rows": _rows(page.tasks),
            "queue": queue,
            "query": urlencode(params),
            "home_office": getattr(scope, "home_office", None),
            "is_supervisor": selectors.is_supervisor(request.user),
        },
    )


def _rows(tasks) -> list[dict]:
    """What each row shows, worked out once in Python (templates are slow at many lookups)."""
    links = {
        name: reverse(f"casework:{name}", args=["REF"]).replace("REF", "{}")
        for name in ("case", "appeal", "grievance")
    }
    now = timezone.now()
    kinds = dict(TaskKind.choices)
    rows = []
    for task in tasks:
        if task.appeal_id:
            reference, link = task.appeal.reference, links["appeal"]
        elif task.grievance_id:
            reference, link = task.grievance.reference, links["grievance"]
        else:
            reference, link = task.application.reference, links["case"]
        rows.append(
            {
                "id": str(task.public_id),
                "reference": reference,
                "href": link.format(reference),
                "kind": kinds.get(task.kind, task.kind),
                "waiting": task.state == "waiting",
                "program": task.program.name if task.program_id else "—",
                "region": task.region.name if task.region_id else "—",
                "received": date_format(timezone.localtime(task.created_at), "j M Y"),
                "age": timesince(task.created_at, now),
                "due": date_format(timezone.localtime(task.due_at), "j M Y"),
                "overdue": task.state == "open" and task.due_at < now,
                "assignee": str(task.assignee) if task.assignee_id else "—",
            }
        )
    return rows


@login_required
def queue(request):
    return _queue(request, QUEUE_CASES, "casework/queue.html")


@login_required
def redress_queue(request):
    return _queue(request, QUEUE_REDRESS, "casework/redress_queue.html")


@login_required
@require_POST
def bulk(request):
    require_case_staff(request)
    back = request.POST.get("next") or "casework:queue"
    back = back if back in {"casework:queue", "casework:redress_queue"} else "casework:queue"
    queue = QUEUE_REDRESS if back == "casework:redress_queue" else QUEUE_CASES
    live = selectors.live_tasks(request.user, queue=queue)
    ids = request.POST.getlist("tasks")
    form = BulkActionForm(
        request.POST,
        colleagues=selectors.colleagues_of(request.user),
        task_ids=[
            str(pk)
            for pk in live.filter(public_id__in=_uuids(ids)).values_list("public_id", flat=True)
        ],
    )
    if not form.is_valid():
        first = next(iter(form.errors.values()))[0]
        messages.warning(request, first)
        return redirect(back)
    tasks = list(live.filter(public_id__in=form.cleaned_data["tasks"]))
    action = form.cleaned_data["action"]
    assignee = {
        "take": request.user,
        "release": None,
        "give": User.objects.filter(pk=form.cleaned_data.get("colleague")).first(),
    }[action]
    try:
        done = services.assign_tasks(tasks=tasks, assignee=assignee, actor=request.user)
    except READABLE_ERRORS as exc:
        messages.warning(request, str(exc))
    else:
        messages.success(request, _("%(count)s tasks updated.") % {"count": done})
    return redirect(back)


def _uuids(values: list[str]) -> list[str]:
    import uuid

    valid = []
    for value in values:
        try:
            valid.append(str(uuid.UUID(value)))
        except ValueError:
            continue
    return valid


@login_required
@require_POST
def share_out(request):
    """Round-robin the supervisor's office's unassigned tasks among its staff."""
    require_case_staff(request)
    scope = (
        getattr(request.user, "staff_scope", None) if hasattr(request.user, "staff_scope") else None
    )
    office = getattr(scope, "home_office", None)
    if office is None:
        messages.warning(request, _("You have no home office, so there is nothing to share out."))
        return redirect("casework:queue")
    try:
        given = services.auto_assign(office=office, actor=request.user)
    except READABLE_ERRORS as exc:
        messages.warning(request, str(exc))
    else:
        messages.success(
            request,
            _("%(count)s tasks shared out in %(office)s.")
            % {"count": sum(given.values()), "office": office.name},
        )
    return redirect("casework:queue")
