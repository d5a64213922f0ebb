"""Following an application: its status in plain language with the expected timeline, the
messages with the caseworker, replying to a request for information, and withdrawing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from civitas.applications import selectors, services
from civitas.applications.lifecycle import EXPLANATIONS, OPEN_STATES, Status, TransitionNotAllowed
from civitas.applications.models import Application
from civitas.programs.forms import display_answer
from civitas.programs.formspec import parse_spec


@login_required
def mine(request):
    applications = list(selectors.applications_of(request.user))
    on_behalf = list(selectors.applications_made_for_others(request.user))
    return render(
        request,
        "applications/mine.html",
        {
            "drafts": [a for a in applications if a.status == Status.DRAFT],
            "sent": [a for a in applications if a.status != Status.DRAFT],
            "on_behalf": on_behalf,
            "explanations": EXPLANATIONS,
        },
    )


def detail_context(
    request, application: Application, *, reply_error: str = "", upload_error: str = ""
) -> dict:
    spec = parse_spec(application.program_version.form)
    answers = [
        {"label": q.label, "value": display_answer(q, application.answers.get(q.name))}
        for q in spec.visible_questions(application.answers)
    ]
    later_documents = (
        [d for d in spec.documents_needed(application.answers) if not d.required]
        if application.status in OPEN_STATES
        else []
    )
    return {
        "application": application,
        "explanation": EXPLANATIONS.get(application.status, ""),
        "decide_by": selectors.expected_decision(application),
        "case_messages": list(application.case_messages.select_related("author")),
        "documents": list(application.documents.all()),
        "answers": answers,
        "can_withdraw": application.status in OPEN_STATES,
        "information_requested": application.status == Status.INFORMATION_REQUESTED,
        "later_documents": later_documents,
        "reply_error": reply_error,
        "reply_text": request.POST.get("reply", "") if reply_error else "",
        "upload_error": upload_error,
        "on_behalf": application.created_by_id != application.applicant_id,
    }


@login_required
def respond(request, reference: str):
    """Reply to a request for information; the application goes back to the caseworker."""
    application = selectors.application_for_applicant(user=request.user, reference=reference)
    if request.method != "POST":
        return redirect("applications:detail", reference=reference)
    try:
        services.answer_information_request(
            application=application, actor=request.user, body=request.POST.get("reply", "")
        )
    except ValueError as exc:
        context = detail_context(request, application, reply_error=str(exc))
        return render(request, "applications/detail.html", context, status=400)
    except TransitionNotAllowed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your reply has been sent. The caseworker will look at it."))
    return redirect("applications:detail", reference=reference)


@login_required
def withdraw(request, reference: str):
    application = selectors.application_for_applicant(user=request.user, reference=reference)
    if request.method != "POST":
        if application.status not in OPEN_STATES:
            return redirect("applications:detail", reference=reference)
        return render(request, "applications/withdraw.html", {"application": application})
    try:
        services.withdraw(application=application, actor=request.user)
    except TransitionNotAllowed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your application has been withdrawn."))
    return redirect("applications:detail", reference=reference)
