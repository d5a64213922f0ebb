"""Staff create and edit consultations, surveys, participatory budgets and opinion maps from the
back office: every write audited, every state machine respected (nothing about a budget changes
once voting opens, a survey's questions are fixed once it opens), refusals shown on the same form
with what was typed kept, and the same 404 for anyone who may not manage participation."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from civitas.audit.models import AuditEvent
from civitas.participation.models import Budget, Consultation, Conversation, Project, Survey
from civitas.participation.services import budgets as budget_services
from civitas.participation.services import consultations as consultation_services
from civitas.participation.services import conversations, surveys
from civitas.registry.models import Region
from tests.participation.helpers import assert_csp_friendly, main_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(client, policy, sign_in):
    sign_in(client, policy)
    return client


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))


def labels_of_every_input(html: str) -> None:
    """Every checkbox and radio has a non-empty id and a label pointing at it."""
    inputs = re.findall(r'<input[^>]*type="(?:checkbox|radio)"[^>]*>', html)
    assert inputs, "the page has choices"
    for tag in inputs:
        found = re.search(r'id="([^"]*)"', tag)
        assert found and found.group(1), f"an input without an id: {tag}"
        assert f'for="{found.group(1)}"' in html, f"no label for {found.group(1)}"


# --- consultations -----------------------------------------------------------------------------
def test_staff_create_a_consultation_once_and_edit_its_details(manager):
    new = reverse("participation:staff-consultation-new")
    page = manager.get(new)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page.content.decode()).group(1)
    data = {
        "idempotency_key": key,
        "title": "Bus lanes",
        "summary": "Where new bus lanes should go.",
        "subject": "policy",
        "opens_on": "2027-03-01",
        "closes_on": "12/04/2027",
    }
    first = manager.post(new, data)
    again = manager.post(new, data)  # the same form sent twice: one consultation
    assert first.status_code == again.status_code == 302 and first.url == again.url
    consultation = Consultation.objects.get()
    assert (consultation.opens_on, consultation.closes_on) == (date(2027, 3, 1), date(2027, 4, 12))

    edit = reverse("participation:staff-consultation-edit", args=[consultation.slug])
    assert_csp_friendly(manager.get(edit))
    saved = manager.post(
        edit,
        {"title": "Bus lanes 2027", "summary": "Where.", "opens_on": "", "closes_on": ""},
    )
    assert saved.status_code == 302
    consultation.refresh_from_db()
    assert consultation.title == "Bus lanes 2027" and consultation.opens_on is None
    event = AuditEvent.objects.get(action="participation:consultation:updated")
    assert event.before["title"] == "Bus lanes" and event.after["title"] == "Bus lanes 2027"


def test_a_consultation_form_with_mistakes_keeps_what_was_typed(manager):
    response = manager.post(
        reverse("participation:staff-consultation-new"),
        {
            "title": "Night buses",
            "summary": "",
            "subject": "policy",
            "opens_on": "2027-05-10",
            "closes_on": "2027-05-01",
        },
    )
    html = main_of(response)
    assert response.status_code == 400 and "govuk-error-summary" in html
    assert "Enter a summary" in html and "on or after the opening day" in html
    assert 'value="Night buses"' in html and 'value="2027-05-10"' in html
    assert not Consultation.objects.exists()


def test_a_second_consultation_with_the_same_title_is_refused_not_merged(manager, policy):
    consultation_services.create_consultation(
        actor=policy, slug="bus-lanes", title="Bus lanes", summary="First."
    )
    response = manager.post(
        reverse("participation:staff-consultation-new"),
        {"title": "Bus lanes", "summary": "Second.", "subject": "policy"},
    )
    assert response.status_code == 400 and "choose another" in main_of(response)
    assert Consultation.objects.get().summary == "First."


def test_documents_are_edited_in_place_and_frozen_once_the_consultation_moves_on(manager, policy):
    consultation = consultation_services.create_consultation(
        actor=policy, slug="parks", title="Parks", summary="Parks."
    )
    manage = reverse("participation:staff-consultation", args=["parks"])
    manager.post(
        manage, {"action": "document", "doc-title": "Plan", "doc-body_html": "<p>First.</p>"}
    )
    page = manager.get(manage + "?document=plan")
    assert "First." in main_of(page) and 'name="document" value="plan"' in main_of(page)
    manager.post(
        manage,
        {
            "action": "document",
            "document": "plan",
            "doc-title": "Plan, revised",
            "doc-body_html": "<p>Second.</p>",
        },
    )
    document = consultation.documents.get()
    assert document.title == "Plan, revised" and "Second." in document.body_html
    assert "participation:document:updated" in actions()

    for phase in ("information", "consultation", "deliberation"):
        consultation_services.advance_phase(actor=policy, consultation=consultation, target=phase)
    refused = manager.post(
        manage,
        {"action": "document", "document": "plan", "doc-title": "X", "doc-body_html": "<p>Y</p>"},
    )
    assert refused.status_code == 400 and "can no longer change" in main_of(refused)
    assert consultation.documents.get().title == "Plan, revised"
    edit = reverse("participation:staff-consultation-edit", args=["parks"])
    locked = manager.post(edit, {"title": "Other", "summary": "Other."})
    assert locked.status_code == 400 and "can no longer change" in main_of(locked)
    consultation.refresh_from_db()
    assert consultation.title == "Parks"


# --- surveys -----------------------------------------------------------------------------------
def test_staff_build_a_survey_question_by_question_then_open_it(manager, client):
    made = manager.post(
        reverse("participation:staff-survey-new"),
        {"idempotency_key": "k1", "title": "Parks survey", "introduction": "Tell us."},
    )
    survey = Survey.objects.get()
    page = reverse("participation:staff-survey", args=[survey.slug])
    assert made.status_code == 302 and made.url == page

    refused_open = manager.post(page, {"action": "open"})
    assert refused_open.status_code == 400
    assert "at least one question" in main_of(refused_open)
    assert "Write the question" not in main_of(refused_open), "only the form sent shows errors"
    questions = [
        {"kind": "single", "text": "Do you visit parks?", "required": "yes", "choices": "Yes\nNo"},
        {
            "kind": "multiple",
            "text": "Which?",
            "required": "no",
            "choices": "North park\nRiver park\nHill park",
        },
        {
            "kind": "scale",
            "text": "How safe?",
            "required": "yes",
            "scale_min": "1",
            "scale_max": "5",
            "scale_min_label": "Not at all",
            "scale_max_label": "Very",
        },
        {"kind": "text", "text": "Anything else?", "required": "no"},
        {"kind": "text", "text": "A question removed again", "required": "no"},
    ]
    for question in questions:
        assert manager.post(page, {"action": "question", **question}).status_code == 302
    last = survey.questions.get(position=5)
    assert manager.post(page, {"action": "remove", "question": last.pk}).status_code == 302
    kinds = list(survey.questions.order_by("position").values_list("kind", flat=True))
    assert kinds == ["single", "multiple", "scale", "text"]
    scale = survey.questions.get(kind="scale")
    assert (scale.scale_min, scale.scale_max, scale.scale_max_label) == (1, 5, "Very")
    assert [c.label for c in survey.questions.get(kind="multiple").choices.all()] == [
        "North park",
        "River park",
        "Hill park",
    ]
    assert manager.post(page, {"action": "open"}).status_code == 302
    survey.refresh_from_db()
    assert survey.status == "open"

    # once open, the questions are fixed
    late = manager.post(
        page, {"action": "question", "kind": "text", "text": "Late?", "required": "no"}
    )
    assert late.status_code == 400 and "can no longer change" in main_of(late)
    assert survey.questions.count() == 4
    assert [a for a in actions() if a.startswith("participation:survey")] == [
        "participation:survey:created",
        *["participation:survey:question_added"] * 5,
        "participation:survey:question_removed",
        "participation:survey:open",
    ]


def test_a_survey_question_with_mistakes_is_refused_with_what_was_typed(manager, policy):
    survey = surveys.start_survey(actor=policy, slug="s", title="S")
    page = reverse("participation:staff-survey", args=["s"])
    one_choice = manager.post(
        page,
        {"action": "question", "kind": "single", "text": "Pick one", "choices": "Only one"},
    )
    html = main_of(one_choice)
    assert one_choice.status_code == 400
    assert "Give at least two choices" in html and "Select yes if people must answer it" in html
    assert 'value="Pick one"' in html and "Only one</textarea>" in html
    bad_scale = manager.post(
        page,
        {
            "action": "question",
            "kind": "scale",
            "text": "Rate",
            "required": "yes",
            "scale_min": "5",
            "scale_max": "1",
        },
    )
    assert bad_scale.status_code == 400 and "must be above the lowest" in main_of(bad_scale)
    assert not survey.questions.exists()


def test_every_checkbox_of_a_multiple_choice_question_has_its_label(
    client, policy, make_resident, sign_in
):
    """The first checkbox used to render with id="" and label for="" (no accessible name)."""
    survey = surveys.create_survey(
        actor=policy,
        slug="labels",
        title="Labels",
        questions=[{"kind": "multiple", "text": "Which?", "choices": ["One", "Two", "Three"]}],
    )
    surveys.change_status(actor=policy, survey=survey, target="open")
    sign_in(client, make_resident())
    url = reverse("participation:survey", args=["labels"])
    labels_of_every_input(main_of(client.get(url)))
    refused = client.post(url, {})
    html = main_of(refused)
    assert refused.status_code == 400
    labels_of_every_input(html)
    first_id = re.search(r'<input[^>]*type="checkbox"[^>]*id="([^"]+)"', html)
    first_id = first_id or re.search(r'id="([^"]+)"[^>]*type="checkbox"', html)
    assert f'href="#{first_id.group(1)}"' in html, "the error summary links to the first box"


# --- participatory budgets ---------------------------------------------------------------------
def budget_form(**changes) -> dict:
    data = {
        "idempotency_key": "pb-key",
        "title": "Green budget 2027",
        "description": "Small green projects.",
        "voting_opens_on": "2027-04-01",
        "voting_closes_on": "2027-04-30",
        "minimum_age": "16",
        "age_on": "30/04/2027",
        "ballot_format": "approval",
        "min_projects": "1",
        "max_projects": "3",
        "points": "",
        "rule": "mes",
        "utility": "cost",
        "completion": "add1",
        "options": ["comparison"],
        "amount_capital": "1000",
        "amount_north": "500",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_staff_set_up_a_budget_add_projects_open_close_and_publish_the_count(
    manager, policy, make_resident
):
    new = reverse("participation:staff-budget-new")
    assert_csp_friendly(manager.get(new))
    first = manager.post(new, budget_form())
    again = manager.post(new, budget_form())
    assert first.status_code == again.status_code == 302 and first.url == again.url
    budget = Budget.objects.get()
    assert (budget.rule, budget.utility, budget.completion) == ("mes", "cost", "add1")
    assert budget.comparison and not budget.exhaustive_stop
    assert (budget.minimum_age, budget.max_projects) == (16, 3)
    assert budget.voting_closes_on == budget.age_on == date(2027, 4, 30)
    assert {d.region.code: int(d.amount) for d in budget.districts.all()} == {
        "capital": 1000,
        "north": 500,
    }
    created = AuditEvent.objects.get(action="participation:budget:created")
    assert created.after["rule"] == "mes" and created.after["comparison"] is True

    # settings change while it is a draft; a district can be dropped while it has no project
    edit = reverse("participation:staff-budget-edit", args=[budget.slug])
    assert manager.post(edit, budget_form(amount_north="", minimum_age="18")).status_code == 302
    budget.refresh_from_db()
    assert budget.minimum_age == 18 and budget.districts.count() == 1
    assert AuditEvent.objects.get(action="participation:budget:updated").after["minimum_age"] == 18

    add = reverse("participation:staff-project-new", args=[budget.slug, "capital"])
    for n, (code, title, cost) in enumerate(
        [("1", "Trees", "400"), ("2", "Benches", "300"), ("3", "Pond", "900")]
    ):
        response = manager.post(
            add, {"idempotency_key": f"p{n}", "code": code, "title": title, "cost": cost}
        )
        assert response.status_code == 302
    duplicate = manager.post(
        add, {"idempotency_key": "p9", "code": "1", "title": "Again", "cost": "5"}
    )
    assert duplicate.status_code == 400 and "already a project 1" in main_of(duplicate)
    pond = reverse("participation:staff-project", args=[budget.slug, "capital", "3"])
    assert manager.post(pond, {"title": "Small pond", "cost": "600"}).status_code == 302
    benches = reverse("participation:staff-project", args=[budget.slug, "capital", "2"])
    assert manager.post(benches, {"remove": "1"}).status_code == 302
    projects = {p.code: (p.title, int(p.cost)) for p in Project.objects.all()}
    assert projects == {"1": ("Trees", 400), "3": ("Small pond", 600)}

    manage = reverse("participation:staff-budget", args=[budget.slug])
    assert manager.post(manage, {"action": "open"}).status_code == 302
    budget.refresh_from_db()
    assert budget.status == "open"

    # voting is open: nothing about the budget or its projects can change
    late = manager.post(add, {"idempotency_key": "p10", "code": "4", "title": "Late", "cost": "10"})
    assert late.status_code == 400 and "Voting has opened" in main_of(late)
    changed = manager.post(pond, {"title": "Big pond", "cost": "900"})
    assert changed.status_code == 400
    removed = manager.post(pond, {"remove": "1"})
    assert removed.status_code == 400
    settings = manager.post(edit, budget_form(minimum_age="30"))
    assert settings.status_code == 400 and "can no longer change" in main_of(settings)
    budget.refresh_from_db()
    assert budget.minimum_age == 18 and Project.objects.count() == 2
    assert Project.objects.get(code="3").title == "Small pond"
    with pytest.raises(budget_services.BudgetError):
        budget_services.update_project(
            actor=policy, project=Project.objects.get(code="3"), title="X", cost=1
        )

    for _ in range(3):
        budget_services.cast_ballot(voter=make_resident("capital"), budget=budget, choices=["1"])
    assert manager.post(manage, {"action": "close"}).status_code == 302
    assert manager.post(manage, {"action": "tally"}).status_code == 302
    budget.refresh_from_db()
    result = budget.districts.get().result
    assert budget.status == "tallied" and result.selected == ["1"]
    assert result.rule_spec["rule"] == "mes" and result.rule_spec["comparison"] is True
    assert (
        manager.get(reverse("participation:budget-results", args=[budget.slug])).status_code == 200
    )
    assert {"participation:project:updated", "participation:project:removed"} <= set(actions())


def test_a_budget_form_with_mistakes_is_refused_and_keeps_what_was_typed(manager):
    new = reverse("participation:staff-budget-new")
    response = manager.post(
        new,
        budget_form(
            ballot_format="cumulative",
            points="",
            amount_capital="",
            amount_north="",
            min_projects="4",
            max_projects="2",
            voting_closes_on="2027-03-01",
        ),
    )
    html = main_of(response)
    assert response.status_code == 400
    for message in (
        "Enter how many points",
        "at least one district",
        "must not be below the fewest",
        "on or after the opening day",
    ):
        assert message in html, message
    assert 'value="Green budget 2027"' in html and 'value="2027-04-01"' in html
    assert re.search(r'value="comparison" checked', html), "ticked options stay ticked"
    labels_of_every_input(html)

    # a combination the counting core refuses is explained on the form too
    greedy_add1 = manager.post(new, budget_form(rule="greedy", completion="add1"))
    assert greedy_add1.status_code == 400
    assert "The counting rule is not valid" in main_of(greedy_add1)
    assert not Budget.objects.exists()


def test_a_district_with_projects_cannot_be_dropped(manager, policy):
    manager.post(reverse("participation:staff-budget-new"), budget_form())
    budget = Budget.objects.get()
    budget_services.add_project(
        actor=policy,
        district=budget.districts.get(region__code="north"),
        code="N",
        title="N",
        cost=5,
    )
    edit = reverse("participation:staff-budget-edit", args=[budget.slug])
    response = manager.post(edit, budget_form(amount_north=""))
    assert response.status_code == 400 and "still has projects" in main_of(response)
    assert budget.districts.count() == 2


# --- opinion-map conversations -----------------------------------------------------------------
def test_staff_start_an_opinion_map_with_seed_statements_and_run_it(manager):
    new = reverse("participation:staff-conversation-new")
    made = manager.post(
        new,
        {
            "idempotency_key": "c1",
            "topic": "Cycling in the city",
            "participants_may_add": "no",
            "statements": "More cycle lanes.\n\nLower speed limits.\nMore cycle lanes.",
        },
    )
    conversation = Conversation.objects.get()
    assert made.status_code == 302 and not conversation.participants_may_add
    assert sorted(conversation.statements.values_list("text", flat=True)) == [
        "Lower speed limits.",
        "More cycle lanes.",
    ]
    page = reverse("participation:staff-conversation", args=[conversation.slug])
    duplicate = manager.post(page, {"action": "seed", "statements": "more cycle lanes."})
    assert duplicate.status_code == 400 and "already in the conversation" in main_of(duplicate)
    assert "more cycle lanes.</textarea>" in main_of(duplicate)
    edit = reverse("participation:staff-conversation-edit", args=[conversation.slug])
    assert (
        manager.post(edit, {"topic": "Cycling", "participants_may_add": "yes"}).status_code == 302
    )
    assert manager.post(page, {"action": "open"}).status_code == 302
    assert (
        manager.post(page, {"action": "seed", "statements": "Safer junctions."}).status_code == 302
    )
    assert manager.post(edit, {"topic": "Other", "participants_may_add": "yes"}).status_code == 400
    assert manager.post(page, {"action": "closed"}).status_code == 302
    late = manager.post(page, {"action": "seed", "statements": "Too late."})
    assert late.status_code == 400 and conversation.statements.count() == 3
    conversation.refresh_from_db()
    assert conversation.topic == "Cycling" and conversation.status == "closed"
    assert {
        "participation:conversation:created",
        "participation:conversation:updated",
        "participation:conversation:seeded",
        "participation:conversation:open",
        "participation:conversation:closed",
    } <= set(actions())


def test_a_conversation_without_statements_is_refused(manager):
    response = manager.post(
        reverse("participation:staff-conversation-new"),
        {"topic": "Empty", "participants_may_add": "yes", "statements": "   "},
    )
    assert response.status_code == 400 and "Write at least one statement" in main_of(response)
    assert 'value="Empty"' in main_of(response)
    assert not Conversation.objects.exists()


# --- who may do it -----------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["caseworker", "citizen", "anonymous"])
def test_only_participation_managers_reach_the_set_up_pages(
    who, client, policy, caseworker, citizen, sign_in
):
    consultation_services.create_consultation(actor=policy, slug="c", title="C", summary="C.")
    budget = budget_services.create_budget(
        actor=policy,
        slug="b",
        title="B",
        districts=[(Region.objects.get(code="capital"), 100)],
    )
    budget_services.add_project(
        actor=policy, district=budget.districts.get(), code="1", title="P", cost=10
    )
    surveys.start_survey(actor=policy, slug="s", title="S")
    conversations.create_conversation(actor=policy, slug="t", topic="T", seed_statements=["A."])
    if who != "anonymous":
        sign_in(client, caseworker if who == "caseworker" else citizen)
    before = AuditEvent.objects.count()
    urls = [
        reverse("participation:staff-consultation-edit", args=["c"]),
        reverse("participation:staff-survey-new"),
        reverse("participation:staff-survey", args=["s"]),
        reverse("participation:staff-survey-edit", args=["s"]),
        reverse("participation:staff-budget-new"),
        reverse("participation:staff-budget-edit", args=["b"]),
        reverse("participation:staff-project-new", args=["b", "capital"]),
        reverse("participation:staff-project", args=["b", "capital", "1"]),
        reverse("participation:staff-conversation-new"),
        reverse("participation:staff-conversation", args=["t"]),
        reverse("participation:staff-conversation-edit", args=["t"]),
    ]
    missing = client.get(reverse("participation:staff-survey", args=["no-such-survey"]))
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"title": "X", "action": "open", "remove": "1"}).status_code == 404
    assert missing.status_code == 404
    assert AuditEvent.objects.count() == before
    assert Project.objects.filter(code="1").exists()


def test_removing_a_question_closes_the_gap_and_repeated_choices_are_refused(policy):
    survey = surveys.start_survey(actor=policy, slug="gap", title="Gap")
    for text in ("First?", "Second?", "Third?"):
        surveys.add_question(actor=policy, survey=survey, spec={"kind": "text", "text": text})
    middle = survey.questions.get(text="Second?")
    surveys.remove_question(actor=policy, survey=survey, question_id=middle.pk)
    assert list(survey.questions.values_list("position", "text")) == [
        (1, "First?"),
        (2, "Third?"),
    ]
    with pytest.raises(surveys.SurveyError, match="each choice must be different"):
        surveys.add_question(
            actor=policy,
            survey=survey,
            spec={"kind": "single", "text": "Pick", "choices": ["Yes", "Yes"]},
        )
    with pytest.raises(surveys.SurveyError, match="already a survey"):
        surveys.start_survey(actor=policy, slug="gap", title="Gap again")
    assert survey.questions.count() == 2


def test_a_budget_cannot_be_changed_by_any_service_once_voting_opens(policy):
    capital = Region.objects.get(code="capital")
    budget = budget_services.create_budget(
        actor=policy, slug="fixed", title="Fixed", districts=[(capital, 100)]
    )
    project = budget_services.add_project(
        actor=policy, district=budget.districts.get(), code="1", title="P", cost=10
    )
    budget = budget_services.open_voting(actor=policy, budget=budget)
    before = AuditEvent.objects.count()
    refusals = [
        lambda: budget_services.update_budget(
            actor=policy, budget=budget, districts=[(capital, 200)], minimum_age=30
        ),
        lambda: budget_services.update_project(actor=policy, project=project, title="Q", cost=1),
        lambda: budget_services.remove_project(actor=policy, project=project),
        lambda: budget_services.add_project(
            actor=policy, district=budget.districts.get(), code="2", title="R", cost=1
        ),
    ]
    for refused in refusals:
        with pytest.raises(budget_services.BudgetError):
            refused()
    budget.refresh_from_db()
    assert budget.minimum_age != 30 and budget.districts.get().amount == 100
    assert list(Project.objects.values_list("code", "title")) == [("1", "P")]
    assert AuditEvent.objects.count() == before
