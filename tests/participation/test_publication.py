"""What e-participation hands to the open data catalogue: result tables of aggregates only, and
only for things that are over (a closed survey, a counted budget, a closed conversation)."""

from __future__ import annotations

import pytest

from civitas.accounts import services as accounts
from civitas.participation import publication
from civitas.participation.services import budgets, conversations, surveys, tallies
from tests.participation.test_budgets import make_budget

pytestmark = pytest.mark.django_db


def _everything_over(policy, make_resident):
    survey = surveys.create_survey(
        actor=policy,
        slug="s",
        title="Survey",
        questions=[
            {"kind": "single", "text": "Yes or no?", "choices": ["Yes", "No"]},
            {"kind": "text", "text": "Why?", "required": False},
        ],
    )
    surveys.change_status(actor=policy, survey=survey, target="open")
    budget = make_budget(policy, slug="pb", max_projects=2)
    conversation = conversations.create_conversation(
        actor=policy, slug="c", topic="Topic", seed_statements=["One idea.", "Another idea."]
    )
    conversations.change_status(actor=policy, conversation=conversation, target="open")
    voters = [make_resident("capital") for _ in range(3)]
    questions = list(survey.questions.order_by("position"))
    yes = questions[0].choices.get(label="Yes")
    for i, voter in enumerate(voters):
        surveys.submit_response(
            respondent=voter,
            survey=survey,
            answers={questions[0].pk: str(yes.pk), questions[1].pk: f"secret reason {i}"},
        )
        budgets.cast_ballot(voter=voter, budget=budget, choices=["A"])
        for statement in conversation.statements.all():
            conversations.vote(participant=voter, statement=statement, value=1)
    return survey, budget, conversation, voters


def test_nothing_is_published_while_it_is_still_running(policy, make_resident):
    _everything_over(policy, make_resident)
    kinds = {t.kind for t in publication.result_tables()}
    assert kinds.isdisjoint({"survey", "budget", "opinion_map"})


def test_result_tables_hold_aggregates_and_no_person_level_data(policy, make_resident):
    survey, budget, conversation, voters = _everything_over(policy, make_resident)
    surveys.change_status(actor=policy, survey=survey, target="closed")
    budgets.close_voting(actor=policy, budget=budget)
    tallies.tally(actor=policy, budget=budget)
    conversations.change_status(actor=policy, conversation=conversation, target="closed")

    tables = {t.key: t for t in publication.result_tables()}
    assert {
        "participation/survey/s/results",
        "participation/budget/pb/results",
        "participation/budget/pb/districts",
        "participation/conversation/c/statements",
    } <= set(tables)
    survey_rows = tables["participation/survey/s/results"].as_dicts()
    assert {"answer": "Yes", "respondents": 3}.items() <= survey_rows[0].items()
    assert survey_rows[-1]["question_kind"] == "text" and survey_rows[-1]["respondents"] == 3

    results = tables["participation/budget/pb/results"].as_dicts()
    library = next(r for r in results if r["project_id"] == "A")
    assert library["votes"] == 3 and library["selected"] is True
    districts = {r["district"]: r for r in tables["participation/budget/pb/districts"].as_dicts()}
    assert districts["capital"]["ballots"] == 3

    statements = tables["participation/conversation/c/statements"].as_dicts()
    assert {r["agree"] for r in statements} == {3}

    everything = repr([(t.columns, t.rows) for t in tables.values()])
    forbidden = [v.email for v in voters] + [v.full_name for v in voters] + ["secret reason"]
    assert not any(word in everything for word in forbidden)
    for table in tables.values():
        names = {c.name for c in table.columns}
        assert not names & {"email", "person", "user", "voter", "respondent_id", "national_id"}
        assert all(len(row) == len(table.columns) for row in table.rows)


def test_a_conversation_with_a_map_publishes_each_groups_agreement(policy):
    conversation = conversations.create_conversation(
        actor=policy, slug="m", topic="Map", seed_statements=["A.", "B.", "C.", "D."]
    )
    conversations.change_status(actor=policy, conversation=conversation, target="open")
    statements = list(conversation.statements.order_by("pk"))
    for i in range(8):
        person = accounts.create_citizen(email=f"m{i}@example.org", password="long-password-12")
        side = 1 if i < 4 else -1
        for statement, vote in zip(statements, [side, side, -side, 1], strict=True):
            conversations.vote(participant=person, statement=statement, value=vote)
    conversations.change_status(actor=policy, conversation=conversation, target="closed")
    tables = {t.key: t for t in publication.result_tables()}
    groups = tables["participation/conversation/m/groups"].as_dicts()
    assert sum(g["participants"] for g in groups) == 8
    rows = tables["participation/conversation/m/statements"].as_dicts()
    d = next(r for r in rows if r["statement"] == "D.")
    assert d["consensus"] is True
    assert all(d[f"group_{g['group']}_agree_percent"] == 100.0 for g in groups)
