"""The case page and its actions: assignment, information requests, decision, second approval,
decision letter."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civitas.applications.models import Application
from civitas.applications.views.documents import document_response
from civitas.casework import selectors, services
from civitas.casework.eligibility import assess_application
from civitas.casework.forms import DecisionForm, InformationRequestForm, SecondApprovalForm
from civitas.casework.letters import LetterUnavailable, letter_for, letter_pdf
from civitas.casework.lifecycles import TaskState
from civitas.casework.views.common import READABLE_ERRORS, require_case_staff


def _case(request, reference: str):
    """The case if the staff member may see it; opens it first for a newly sent application.
    Missing, not sent and out of scope all answer the same 404."""
    require_case_staff(request)
    application = Application.objects.filter(reference=reference).only("pk", "status").first()
    if application is not None and not hasattr(application, "case"):
        try:
            services.open_case(application=Application.objects.get(pk=application.pk))
        except READABLE_ERRORS:
            raise Http404("No such case") from None
    return selectors.case_for(request.user, reference=reference)


def _page(request, case, *, decision_form=None, info_form=None, second_form=None, error=""):
    view = selectors.case_view(case)
    assessment = assess_application(case.application, person=case.person)
    references = list((assessment or {}).get("references", []))
    legal_basis = case.application.program_version.legal_basis
    if legal_basis and legal_basis not in references:
        references.append(legal_basis)
    user = request.user
    return render(
        request,
        "casework/case.html",
        {
            "case": case,
            "application": case.application,
            "view": view,
            "assessment": assessment,
            "stored_assessment": case.application.pre_assessment,
            "history": selectors.case_history(case),
            "form": decision_form or DecisionForm(references=references),
            "info_form": info_form or InformationRequestForm(),
            "second_form": second_form or SecondApprovalForm(),
            "can_decide": selectors.can_decide(user),
            "is_supervisor": selectors.is_supervisor(user),
            "error": error,
            "waiting": view.live_review is not None and view.live_review.state == TaskState.WAITING,
        },
    )


@login_required
def case(request, reference: str):
    case = _case(request, reference)
    if request.method != "POST":
        return _page(request, case)
    references = request.POST.getlist("rule_reference")
    form = DecisionForm(request.POST, references=[r for r in references if r])
    if form.is_valid():
        try:
            decision = services.decide(
                application=case.application,
                approved=form.cleaned_data["outcome"] == "approve",
                reason=form.cleaned_data["reason"],
                rule_reference=form.cleaned_data.get("rule_reference") or "",
                actor=request.user,
            )
        except READABLE_ERRORS as exc:
            form.add_error(None, str(exc))
        except PermissionDenied:
            form.add_error(None, _("You cannot decide this application."))
        else:
            if decision.status == "final":
                messages.success(request, _("Decision recorded. The applicant has been told."))
            else:
                messages.success(
                    request,
                    _("Decision recorded. It needs a supervisor's second approval: %(why)s")
                    % {"why": decision.needs_second_because},
                )
            return redirect("casework:case", reference=reference)
    return _page(request, selectors.case_for(request.user, reference=reference), decision_form=form)


@login_required
@require_POST
def take(request, reference: str):
    case = _case(request, reference)
    view = selectors.case_view(case)
    task = view.live_second or view.live_review
    if task is None:
        return _page(request, case, error=_("There is no open task on this case."))
    try:
        services.assign_tasks(tasks=[task], assignee=request.user, actor=request.user)
    except READABLE_ERRORS as exc:
        return _page(request, case, error=str(exc))
    messages.success(request, _("The case is assigned to you."))
    return redirect("casework:case", reference=reference)


@login_required
@require_POST
def request_information(request, reference: str):
    case = _case(request, reference)
    form = InformationRequestForm(request.POST)
    if form.is_valid():
        try:
            services.request_information(
                application=case.application,
                actor=request.user,
                message=form.cleaned_data["message"],
            )
        except READABLE_ERRORS as exc:
            form.add_error(None, str(exc))
        except PermissionDenied:
            form.add_error(None, _("You cannot work on this case."))
        else:
            messages.success(
                request,
                _("The applicant has been asked. The time limit is paused until they answer."),
            )
            return redirect("casework:case", reference=reference)
    return _page(request, case, info_form=form)


@login_required
@require_POST
def information_received(request, reference: str):
    case = _case(request, reference)
    try:
        services.information_received(application=case.application, actor=request.user)
    except READABLE_ERRORS as exc:
        return _page(request, case, error=str(exc))
    except PermissionDenied:
        return _page(request, case, error=_("You cannot work on this case."))
    messages.success(request, _("The information is in. The time limit runs again."))
    return redirect("casework:case", reference=reference)


@login_required
@require_POST
def second_approval(request, reference: str):
    case = _case(request, reference)
    view = selectors.case_view(case)
    form = SecondApprovalForm(request.POST)
    if view.pending_decision is None:
        return _page(request, case, error=_("No decision is waiting for a second approval."))
    if form.is_valid():
        try:
            services.confirm_decision(
                decision=view.pending_decision,
                actor=request.user,
                agree=form.cleaned_data["agree"] == "yes",
                note=form.cleaned_data.get("note", ""),
            )
        except READABLE_ERRORS as exc:
            form.add_error(None, str(exc))
        except PermissionDenied:
            form.add_error(None, _("You cannot approve this decision."))
        else:
            messages.success(request, _("Second approval recorded."))
            return redirect("casework:case", reference=reference)
    return _page(request, case, second_form=form)


def _final_decision(case):
    decision = selectors.case_view(case).final_decision
    if decision is None:
        raise Http404("No decision yet")
    return decision


@login_required
def document(request, reference: str, document_id: int):
    """A document sent with the application, for staff who may see the case (same 404 otherwise)."""
    application = _case(request, reference).application
    found = application.documents.filter(pk=document_id).first()
    if found is None:
        raise Http404("No such document")
    services.record_document_read(actor=request.user, document=found)
    return document_response(found)


@login_required
def letter(request, reference: str):
    decision = _final_decision(_case(request, reference))
    return render(request, "casework/letter.html", {"letter": letter_for(decision), "staff": True})


@login_required
def letter_pdf_view(request, reference: str):
    decision = _final_decision(_case(request, reference))
    return _pdf_response(request, decision)


def _pdf_response(request, decision):
    letter = letter_for(decision)
    try:
        content = letter_pdf(letter)
    except LetterUnavailable as exc:
        return render(
            request,
            "casework/letter.html",
            {"letter": letter, "pdf_problem": str(exc)},
            status=503,
        )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="decision-{letter.reference}.pdf"'
    return response
