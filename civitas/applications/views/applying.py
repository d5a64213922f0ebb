"""Applying, one thing per page: start (or continue) a draft, once-only answers, the questions,
the documents, "check your answers", and the confirmation with the reference number.

Every page saves what it asks as soon as it is answered, so nothing is lost when a session expires:
signing in again comes back to the same page with the draft as it was.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from civitas.applications import selectors, services, uploads
from civitas.applications.lifecycle import Status, TransitionNotAllowed
from civitas.applications.models import Application, ConsentMethod
from civitas.applications.services.documents import requirement_for
from civitas.applications.views.following import detail_context
from civitas.programs import selectors as program_selectors
from civitas.programs.assessment import registry_facts
from civitas.programs.forms import answers_for_storage, build_page_form, display_answer
from civitas.programs.formspec import DocumentRequirement, FormSpec, is_blank, parse_spec

LARGEST_UPLOAD = 20 * 1024 * 1024


def _spec(application: Application) -> FormSpec:
    return parse_spec(application.program_version.form)


def _draft(request, reference: str) -> Application:
    application = selectors.application_for_applicant(user=request.user, reference=reference)
    return application


def _is_helper(request, application: Application) -> bool:
    return (
        application.created_by_id == request.user.pk and application.applicant_id != request.user.pk
    )


def continue_url(application: Application) -> str:
    """Where a person picks up a draft: once-only consent first, then the task list or the first
    question still unanswered, then "check your answers"."""
    ref = application.reference
    if application.status != Status.DRAFT:
        return reverse("applications:detail", args=[ref])
    spec = _spec(application)
    if not application.prefill_choice and application.person_id and spec.prefillable():
        return reverse("applications:prefill", args=[ref])
    if spec.has_task_list:
        return reverse("applications:detail", args=[ref])
    page = spec.first_unanswered_page(application.answers)
    if page is not None:
        return reverse("applications:question", args=[ref, page.name])
    return _after_questions_url(application, spec)


def _after_questions_url(application: Application, spec: FormSpec) -> str:
    if spec.documents_needed(application.answers):
        return reverse("applications:documents", args=[application.reference])
    return reverse("applications:check", args=[application.reference])


@login_required
def apply(request, slug: str):
    """Start an application (a draft), or carry on with the one already started."""
    if request.user.is_staff:
        raise Http404("Staff apply on someone's behalf through assisted digital")
    program = program_selectors.published_program(slug)
    program_selectors.version_in_force(program)
    if request.method == "POST":
        key = request.POST.get("idempotency_key", "")[:100] or uuid.uuid4().hex
        outcome = services.start_draft(applicant=request.user, program=program, idempotency_key=key)
        return redirect(continue_url(outcome.application))
    draft = selectors.open_draft(user=request.user, program=program)
    if draft is not None:
        return redirect(continue_url(draft))
    return render(
        request,
        "applications/apply.html",
        {"program": program, "idempotency_key": uuid.uuid4().hex},
    )


@login_required
def prefill(request, reference: str):
    """Once-only: offer what the registry already holds instead of asking again."""
    application = _draft(request, reference)
    if application.status != Status.DRAFT or application.person is None:
        return redirect(continue_url(application))
    spec = _spec(application)
    facts = registry_facts(application.person)
    offered = [
        (q, display_answer(q, facts[q.prefill])) for q in spec.prefillable() if q.prefill in facts
    ]
    helper = _is_helper(request, application)
    error = ""
    if request.method == "POST":
        choice = request.POST.get("use_registry")
        if choice == "yes":
            method = (
                request.POST.get("method", ConsentMethod.ONLINE) if helper else ConsentMethod.ONLINE
            )
            if method not in ConsentMethod.values:
                method = ConsentMethod.IN_PERSON
            services.use_registry_answers(
                application=application, actor=request.user, method=method
            )
            messages.success(
                request, _("We have filled in what the registry holds. Check each answer.")
            )
            return redirect(continue_url(Application.objects.get(pk=application.pk)))
        if choice == "no":
            services.decline_prefill(application=application, actor=request.user)
            return redirect(continue_url(Application.objects.get(pk=application.pk)))
        error = _("Select yes if we may use what the registry holds")
    return render(
        request,
        "applications/prefill.html",
        {
            "application": application,
            "offered": offered,
            "error": error,
            "helper": helper,
            "methods": [
                (v, label) for v, label in ConsentMethod.choices if v != ConsentMethod.ONLINE
            ],
        },
    )


def _task_rows(application: Application, spec: FormSpec) -> list[dict]:
    answers = application.answers
    rows = []
    ref = application.reference
    for section in spec.sections:
        pages = spec.section_pages(section, answers)
        if not pages:
            continue
        questions = [q for p in pages for q in p.visible_questions(answers)]
        answered = [q for q in questions if not is_blank(answers.get(q.name))]
        missing = [q for q in questions if q.required and is_blank(answers.get(q.name))]
        status = "completed" if not missing else ("in_progress" if answered else "not_started")
        first = next((p for p in pages if p.visible_questions(answers)), pages[0])
        rows.append(
            {
                "title": section.title or application.program.name,
                "url": reverse("applications:question", args=[ref, first.name]),
                "status": status,
            }
        )
    needed = spec.documents_needed(answers)
    if needed:
        uploaded = set(application.documents.values_list("requirement", flat=True))
        missing_docs = [d for d in needed if d.required and d.name not in uploaded]
        rows.append(
            {
                "title": _("Upload documents"),
                "url": reverse("applications:documents", args=[ref]),
                "status": "completed"
                if not missing_docs
                else ("in_progress" if uploaded else "not_started"),
            }
        )
    ready = all(row["status"] == "completed" for row in rows)
    rows.append(
        {
            "title": _("Check your answers and send"),
            "url": reverse("applications:check", args=[ref]) if ready else "",
            "status": "not_started" if ready else "cannot_start",
        }
    )
    return rows


def task_list(request, application: Application):
    spec = _spec(application)
    rows = _task_rows(application, spec)
    done = sum(1 for row in rows[:-1] if row["status"] == "completed")
    return render(
        request,
        "applications/task_list.html",
        {"application": application, "rows": rows, "done": done, "total": len(rows) - 1},
    )


@login_required
def question(request, reference: str, page: str):
    application = _draft(request, reference)
    if application.status != Status.DRAFT:
        return redirect("applications:detail", reference=reference)
    spec = _spec(application)
    current = spec.page(page)
    if current is None or current not in spec.visible_pages(application.answers):
        raise Http404("No such question")
    returning = request.GET.get("return") == "check"
    if request.method == "POST":
        form = build_page_form(current, answers=application.answers, data=request.POST)
        later = "later" in request.POST
        blank = all(is_blank(request.POST.get(name)) for name in form.fields)
        if later and blank:
            return _saved_for_later(request)
        if form.is_valid():
            application = services.save_answers(
                application=application,
                actor=request.user,
                answers=answers_for_storage(form.cleaned_data),
            )
            if later:
                return _saved_for_later(request)
            return redirect(_next_url(application, spec, current.name, returning=returning))
    else:
        form = build_page_form(current, answers=application.answers)
    previous = spec.previous_page(current.name, application.answers)
    if returning:
        back = reverse("applications:check", args=[reference])
    elif previous is not None and not (spec.has_task_list and previous.section != current.section):
        back = reverse("applications:question", args=[reference, previous.name])
    else:
        back = reverse("applications:detail", args=[reference]) if spec.has_task_list else ""
    fields = list(form)
    return render(
        request,
        "applications/question.html",
        {
            "application": application,
            "page": current,
            "form": form,
            "single": fields[0] if len(fields) == 1 else None,
            "back": back or reverse("applications:mine"),
            "prefilled": [name for name in application.prefilled if name in form.fields],
            "returning": returning,
        },
    )


def _saved_for_later(request):
    messages.success(
        request,
        _("Your answers are saved. Come back to this application from “Your applications”."),
    )
    return redirect("applications:mine")


def _next_url(application: Application, spec: FormSpec, after: str, *, returning: bool) -> str:
    ref = application.reference
    answers = application.answers
    following = spec.next_page(after, answers)
    if returning:
        # a changed answer may bring up new questions: ask those, then go back to the summary
        missing = spec.first_unanswered_page(answers)
        if missing is not None:
            return reverse("applications:question", args=[ref, missing.name]) + "?return=check"
        return reverse("applications:check", args=[ref])
    if following is not None:
        current = spec.page(after)
        if spec.has_task_list and current is not None and following.section != current.section:
            return reverse("applications:detail", args=[ref])
        return reverse("applications:question", args=[ref, following.name])
    if spec.has_task_list:
        return reverse("applications:detail", args=[ref])
    return _after_questions_url(application, spec)


# --- documents -----------------------------------------------------------------------------------
def _documents_context(application: Application, errors: dict[str, str] | None = None) -> dict:
    spec = _spec(application)
    needed: list[DocumentRequirement] = spec.documents_needed(application.answers)
    uploaded = list(application.documents.all())
    rows = [
        {
            "requirement": requirement,
            "files": [d for d in uploaded if d.requirement == requirement.name],
            "error": (errors or {}).get(requirement.name, ""),
        }
        for requirement in needed
    ]
    return {
        "application": application,
        "rows": rows,
        "errors": errors or {},
        "next_url": reverse("applications:detail", args=[application.reference])
        if spec.has_task_list
        else reverse("applications:check", args=[application.reference]),
    }


@login_required
def documents(request, reference: str):
    application = _draft(request, reference)
    if application.status != Status.DRAFT:
        return redirect("applications:detail", reference=reference)
    return render(request, "applications/documents.html", _documents_context(application))


@csrf_exempt
def upload(request, reference: str, name: str):
    """Receive one file. The size limit is installed before the body is read, so the CSRF check
    runs inside (``csrf_protect``) rather than in the middleware, which would read the body first."""
    return _upload(request, reference=reference, name=name)


@login_required
@require_POST
@csrf_protect
def _protected_upload(request, reference: str, name: str):
    application = _draft(request, reference)
    requirement = requirement_for(application, name)
    if requirement is None:
        raise Http404("No such document")
    upload_file = request.FILES.get("document")  # reading the body runs the size limit
    limiter = getattr(request, "civitas_upload_limiter", None)
    if limiter is not None and "document" in limiter.too_large:
        error = _("The selected file must be smaller than %(size)s MB") % {
            "size": requirement.max_size_mb
        }
        return _upload_failed(request, application, name, error)
    if upload_file is None:
        return _upload_failed(request, application, name, _("Select a file to upload"))
    try:
        services.add_document(
            application=application,
            actor=request.user,
            requirement=name,
            stream=upload_file,
            original_name=upload_file.name,
            size=upload_file.size,
        )
    except services.DocumentRefused as exc:
        return _upload_failed(request, application, name, str(exc))
    finally:
        upload_file.close()
    messages.success(request, _("Your document has been uploaded."))
    if application.status == Status.DRAFT:
        return redirect("applications:documents", reference=reference)
    return redirect("applications:detail", reference=reference)


def _upload(request, *, reference: str, name: str):
    if request.method == "POST":
        limit = _limit_for(request, reference, name)
        if uploads.declared_length_too_large(request, limit=limit):
            # refused before reading the body: nothing of it is received, kept or changed
            context = {"reference": reference, "size": limit // (1024 * 1024)}
            return render(request, "applications/too_large.html", context, status=413)
        request.civitas_upload_limiter = uploads.limit_uploads(request, limit=limit)
    return _protected_upload(request, reference, name)


def _limit_for(request, reference: str, name: str) -> int:
    if not request.user.is_authenticated:
        return LARGEST_UPLOAD
    try:
        application = selectors.application_for_applicant(user=request.user, reference=reference)
    except Http404:
        return LARGEST_UPLOAD
    requirement = requirement_for(application, name)
    return requirement.max_bytes if requirement else LARGEST_UPLOAD


def _upload_failed(request, application: Application, name: str, error: str):
    if application.status == Status.DRAFT:
        context = _documents_context(application, errors={name: error})
        return render(request, "applications/documents.html", context, status=400)
    context = detail_context(request, application, upload_error=error)
    return render(request, "applications/detail.html", context, status=400)


@login_required
@require_POST
def remove_document(request, reference: str, document_id: int):
    document = selectors.document_for(
        user=request.user, reference=reference, document_id=document_id
    )
    try:
        services.remove_document(document=document, actor=request.user)
    except services.DocumentRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The document has been removed."))
    return redirect("applications:documents", reference=reference)


# --- check your answers and send ----------------------------------------------------------------
def _summary(application: Application, spec: FormSpec) -> list[dict]:
    answers = application.answers
    sections = []
    for section in spec.sections:
        rows = []
        for page in spec.section_pages(section, answers):
            for q in page.visible_questions(answers):
                rows.append(
                    {
                        "label": q.label,
                        "value": display_answer(q, answers.get(q.name)),
                        "change": reverse(
                            "applications:question", args=[application.reference, page.name]
                        )
                        + "?return=check",
                        "prefilled": q.name in application.prefilled,
                    }
                )
        if rows:
            sections.append({"title": section.title, "rows": rows})
    return sections


@login_required
def check(request, reference: str):
    application = _draft(request, reference)
    if application.status != Status.DRAFT:
        return redirect("applications:confirmation", reference=reference)
    problems = []
    if request.method == "POST":
        try:
            submitted = services.submit_draft(application=application, actor=request.user)
        except services.SubmissionIncomplete as exc:
            problems = exc.problems
        else:
            return redirect("applications:confirmation", reference=submitted.reference)
    spec = _spec(application)
    error_items = [
        {
            "text": p.message,
            "href": reverse("applications:question", args=[reference, p.page]) + "?return=check"
            if p.kind == "question"
            else reverse("applications:documents", args=[reference]),
        }
        for p in problems
    ]
    return render(
        request,
        "applications/check.html",
        {
            "application": application,
            "sections": _summary(application, spec),
            "documents": list(application.documents.all()),
            "has_documents": bool(spec.documents_needed(application.answers)),
            "problems": error_items,
        },
        status=400 if problems else 200,
    )


@login_required
def confirmation(request, reference: str):
    application = selectors.application_for_applicant(user=request.user, reference=reference)
    if application.status == Status.DRAFT:
        return redirect(continue_url(application))
    return render(request, "applications/confirmation.html", {"application": application})


@login_required
@require_POST
def discard(request, reference: str):
    """Give up a draft (it is withdrawn, so the record of it stays)."""
    application = _draft(request, reference)
    try:
        services.withdraw(application=application, actor=request.user)
    except TransitionNotAllowed as exc:
        messages.error(request, str(exc))
    return redirect("applications:mine")


@login_required
def detail(request, reference: str):
    """A draft opens at its task list (or where the person stopped); a sent application shows its
    status, messages and what to do next."""
    application = selectors.application_for_applicant(user=request.user, reference=reference)
    if application.status == Status.DRAFT:
        if _spec(application).has_task_list and (
            application.prefill_choice
            or not application.person_id
            or not _spec(application).prefillable()
        ):
            return task_list(request, application)
        return redirect(continue_url(application))
    return render(request, "applications/detail.html", detail_context(request, application))
