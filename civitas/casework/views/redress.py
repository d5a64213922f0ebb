"""Staff pages for appeals and complaints."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civitas.casework import services
from civitas.casework.forms import RedressDecisionForm
from civitas.casework.selectors.redress import appeal_for_staff, grievance_for_staff
from civitas.casework.views.common import READABLE_ERRORS, require_case_staff

APPEAL_OUTCOMES = [
    ("upheld", gettext_lazy("Uphold: the decision was wrong and is changed")),
    ("dismissed", gettext_lazy("Dismiss: the decision stands")),
]
GRIEVANCE_OUTCOMES = [
    ("resolved", gettext_lazy("Resolved: the complaint was justified and we acted on it")),
    ("not_upheld", gettext_lazy("Not upheld: we found no fault")),
]


@login_required
def appeal(request, reference: str):
    require_case_staff(request)
    item = appeal_for_staff(request.user, reference=reference)
    form = RedressDecisionForm(request.POST or None, outcomes=APPEAL_OUTCOMES)
    if request.method == "POST" and form.is_valid():
        try:
            services.decide_appeal(
                appeal=item,
                actor=request.user,
                upheld=form.cleaned_data["outcome"] == "upheld",
                reason=form.cleaned_data["reason"],
            )
        except READABLE_ERRORS as exc:
            form.add_error(None, str(exc))
        except PermissionDenied:
            form.add_error(None, _("You cannot decide this appeal."))
        else:
            messages.success(request, _("Appeal decided. The appellant has been told."))
            return redirect("casework:appeal", reference=reference)
    return render(request, "casework/appeal.html", {"appeal": item, "form": form})


@login_required
def grievance(request, reference: str):
    require_case_staff(request)
    item = grievance_for_staff(request.user, reference=reference)
    form = RedressDecisionForm(request.POST or None, outcomes=GRIEVANCE_OUTCOMES)
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_grievance(
                grievance=item,
                actor=request.user,
                resolved=form.cleaned_data["outcome"] == "resolved",
                response=form.cleaned_data["reason"],
            )
        except READABLE_ERRORS as exc:
            form.add_error(None, str(exc))
        except PermissionDenied:
            form.add_error(None, _("You cannot answer this complaint."))
        else:
            messages.success(request, _("Complaint answered. The person has been told."))
            return redirect("casework:grievance", reference=reference)
    return render(request, "casework/grievance.html", {"grievance": item, "form": form})
