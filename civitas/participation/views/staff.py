"""Back-office pages for e-participation: moderation, official answers, and running the
consultations, surveys, budgets and conversations through their phases."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civitas.participation.documents import clean
from civitas.participation.forms import (
    AnswerForm,
    DocumentForm,
    ModerationForm,
    PbImportForm,
    PhaseForm,
)
from civitas.participation.impact import ImpactError
from civitas.participation.lifecycles import (
    BUDGET,
    CONSULTATION,
    CONVERSATION,
    SURVEY,
    BudgetStatus,
    OpenClosed,
    Phase,
    TransitionNotAllowed,
)
from civitas.participation.models import Budget, Consultation, Conversation, Survey
from civitas.participation.permissions import can_manage, can_moderate
from civitas.participation.selectors import budgets as budget_selectors
from civitas.participation.selectors import consultations as consultation_selectors
from civitas.participation.selectors import conversations as conversation_selectors
from civitas.participation.selectors import moderation as moderation_selectors
from civitas.participation.selectors import proposals as proposal_selectors
from civitas.participation.selectors import surveys as survey_selectors
from civitas.participation.services import budgets as budget_services
from civitas.participation.services import consultations as consultation_services
from civitas.participation.services import conversations as conversation_services
from civitas.participation.services import moderation as moderation_services
from civitas.participation.services import proposals as proposal_services
from civitas.participation.services import surveys as survey_services
from civitas.participation.services import tallies as tally_services
from civitas.participation.staff_forms import NewConsultationForm
from civitas.participation.views.common import (
    idempotency_key,
    int_or_404,
    made_before,
    problem,
    remember_made,
)
from civitas.programs.models import ProgramVersion, VersionStatus
from civitas.registry.models import Region


def _manager(request) -> None:
    if not can_manage(request.user):
        raise Http404("Not found")


def _moderator(request) -> None:
    if not can_moderate(request.user):
        raise Http404("Not found")


def index(request):
    _moderator(request)
    queue = moderation_selectors.queue(request.user)
    manager = can_manage(request.user)
    return render(
        request,
        "participation/staff/index.html",
        {
            "held": len(queue["held"]),
            "reported": len(queue["reported"]),
            "manager": manager,
            "tasks": proposal_selectors.answer_tasks(request.user)[:50] if manager else [],
            "consultations": Consultation.objects.order_by("-created_at")[:50] if manager else [],
            "budgets": Budget.objects.order_by("-created_at")[:50] if manager else [],
            "surveys": Survey.objects.order_by("-created_at")[:50] if manager else [],
            "conversations": Conversation.objects.order_by("-created_at")[:50] if manager else [],
        },
    )


# --- moderation ------------------------------------------------------------------------------
def moderation(request):
    _moderator(request)
    return render(
        request, "participation/staff/moderation.html", moderation_selectors.queue(request.user)
    )


def moderate(request, kind: str, pk: int):
    item = moderation_selectors.item(request.user, kind=kind, object_id=int_or_404(pk))
    form = ModerationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            moderation_services.moderate(
                actor=request.user,
                kind=kind,
                object_id=item.object_id,
                action=form.cleaned_data["action"],
                public_reason=form.cleaned_data["public_reason"],
            )
        except (moderation_services.ModerationRefused, TransitionNotAllowed) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Done. The decision is in the public moderation log."))
            return redirect("participation:staff-moderation")
    return render(
        request,
        "participation/staff/moderate.html",
        {"item": item, "form": form},
        status=400 if request.method == "POST" else 200,
    )


# --- official answers to proposals -------------------------------------------------------------
def answer(request, pk: int):
    _manager(request)
    proposal = proposal_selectors.proposal_for(request.user, pk=int_or_404(pk))
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            proposal_services.answer(
                actor=request.user,
                proposal=proposal,
                outcome=form.cleaned_data["outcome"],
                text=form.cleaned_data["text"],
            )
        except (proposal_services.ProposalRefused, TransitionNotAllowed) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Answer published. The author has been told."))
            return redirect("participation:proposal", pk=proposal.pk)
    return render(
        request,
        "participation/staff/answer.html",
        {"proposal": proposal, "form": form},
        status=400 if request.method == "POST" else 200,
    )


# --- consultations -----------------------------------------------------------------------------
def consultation(request, slug: str):
    _manager(request)
    found = consultation_selectors.consultation_for(request.user, slug=slug)
    next_phases = [(p, Phase(p).label) for p in Phase.values if CONSULTATION.can(found.phase, p)]
    phase_form = PhaseForm(prefix="phase")
    editing = found.documents.filter(
        slug=request.POST.get("document") or request.GET.get("document") or ""
    ).first()
    document_form = DocumentForm(
        prefix="doc",
        initial={"title": editing.title, "body_html": editing.body_html} if editing else None,
    )
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        status = 400
        action = request.POST.get("action")
        try:
            if action == "phase":
                phase_form = PhaseForm(request.POST, prefix="phase")
                target = request.POST.get("target", "")
                if phase_form.is_valid() and target in Phase.values:
                    consultation_services.advance_phase(
                        actor=request.user,
                        consultation=found,
                        target=target,
                        note=phase_form.cleaned_data["note"],
                    )
                    messages.success(request, _("The consultation moved to the next phase."))
                    return redirect("participation:staff-consultation", slug=slug)
            elif action == "impact":
                consultation_services.run_impact(actor=request.user, consultation=found)
                messages.success(request, _("The impact simulation has been run and published."))
                return redirect("participation:staff-consultation", slug=slug)
            elif action == "document":
                document_form = DocumentForm(request.POST, prefix="doc")
                if document_form.is_valid():
                    consultation_services.save_document(
                        actor=request.user,
                        consultation=found,
                        slug=editing.slug if editing else document_form.cleaned_data["title"],
                        title=document_form.cleaned_data["title"],
                        body_html=document_form.cleaned_data["body_html"],
                        position=editing.position if editing else found.documents.count() + 1,
                    )
                    messages.success(request, _("Document saved."))
                    return redirect("participation:staff-consultation", slug=slug)
        except consultation_services.DocumentRefused as exc:
            problems = exc.problems
        except (
            consultation_services.ConsultationError,
            TransitionNotAllowed,
            ImpactError,
        ) as exc:
            problems = [str(exc)]
    return render(
        request,
        "participation/staff/consultation.html",
        {
            "consultation": found,
            "next_phases": next_phases,
            "phase_form": phase_form,
            "document_form": document_form,
            "editing": editing,
            "editable": found.phase in consultation_services.EDITABLE_PHASES,
            "problems": problems,
            "impact": consultation_selectors.latest_impact(found),
            "preview": clean(request.POST.get("doc-body_html", "")).html
            if request.method == "POST" and request.POST.get("action") == "document"
            else "",
        },
        status=status,
    )


def new_consultation(request):
    _manager(request)
    again = made_before(request)
    if again:
        return again
    drafts = list(
        ProgramVersion.objects.filter(status=VersionStatus.DRAFT)
        .select_related("program")
        .order_by("program__name", "number")
    )
    form = NewConsultationForm(request.POST or None, drafts=drafts)
    if request.method == "POST" and form.is_valid():
        subject = form.cleaned_data["subject"]
        version = next((v for v in drafts if str(v.pk) == subject), None)
        title = form.cleaned_data["title"]
        slug = slugify(title)[:60] or "consultation"
        if consultation_selectors.slug_taken(slug):
            form.add_error(
                "title", _("There is already a consultation with this title: choose another")
            )
        else:
            try:
                made = consultation_services.create_consultation(
                    actor=request.user,
                    slug=slug,
                    title=title,
                    summary=form.cleaned_data["summary"],
                    program_version=version,
                    opens_on=form.cleaned_data["opens_on"],
                    closes_on=form.cleaned_data["closes_on"],
                )
            except consultation_services.ConsultationError as exc:
                form.add_error(None, str(exc))
            else:
                url = reverse("participation:staff-consultation", args=[made.slug])
                remember_made(request, url)
                return redirect(url)
    return render(
        request,
        "participation/staff/new_consultation.html",
        {"form": form, "idempotency_key": idempotency_key(request)},
        status=400 if request.method == "POST" else 200,
    )


# --- budgets ---------------------------------------------------------------------------------
def budget(request, slug: str):
    _manager(request)
    found = budget_selectors.budget_for(request.user, slug=slug)
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        status = 400
        action = request.POST.get("action")
        try:
            if action == "open":
                budget_services.open_voting(actor=request.user, budget=found)
            elif action == "close":
                budget_services.close_voting(actor=request.user, budget=found)
            elif action == "tally":
                tally_services.tally(actor=request.user, budget=found)
            else:
                raise Http404("Unknown action")
        except (
            budget_services.BudgetError,
            TransitionNotAllowed,
            tally_services.TallyFailed,
        ) as exc:
            problems = [str(exc)]
        else:
            messages.success(request, _("Done."))
            return redirect("participation:staff-budget", slug=slug)
    return render(
        request,
        "participation/staff/budget.html",
        {
            "budget": found,
            "districts": budget_selectors.districts_of(found),
            "ballots": budget_selectors.ballot_count(found),
            "draft": found.status == BudgetStatus.DRAFT,
            "can_open": BUDGET.can(found.status, BudgetStatus.OPEN),
            "can_close": BUDGET.can(found.status, BudgetStatus.CLOSED),
            "can_tally": BUDGET.can(found.status, BudgetStatus.TALLIED),
            "problems": problems,
        },
        status=status,
    )


def import_budget(request):
    _manager(request)
    form = PbImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            form.add_error("file", _("The file must be UTF-8 text, as Pabulib files are."))
        else:
            try:
                imported = tally_services.import_pb(
                    actor=request.user,
                    text=text,
                    file_name=upload.name,
                    region=Region.objects.get(code=form.cleaned_data["region"]),
                )
            except tally_services.ImportRefused as exc:
                form.add_error("file", str(exc))
            else:
                messages.success(request, _("Budget imported."))
                return redirect("participation:staff-budget", slug=imported.slug)
    return render(
        request,
        "participation/staff/import.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


# --- surveys and conversations: open and close -------------------------------------------------
@require_POST
def survey_status(request, slug: str):
    _manager(request)
    found = survey_selectors.survey_for(request.user, slug=slug)
    target = request.POST.get("target", "")
    if not SURVEY.can(found.status, target):
        return problem(
            request, _("That change is not allowed now."), reverse("participation:staff")
        )
    try:
        survey_services.change_status(actor=request.user, survey=found, target=target)
    except survey_services.SurveyError as exc:
        return problem(request, str(exc), reverse("participation:staff-survey", args=[slug]))
    messages.success(
        request, _("The survey is now %(status)s.") % {"status": OpenClosed(target).label}
    )
    return redirect("participation:staff")


@require_POST
def conversation_status(request, slug: str):
    _manager(request)
    found = conversation_selectors.conversation_for(request.user, slug=slug)
    target = request.POST.get("target", "")
    if not CONVERSATION.can(found.status, target):
        return problem(
            request, _("That change is not allowed now."), reverse("participation:staff")
        )
    try:
        conversation_services.change_status(actor=request.user, conversation=found, target=target)
    except conversation_services.ConversationRefused as exc:
        return problem(request, str(exc), reverse("participation:staff-conversation", args=[slug]))
    messages.success(
        request, _("The conversation is now %(status)s.") % {"status": OpenClosed(target).label}
    )
    return redirect("participation:staff")
