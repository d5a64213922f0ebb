"""Citizen pages: apply for a programme, see the confirmation, follow applications."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civitas.applications import selectors, services
from civitas.applications.lifecycle import TransitionNotAllowed
from civitas.programs import selectors as program_selectors
from civitas.programs.assessment import pre_assess
from civitas.programs.forms import answers_for_storage, build_form_class


def _citizen_only(request) -> None:
    if request.user.is_staff:
        raise Http404("Staff apply on someone's behalf through assisted digital")


@login_required
def apply(request, slug: str):
    _citizen_only(request)
    program = program_selectors.published_program(slug)
    version = program_selectors.version_in_force(program)
    form_class = build_form_class(version.form)
    if request.method == "POST":
        form = form_class(request.POST)
        key = request.POST.get("idempotency_key", "")[:100]
        if form.is_valid() and key:
            answers = answers_for_storage(form.cleaned_data)
            outcome = services.submit_application(
                applicant=request.user,
                program=program,
                answers=answers,
                idempotency_key=key,
                pre_assessment=pre_assess(
                    version=version, person_user=request.user, answers=answers
                ),
            )
            return redirect("applications:confirmation", reference=outcome.application.reference)
    else:
        form = form_class()
        key = uuid.uuid4().hex
    return render(
        request,
        "applications/apply.html",
        {"program": program, "form": form, "idempotency_key": key or uuid.uuid4().hex},
    )


@login_required
def confirmation(request, reference: str):
    application = selectors.application_for_applicant(user=request.user, reference=reference)
    return render(request, "applications/confirmation.html", {"application": application})


@login_required
def mine(request):
    return render(
        request, "applications/mine.html", {"applications": selectors.applications_of(request.user)}
    )


@login_required
def detail(request, reference: str):
    application = selectors.application_for_applicant(user=request.user, reference=reference)
    return render(request, "applications/detail.html", {"application": application})


@login_required
@require_POST
def withdraw(request, reference: str):
    application = selectors.application_for_applicant(user=request.user, reference=reference)
    try:
        services.withdraw(application=application, actor=request.user)
    except TransitionNotAllowed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your application has been withdrawn."))
    return redirect("applications:detail", reference=reference)
