"""Proactive enrolment pages: start a run, watch its progress (the page refreshes itself with an
HTTP Refresh header while the run goes on — no JavaScript)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from civitas.casework import selectors
from civitas.casework.forms import ProactiveRunForm
from civitas.casework.lifecycles import RunStatus
from civitas.casework.models import ProactiveRun
from civitas.casework.services import proactive
from civitas.casework.views.common import READABLE_ERRORS, require_case_staff
from civitas.programs.models import Program


def _programs(user):
    reach = selectors.reach_of(user)
    programs = Program.objects.order_by("display_order", "name")
    return programs if reach.programs is None else programs.filter(pk__in=reach.programs)


@login_required
def runs(request):
    require_case_staff(request)
    programs = _programs(request.user)
    form = ProactiveRunForm(request.POST or None, programs=programs, initial={"invite": True})
    if request.method == "POST":
        if not selectors.is_supervisor(request.user):
            raise Http404("Not found")
        if form.is_valid():
            program = programs.filter(pk=form.cleaned_data["program"]).first()
            if program is None:
                form.add_error("program", _("Select a programme"))
            else:
                try:
                    run = proactive.start_run(
                        program=program,
                        period=form.cleaned_data["period"],
                        actor=request.user,
                        invite=form.cleaned_data["invite"],
                    )
                except READABLE_ERRORS as exc:
                    form.add_error(None, str(exc))
                else:
                    messages.success(request, _("The run is queued."))
                    return redirect("casework:proactive_run", run_id=run.pk)
    return render(
        request,
        "casework/proactive.html",
        {
            "form": form,
            "runs": ProactiveRun.objects.filter(program__in=programs).select_related("program")[
                :50
            ],
            "can_start": selectors.is_supervisor(request.user),
        },
    )


@login_required
def run(request, run_id: int):
    require_case_staff(request)
    item = (
        ProactiveRun.objects.filter(pk=run_id, program__in=_programs(request.user))
        .select_related("program", "requested_by")
        .first()
    )
    if item is None:
        raise Http404("No such run")
    response = render(request, "casework/proactive_run.html", {"run": item})
    if item.status in {RunStatus.QUEUED, RunStatus.RUNNING}:
        response["Refresh"] = "2"
    return response
