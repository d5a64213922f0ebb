"""Staff pages that create and edit consultations, surveys, budgets and opinion-map conversations.

Each page is a form: a refusal (from the form or from the service) is shown on the same page in
an error summary, with everything typed kept. Creating pages carry an idempotency key: sending the
same form twice leads to what the first one made instead of making it again.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _

from civitas.participation.lifecycles import (
    CONVERSATION,
    SURVEY,
    BudgetStatus,
    OpenClosed,
    Phase,
    TransitionNotAllowed,
)
from civitas.participation.models import Consultation
from civitas.participation.permissions import can_manage
from civitas.participation.selectors import budgets as budget_selectors
from civitas.participation.selectors import consultations as consultation_selectors
from civitas.participation.selectors import conversations as conversation_selectors
from civitas.participation.selectors import surveys as survey_selectors
from civitas.participation.services import budgets as budget_services
from civitas.participation.services import consultations as consultation_services
from civitas.participation.services import conversations as conversation_services
from civitas.participation.services import surveys as survey_services
from civitas.participation.staff_forms import (
    BudgetForm,
    ConsultationDetailsForm,
    ConversationForm,
    ProjectForm,
    QuestionForm,
    SeedForm,
    SurveyDetailsForm,
)
from civitas.participation.views.common import (
    idempotency_key,
    int_or_404,
    made_before,
    remember_made,
)
from civitas.registry.models import Region

FORM = "participation/staff/form.html"


def _manager(request) -> None:
    if not can_manage(request.user):
        raise Http404("Not found")


def refuse(form, message: str) -> None:
    """Show ``message`` at the top of ``form``, bound or not, keeping what was typed."""
    form.errors  # noqa: B018 -- cleans a bound form first, so its values are kept
    if not hasattr(form, "cleaned_data"):
        form.cleaned_data = {}
    form.add_error(None, message)


def _form_page(request, form, *, title: str, caption: str, submit: str, back: str, intro=""):
    return render(
        request,
        FORM,
        {
            "form": form,
            "title": title,
            "caption": caption,
            "submit": submit,
            "back": back,
            "intro": intro,
            "idempotency_key": idempotency_key(request),
        },
        status=400 if request.method == "POST" else 200,
    )


def _open_consultations():
    """Consultations a survey or conversation can belong to: not yet decided."""
    return consultation_selectors.consultations_for_staff(
        phases=[Phase.DRAFT, Phase.INFORMATION, Phase.CONSULTATION, Phase.DELIBERATION]
    )


def _consultation_from(slug: str) -> Consultation | None:
    return Consultation.objects.filter(slug=slug).first() if slug else None


# --- consultations -----------------------------------------------------------------------------
def edit_consultation(request, slug: str):
    _manager(request)
    found = consultation_selectors.consultation_for(request.user, slug=slug)
    back = reverse("participation:staff-consultation", args=[found.slug])
    initial = {f: getattr(found, f) for f in ("title", "summary", "opens_on", "closes_on")}
    form = ConsultationDetailsForm(request.POST or None, initial=initial)
    if found.phase not in consultation_services.EDITABLE_PHASES:
        refuse(
            form,
            _("The consultation is in the “%(phase)s” phase: its details can no longer change.")
            % {"phase": found.get_phase_display()},
        )
    elif request.method == "POST" and form.is_valid():
        try:
            consultation_services.update_consultation(
                actor=request.user, consultation=found, **form.cleaned_data
            )
        except consultation_services.ConsultationError as exc:
            refuse(form, str(exc))
        else:
            messages.success(request, _("The consultation's details are saved."))
            return redirect(back)
    return _form_page(
        request,
        form,
        title=_("Change the consultation's details"),
        caption=found.title,
        submit=_("Save the details"),
        back=back,
    )


# --- surveys -----------------------------------------------------------------------------------
def new_survey(request):
    _manager(request)
    again = made_before(request)
    if again:
        return again
    form = SurveyDetailsForm(request.POST or None, consultations=_open_consultations())
    if request.method == "POST" and form.is_valid():
        title = form.cleaned_data["title"]
        try:
            made = survey_services.start_survey(
                actor=request.user,
                slug=slugify(title)[:60],
                title=title,
                introduction=form.cleaned_data["introduction"],
                consultation=_consultation_from(form.cleaned_data["consultation"]),
            )
        except survey_services.SurveyError as exc:
            form.add_error("title", str(exc))
        else:
            url = reverse("participation:staff-survey", args=[made.slug])
            remember_made(request, url)
            messages.success(request, _("Survey created. Add its questions, then open it."))
            return redirect(url)
    return _form_page(
        request,
        form,
        title=_("Start a survey"),
        caption=_("Surveys"),
        submit=_("Create the survey"),
        back=reverse("participation:staff"),
        intro=_("It starts unpublished. Add its questions, then open it."),
    )


def survey(request, slug: str):
    """A survey's questions: add and remove them while it is a draft; open and close it."""
    _manager(request)
    found = survey_selectors.survey_for(request.user, slug=slug)
    draft = found.status == OpenClosed.DRAFT
    form = QuestionForm(
        request.POST if request.POST.get("action") == "question" else None,
        initial={"required": "yes"},
    )
    problems: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "question":
                if form.is_valid():
                    survey_services.add_question(actor=request.user, survey=found, spec=form.spec())
                    messages.success(request, _("Question added."))
                    return redirect("participation:staff-survey", slug=slug)
            elif action == "remove":
                survey_services.remove_question(
                    actor=request.user,
                    survey=found,
                    question_id=int_or_404(request.POST.get("question")),
                )
                messages.success(request, _("Question removed."))
                return redirect("participation:staff-survey", slug=slug)
            elif action in OpenClosed.values:
                survey_services.change_status(actor=request.user, survey=found, target=action)
                messages.success(
                    request,
                    _("The survey is now “%(status)s”.") % {"status": OpenClosed(action).label},
                )
                return redirect("participation:staff-survey", slug=slug)
            else:
                raise Http404("Unknown action")
        except (survey_services.SurveyError, TransitionNotAllowed) as exc:
            if action == "question" and draft:
                refuse(form, str(exc))
            else:
                problems = [str(exc)]
    return render(
        request,
        "participation/staff/survey.html",
        {
            "survey": found,
            "questions": survey_selectors.questions_of(found),
            "draft": draft,
            "form": form,
            "problems": problems,
            "next_states": [
                (s, OpenClosed(s).label) for s in OpenClosed.values if SURVEY.can(found.status, s)
            ],
        },
        status=400 if request.method == "POST" else 200,
    )


def edit_survey(request, slug: str):
    _manager(request)
    found = survey_selectors.survey_for(request.user, slug=slug)
    back = reverse("participation:staff-survey", args=[found.slug])
    initial = {
        "title": found.title,
        "introduction": found.introduction,
        "consultation": found.consultation.slug if found.consultation else "",
    }
    form = SurveyDetailsForm(
        request.POST or None, initial=initial, consultations=_open_consultations()
    )
    if request.method == "POST" and form.is_valid():
        try:
            survey_services.update_survey(
                actor=request.user,
                survey=found,
                title=form.cleaned_data["title"],
                introduction=form.cleaned_data["introduction"],
                consultation=_consultation_from(form.cleaned_data["consultation"]),
            )
        except survey_services.SurveyError as exc:
            refuse(form, str(exc))
        else:
            messages.success(request, _("The survey's details are saved."))
            return redirect(back)
    return _form_page(
        request,
        form,
        title=_("Change the survey's details"),
        caption=found.title,
        submit=_("Save the details"),
        back=back,
    )


# --- participatory budgets ---------------------------------------------------------------------
def _regions():
    return list(Region.objects.order_by("name"))


def _budget_form(request, *, initial=None):
    return BudgetForm(
        request.POST or None,
        initial=initial,
        regions=_regions(),
        currency=settings.CIVITAS_CURRENCY,
    )


def new_budget(request):
    _manager(request)
    again = made_before(request)
    if again:
        return again
    form = _budget_form(
        request,
        initial={
            "minimum_age": settings.PARTICIPATION_MINIMUM_AGE,
            "ballot_format": "approval",
            "min_projects": 1,
            "rule": "greedy",
            "utility": "cost",
            "completion": "none",
        },
    )
    if request.method == "POST" and form.is_valid():
        values = form.settings()
        slug = slugify(values["title"])[:60] or "budget"
        if budget_selectors.slug_taken(slug):
            form.add_error("title", _("There is already a budget with this title: choose another"))
        else:
            try:
                made = budget_services.create_budget(
                    actor=request.user, slug=slug, districts=form.districts(), **values
                )
            except budget_services.BudgetError as exc:
                refuse(form, str(exc))
            else:
                url = reverse("participation:staff-budget", args=[made.slug])
                remember_made(request, url)
                messages.success(request, _("Budget created. Add the projects of each district."))
                return redirect(url)
    return render(
        request,
        "participation/staff/budget_form.html",
        {
            "form": form,
            "title": _("Start a participatory budget"),
            "submit": _("Create the budget"),
            "back": reverse("participation:staff"),
            "idempotency_key": idempotency_key(request),
        },
        status=400 if request.method == "POST" else 200,
    )


def edit_budget(request, slug: str):
    _manager(request)
    found = budget_selectors.budget_for(request.user, slug=slug)
    back = reverse("participation:staff-budget", args=[found.slug])
    form = _budget_form(request, initial=BudgetForm.initial_for(found))
    if found.status != BudgetStatus.DRAFT:
        refuse(form, _("Voting has opened: the budget's settings can no longer change."))
    elif request.method == "POST" and form.is_valid():
        values = form.settings()
        try:
            budget_services.update_budget(
                actor=request.user, budget=found, districts=form.districts(), **values
            )
        except budget_services.BudgetError as exc:
            refuse(form, str(exc))
        else:
            messages.success(request, _("The budget's settings are saved."))
            return redirect(back)
    return render(
        request,
        "participation/staff/budget_form.html",
        {
            "form": form,
            "budget": found,
            "title": _("Change the budget's settings"),
            "submit": _("Save the settings"),
            "back": back,
            "idempotency_key": idempotency_key(request),
        },
        status=400 if request.method == "POST" else 200,
    )


def new_project(request, slug: str, region: str):
    _manager(request)
    found = budget_selectors.budget_for(request.user, slug=slug)
    district = budget_selectors.district_for(found, region_code=region)
    back = reverse("participation:staff-budget", args=[found.slug])
    again = made_before(request)
    if again:
        return again
    form = ProjectForm(request.POST or None, district=district)
    if found.status != BudgetStatus.DRAFT:
        refuse(form, _("Voting has opened: projects can no longer be added."))
    elif request.method == "POST" and form.is_valid():
        try:
            budget_services.add_project(actor=request.user, district=district, **form.cleaned_data)
        except budget_services.BudgetError as exc:
            refuse(form, str(exc))
        else:
            remember_made(request, back)
            messages.success(request, _("Project added."))
            return redirect(back)
    return _form_page(
        request,
        form,
        title=_("Add a project in %(district)s") % {"district": district.region.name},
        caption=found.title,
        submit=_("Add the project"),
        back=back,
    )


def edit_project(request, slug: str, region: str, code: str):
    _manager(request)
    found = budget_selectors.budget_for(request.user, slug=slug)
    district = budget_selectors.district_for(found, region_code=region)
    project = budget_selectors.project_in(district, code=code)
    back = reverse("participation:staff-budget", args=[found.slug])
    form = ProjectForm(
        request.POST if request.method == "POST" and "remove" not in request.POST else None,
        editing=True,
        initial={f: getattr(project, f) for f in ("title", "description", "cost", "category")},
    )
    if found.status != BudgetStatus.DRAFT:
        refuse(form, _("Voting has opened: the projects can no longer change."))
    elif request.method == "POST":
        try:
            if "remove" in request.POST:
                budget_services.remove_project(actor=request.user, project=project)
                messages.success(request, _("Project removed."))
                return redirect(back)
            if form.is_valid():
                budget_services.update_project(
                    actor=request.user, project=project, **form.cleaned_data
                )
                messages.success(request, _("Project saved."))
                return redirect(back)
        except budget_services.BudgetError as exc:
            refuse(form, str(exc))
    return render(
        request,
        "participation/staff/project.html",
        {
            "form": form,
            "budget": found,
            "district": district,
            "project": project,
            "back": back,
            "draft": found.status == BudgetStatus.DRAFT,
        },
        status=400 if request.method == "POST" else 200,
    )


# --- opinion-map conversations -----------------------------------------------------------------
def new_conversation(request):
    _manager(request)
    again = made_before(request)
    if again:
        return again
    form = ConversationForm(
        request.POST or None,
        consultations=_open_consultations(),
        initial={"participants_may_add": "yes"},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        slug = slugify(data["topic"])[:60] or "conversation"
        if conversation_selectors.slug_taken(slug):
            form.add_error(
                "topic", _("There is already a conversation on this topic: choose another")
            )
        else:
            try:
                made = conversation_services.create_conversation(
                    actor=request.user,
                    slug=slug,
                    topic=data["topic"],
                    description=data["description"],
                    seed_statements=data["statements"].splitlines(),
                    consultation=_consultation_from(data["consultation"]),
                    participants_may_add=data["participants_may_add"] == "yes",
                )
            except conversation_services.ConversationRefused as exc:
                form.add_error("statements", str(exc))
            else:
                url = reverse("participation:staff-conversation", args=[made.slug])
                remember_made(request, url)
                messages.success(request, _("Conversation created. Open it when it is ready."))
                return redirect(url)
    return _form_page(
        request,
        form,
        title=_("Start an opinion map"),
        caption=_("Opinion maps"),
        submit=_("Create the conversation"),
        back=reverse("participation:staff"),
        intro=_("It starts unpublished. Check its first statements, then open it."),
    )


def conversation(request, slug: str):
    """A conversation's statements: add the organisers' statements until it closes; open and
    close it."""
    _manager(request)
    found = conversation_selectors.conversation_for(request.user, slug=slug)
    form = SeedForm(request.POST if request.POST.get("action") == "seed" else None)
    problems: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "seed":
                if form.is_valid():
                    added = conversation_services.add_seed_statements(
                        actor=request.user,
                        conversation=found,
                        texts=form.cleaned_data["statements"].splitlines(),
                    )
                    messages.success(request, _("%(n)s statements added.") % {"n": added})
                    return redirect("participation:staff-conversation", slug=slug)
            elif action in OpenClosed.values:
                conversation_services.change_status(
                    actor=request.user, conversation=found, target=action
                )
                messages.success(
                    request,
                    _("The conversation is now “%(status)s”.")
                    % {"status": OpenClosed(action).label},
                )
                return redirect("participation:staff-conversation", slug=slug)
            else:
                raise Http404("Unknown action")
        except (conversation_services.ConversationRefused, TransitionNotAllowed) as exc:
            if action == "seed":
                form.add_error("statements", str(exc))
            else:
                problems = [str(exc)]
    return render(
        request,
        "participation/staff/conversation.html",
        {
            "conversation": found,
            "statements": conversation_selectors.statements_for_staff(found),
            "form": form,
            "problems": problems,
            "next_states": [
                (s, OpenClosed(s).label)
                for s in OpenClosed.values
                if CONVERSATION.can(found.status, s)
            ],
        },
        status=400 if request.method == "POST" else 200,
    )


def edit_conversation(request, slug: str):
    _manager(request)
    found = conversation_selectors.conversation_for(request.user, slug=slug)
    back = reverse("participation:staff-conversation", args=[found.slug])
    form = ConversationForm(
        request.POST or None,
        consultations=_open_consultations(),
        with_statements=False,
        initial={
            "topic": found.topic,
            "description": found.description,
            "consultation": found.consultation.slug if found.consultation else "",
            "participants_may_add": "yes" if found.participants_may_add else "no",
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            conversation_services.update_conversation(
                actor=request.user,
                conversation=found,
                topic=data["topic"],
                description=data["description"],
                consultation=_consultation_from(data["consultation"]),
                participants_may_add=data["participants_may_add"] == "yes",
            )
        except conversation_services.ConversationRefused as exc:
            refuse(form, str(exc))
        else:
            messages.success(request, _("The conversation's details are saved."))
            return redirect(back)
    return _form_page(
        request,
        form,
        title=_("Change the conversation's details"),
        caption=found.topic,
        submit=_("Save the details"),
        back=back,
    )
