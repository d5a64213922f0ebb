"""Payment pages for finance officers (and read-only for auditors): cycles, batches, results,
and the managers' dashboard."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import storages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civitas.casework.errors import ActionRefused
from civitas.casework.selectors.scope import reach_of
from civitas.payments import dashboards, selectors, services
from civitas.payments.forms import ComputeForm, ResultsForm
from civitas.payments.models import PaymentBatch
from civitas.payments.services.batches import storage_name
from civitas.programs.models import Program
from civitas.registry.problems import FileRefused

MAX_RESULTS_BYTES = 200 * 1024 * 1024


def _require(request) -> None:
    if not selectors.can_see_payments(request.user):
        raise Http404("Not found")


def _programs(user):
    reach = reach_of(user)
    programs = Program.objects.order_by("display_order", "name")
    return programs if reach.programs is None else programs.filter(pk__in=reach.programs)


@login_required
def cycles(request):
    _require(request)
    programs = _programs(request.user)
    form = ComputeForm(request.POST or None, programs=programs)
    if request.method == "POST":
        if not services.may_approve(request.user):
            raise Http404("Not found")
        if form.is_valid():
            program = programs.filter(pk=form.cleaned_data["program"]).first()
            try:
                if program is None:
                    raise ActionRefused(_("Select a programme"))
                outcome = services.compute_cycle(
                    program=program, period=form.cleaned_data["period"], actor=request.user
                )
            except ActionRefused as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("Cycle computed: %(n)s entitlements added.") % {"n": outcome.added},
                )
                return redirect("payments:cycle", cycle_id=outcome.cycle.pk)
    return render(
        request,
        "payments/cycles.html",
        {
            "form": form,
            "cycles": selectors.cycles_for(request.user)[:100],
            "can_act": services.may_approve(request.user),
        },
    )


def _cycle_page(request, cycle, *, results_form=None, problems=None, error=""):
    return render(
        request,
        "payments/cycle.html",
        {
            "cycle": cycle,
            "totals": services.cycle_totals(cycle),
            "batches": PaymentBatch.objects.filter(cycle=cycle).order_by("channel", "number"),
            "results_form": results_form or ResultsForm(),
            "problems": problems,
            "error": error,
            "can_act": services.may_approve(request.user),
        },
    )


@login_required
def cycle(request, cycle_id: int):
    _require(request)
    return _cycle_page(request, selectors.cycle_for(request.user, cycle_id=cycle_id))


@login_required
@require_POST
def approve(request, cycle_id: int):
    _require(request)
    item = selectors.cycle_for(request.user, cycle_id=cycle_id)
    try:
        outcome = services.approve_cycle(cycle=item, actor=request.user)
    except ActionRefused as exc:
        return _cycle_page(request, item, error=str(exc))
    messages.success(request, _("Approved: %(n)s payments released.") % {"n": outcome.payments})
    return redirect("payments:cycle", cycle_id=cycle_id)


@login_required
@require_POST
def issue(request, cycle_id: int):
    _require(request)
    item = selectors.cycle_for(request.user, cycle_id=cycle_id)
    if not services.may_approve(request.user):
        raise Http404("Not found")
    try:
        outcome = services.issue_batches(cycle=item, actor=request.user)
    except ActionRefused as exc:
        return _cycle_page(request, item, error=str(exc))
    messages.success(
        request,
        _("%(b)s batch files issued with %(n)s payments.")
        % {"b": len(outcome.batches), "n": outcome.payments},
    )
    return redirect("payments:cycle", cycle_id=cycle_id)


@login_required
@require_POST
def results(request, cycle_id: int):
    _require(request)
    item = selectors.cycle_for(request.user, cycle_id=cycle_id)
    if not services.may_approve(request.user):
        raise Http404("Not found")
    form = ResultsForm(request.POST, request.FILES)
    if not form.is_valid():
        return _cycle_page(request, item, results_form=form)
    upload = form.cleaned_data["results"]
    if upload.size > MAX_RESULTS_BYTES:
        form.add_error("results", _("The file is larger than 200 MB; split it in parts."))
        return _cycle_page(request, item, results_form=form)
    try:
        outcome = services.import_results(
            content=upload.read(), file_name=upload.name, actor=request.user
        )
    except FileRefused as exc:
        form.add_error("results", _("The file was refused; nothing was applied. See the problems."))
        return _cycle_page(request, item, results_form=form, problems=exc.problems[:500])
    if outcome.created:
        messages.success(
            request,
            _("Results applied: %(paid)s paid, %(failed)s failed.")
            % {"paid": outcome.record.paid, "failed": outcome.record.failed},
        )
    else:
        messages.success(request, _("This file was imported before; nothing changed."))
    return redirect("payments:cycle", cycle_id=cycle_id)


@login_required
def batch_file(request, batch_id: int):
    _require(request)
    batch = selectors.batch_for(request.user, batch_id=batch_id)
    storage = storages["default"]
    name = storage_name(batch)
    if not batch.sha256 or not storage.exists(name):
        raise Http404("The file is not written yet")
    content_type = "application/xml" if batch.file_name.endswith(".xml") else "text/csv"
    return FileResponse(
        storage.open(name, "rb"),
        as_attachment=True,
        filename=batch.file_name,
        content_type=content_type,
    )


@login_required
def dashboard(request):
    if not dashboards.can_see_dashboard(request.user):
        raise Http404("Not found")
    return render(
        request, "payments/dashboard.html", {"figures": dashboards.dashboard(request.user)}
    )
