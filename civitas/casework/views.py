"""Back-office pages: the work queue and the case page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from civitas.applications.lifecycle import Status, TransitionNotAllowed
from civitas.casework import selectors, services
from civitas.casework.forms import DecisionForm


def _staff(request) -> None:
    if not selectors.can_see_cases(request.user):
        raise Http404("Not found")


@login_required
def queue(request):
    _staff(request)
    status = request.GET.get("status") or None
    if status and status not in Status.values:
        status = None
    cases = selectors.queue_for(request.user, status=status)[:200]
    return render(
        request, "casework/queue.html", {"cases": cases, "status": status, "statuses": Status}
    )


@login_required
def case(request, reference: str):
    application = selectors.case_for(request.user, reference=reference)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.decide(
                application=application,
                approved=form.cleaned_data["outcome"] == "approve",
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except (TransitionNotAllowed, PermissionDenied) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Decision recorded. The applicant has been told."))
            return redirect("casework:case", reference=reference)
    return render(request, "casework/case.html", {"application": application, "form": form})
