"""The citizen's side of redress: appeal a decision, make a complaint, read the decision letter.

Everything is looked up through the person's own applications, so someone else's reference gets
the same 404 as one that does not exist.
"""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from civitas.applications.models import Application
from civitas.casework import services
from civitas.casework.forms import AppealForm, GrievanceForm
from civitas.casework.letters import letter_for
from civitas.casework.selectors.redress import appeals_of, final_decision_of, grievances_of
from civitas.casework.views.case import _pdf_response
from civitas.casework.views.common import READABLE_ERRORS


def _own_applications(user):
    from django.db.models import Q

    return (
        Application.objects.filter(Q(applicant=user) | Q(applicant__isnull=True, created_by=user))
        .exclude(status="draft")
        .select_related("program")
        .order_by("-submitted_at")
    )


def _own_application(user, reference: str) -> Application:
    application = _own_applications(user).filter(reference=reference).first()
    if application is None:
        raise Http404("No such application")
    return application


@login_required
def home(request):
    return render(
        request,
        "casework/citizen/home.html",
        {
            "appeals": appeals_of(request.user),
            "grievances": grievances_of(request.user),
            "decided": [
                a for a in _own_applications(request.user) if a.status in {"approved", "rejected"}
            ],
        },
    )


@login_required
def appeal(request, reference: str):
    application = _own_application(request.user, reference)
    decision = final_decision_of(application)
    if decision is None:
        raise Http404("No decision to appeal")
    form = AppealForm(request.POST or None, initial={"idempotency_key": secrets.token_hex(16)})
    if request.method == "POST" and form.is_valid():
        try:
            created = services.lodge_appeal(
                application=application,
                appellant=request.user,
                grounds=form.cleaned_data["grounds"],
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
        except READABLE_ERRORS as exc:
            form.add_error(None, str(exc))
        except PermissionDenied:
            raise Http404("No such application") from None
        else:
            messages.success(
                request,
                _("Your appeal is lodged. Your reference is %(ref)s.") % {"ref": created.reference},
            )
            return redirect("redress:home")
    return render(
        request,
        "casework/citizen/appeal.html",
        {"application": application, "decision": decision, "form": form},
    )


@login_required
def complaint(request):
    applications = list(_own_applications(request.user))
    form = GrievanceForm(
        request.POST or None,
        applications=applications,
        initial={
            "idempotency_key": secrets.token_hex(16),
            "application": request.GET.get("application", ""),
        },
    )
    if request.method == "POST" and form.is_valid():
        reference = form.cleaned_data.get("application")
        application = next((a for a in applications if a.reference == reference), None)
        try:
            created = services.raise_grievance(
                raised_by=request.user,
                category=form.cleaned_data["category"],
                description=form.cleaned_data["description"],
                idempotency_key=form.cleaned_data["idempotency_key"],
                application=application,
            )
        except READABLE_ERRORS as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("We have your complaint. Your reference is %(ref)s.")
                % {"ref": created.reference},
            )
            return redirect("redress:home")
    return render(request, "casework/citizen/complaint.html", {"form": form})


def _own_decision(request, reference: str):
    decision = final_decision_of(_own_application(request.user, reference))
    if decision is None:
        raise Http404("No decision yet")
    return decision


@login_required
def letter(request, reference: str):
    decision = _own_decision(request, reference)
    return render(request, "casework/letter.html", {"letter": letter_for(decision)})


@login_required
def letter_pdf(request, reference: str):
    return _pdf_response(request, _own_decision(request, reference))
