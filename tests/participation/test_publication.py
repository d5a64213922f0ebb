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


def test_consultations_are_published_once_public_with_their_impact(policy, citizen):
    """A draft consultation is not published; a public one is, with its participation counts,
    and a simulated impact adds two tables (by income decile and by region)."""
    from civitas.participation.services import comments, consultations
    from tests.participation.test_consultations import _draft_child_benefit

    hidden = consultations.create_consultation(
        actor=policy, slug="not-yet", title="Not yet", summary="Draft."
    )
    assert "consultation" not in {t.kind for t in publication.result_tables()}

    draft_rules = _draft_child_benefit(60)
    public = consultations.create_consultation(
        actor=policy, slug="cb", title="Child benefit", summary="More.", program_version=draft_rules
    )
    consultations.save_document(
        actor=policy, consultation=public, slug="d", title="D", body_html="<p>Text.</p>"
    )
    for phase in ("information", "consultation"):
        public = consultations.advance_phase(actor=policy, consultation=public, target=phase)
    comments.post_comment(
        author=citizen, consultation=public, body="A view on the draft.", idempotency_key="k"
    )
    consultations.run_impact(actor=policy, consultation=public)

    tables = {t.key: t for t in publication.result_tables()}
    rows = {r["consultation"]: r for r in tables["participation/consultations"].as_dicts()}
    assert set(rows) == {"cb"} and hidden.slug not in rows
    assert rows["cb"]["phase"] == "consultation"
    assert rows["cb"]["comments_published"] + rows["cb"]["comments_hidden"] <= 1
    by_decile = tables["participation/consultation/cb/impact-by-decile"]
    by_region = tables["participation/consultation/cb/impact-by-region"]
    assert by_decile.kind == by_region.kind == "consultation"
    assert by_decile.rows and by_region.rows
    assert "A view on the draft" not in repr([t.rows for t in tables.values()])


def test_all_four_kinds_are_published_and_publishing_again_changes_nothing(policy, make_resident):
    """Once everything is over, the tables cover consultations, surveys, budgets and opinion
    maps; calling again gives the same keys, rows and dates (an idempotent publication run)."""
    from civitas.participation.services import consultations

    survey, budget, conversation, _ = _everything_over(policy, make_resident)
    consultation = consultations.create_consultation(
        actor=policy, slug="parks", title="Parks", summary="Parks."
    )
    consultations.save_document(
        actor=policy, consultation=consultation, slug="d", title="D", body_html="<p>Text.</p>"
    )
    consultations.advance_phase(actor=policy, consultation=consultation, target="information")
    surveys.change_status(actor=policy, survey=survey, target="closed")
    budgets.close_voting(actor=policy, budget=budget)
    tallies.tally(actor=policy, budget=budget)
    conversations.change_status(actor=policy, conversation=conversation, target="closed")

    first = publication.result_tables()
    assert {t.kind for t in first} == {"consultation", "survey", "budget", "opinion_map"}
    again = publication.result_tables()

    def snapshot(tables):
        return [(t.key, t.updated_at, t.columns, t.rows) for t in tables]

    assert snapshot(first) == snapshot(again)
    survey.refresh_from_db()
    survey_table = next(t for t in first if t.kind == "survey")
    assert survey_table.updated_at == survey.closed_at is not None
    assert len({t.key for t in first}) == len(first), "keys are unique"
