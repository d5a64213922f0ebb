"""Counting participatory budgets on the web with the algorithm core: real elections imported from
Pabulib reproduce their official outcome; a budget voted on here is closed, counted, published
with its rule and a step-by-step report, and exported as a `.pb` file anyone can re-count."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from civitas.audit.models import AuditEvent
from civitas.participation.lifecycles import TransitionNotAllowed
from civitas.participation.models import Ballot, Budget, TallyResult
from civitas.participation.pb import parse_pb, read_pb
from civitas.participation.services import budgets
from civitas.participation.services import tallies as services
from civitas.registry.models import Region
from tests.participation.helpers import assert_csp_friendly, main_of
from tests.participation.test_budgets import make_budget

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize(
    "name", ["Poland_Wieliczka_2023_Green_Budget.pb", "Poland_Swiecie_2023.pb"]
)
def test_a_real_election_imported_from_pabulib_reproduces_its_official_outcome(policy, name):
    path = DATA / name
    official = read_pb(path)
    budget = services.import_pb(
        actor=policy,
        text=path.read_text(encoding="utf-8"),
        file_name=name,
        region=Region.objects.get(code="capital"),
    )
    assert budget.status == "closed", "an election already held arrives closed"
    assert Ballot.objects.filter(budget=budget).count() == len(official.ballots)
    assert (budget.rule, budget.completion) == ("mes", "add1")
    budget = services.tally(actor=policy, budget=budget)
    result = TallyResult.objects.get(district__budget=budget)
    assert sorted(result.selected) == sorted(official.official_selection())
    assert result.rule_spec["pabulib_rule"] == official.meta["rule"]
    assert result.rule_spec["tie_breaking"], "the tie rule is published with the result"


def test_importing_the_same_file_twice_makes_one_budget(policy):
    text = (DATA / "Poland_Swiecie_2023.pb").read_text(encoding="utf-8")
    region = Region.objects.get(code="north")
    first = services.import_pb(actor=policy, text=text, file_name="a.pb", region=region)
    second = services.import_pb(actor=policy, text=text, file_name="a.pb", region=region)
    assert first.pk == second.pk and Budget.objects.count() == 1


def test_a_malformed_file_is_refused_with_its_section_and_line(client, policy, sign_in):
    bad = (
        "META\nkey;value\nvote_type;approval\nbudget;1000\n"
        "PROJECTS\nproject_id;cost\n1;abc\nVOTES\nvoter_id;vote\n"
    )
    sign_in(client, policy)
    response = client.post(
        reverse("participation:staff-budget-import"),
        {
            "file": SimpleUploadedFile("bad.pb", bad.encode(), content_type="text/plain"),
            "region": "capital",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "bad.pb" in html and "line 7" in html and "PROJECTS" in html
    assert not Budget.objects.exists()


def test_a_rule_that_makes_no_sense_is_refused_when_the_budget_is_set_up(policy):
    with pytest.raises(budgets.BudgetError, match="Equal Shares only"):
        budgets.create_budget(
            actor=policy,
            slug="odd",
            title="Odd",
            districts=[(Region.objects.get(code="capital"), 100)],
            rule="greedy",
            completion="add1",
        )


def test_vote_close_count_publish_and_verify_on_the_web(
    client, policy, make_resident, sign_in, django_capture_on_commit_callbacks
):
    budget = make_budget(policy, slug="city", max_projects=2, rule="mes", completion="add1")
    for choices in (["A", "B"], ["A"], ["B"], ["C"], ["A", "B"]):
        budgets.cast_ballot(voter=make_resident("capital"), budget=budget, choices=choices)
    budgets.cast_ballot(voter=make_resident("north"), budget=budget, choices=["N2"])
    with pytest.raises(TransitionNotAllowed):
        services.tally(actor=policy, budget=budget)

    sign_in(client, policy)
    staff_page = client.get(reverse("participation:staff-budget", args=["city"]))
    assert_csp_friendly(staff_page)
    client.post(reverse("participation:staff-budget", args=["city"]), {"action": "close"})
    client.post(reverse("participation:staff-budget", args=["city"]), {"action": "tally"})
    budget.refresh_from_db()
    assert budget.status == "tallied"
    client.logout()

    capital = TallyResult.objects.get(district__region__code="capital")
    assert capital.ballots == 5 and set(capital.selected) == {"A", "B"}
    assert capital.scores == {"A": 3.0, "B": 3.0, "C": 1.0}
    north = TallyResult.objects.get(district__region__code="north")
    assert north.selected == ["N2"]

    results = client.get(reverse("participation:budget-results", args=["city"]))
    assert_csp_friendly(results)
    html = main_of(results)
    assert html.count("<svg") == 2 and html.count('<table class="govuk-table') == 2
    assert "Library" in html and "Yes (" in html

    report = client.get(reverse("participation:verification", args=["city", "capital"]))
    assert_csp_friendly(report)
    text = main_of(report)
    assert "Equal Shares, round by round" in text and capital.ballots_digest in text
    assert "Add1 completion" in text

    download = client.get(reverse("participation:budget-pb", args=["city", "capital"]))
    body = download.content.decode()
    assert hashlib.sha256(download.content).hexdigest() == capital.ballots_digest
    election = parse_pb(body)
    assert len(election.ballots) == 5
    assert sorted(b.voter_id for b in election.ballots) == ["1", "2", "3", "4", "5"]
    assert sorted(tuple(sorted(b.projects)) for b in election.ballots) == sorted(
        [("A", "B"), ("A",), ("B",), ("C",), ("A", "B")]
    )
    assert AuditEvent.objects.filter(action="participation:budget:tallied").exists()


def test_ballots_are_never_exported_while_voting_is_open(client, policy, make_resident):
    budget = make_budget(policy, slug="live", max_projects=2)
    budgets.cast_ballot(voter=make_resident("capital"), budget=budget, choices=["A"])
    election = parse_pb(
        client.get(reverse("participation:budget-pb", args=["live", "capital"])).content.decode()
    )
    assert [p.project_id for p in election.projects] == ["A", "B", "C"]
    assert election.ballots == ()


def test_a_greedy_count_shows_its_steps(policy, make_resident, client):
    budget = make_budget(policy, slug="greedy", max_projects=3)
    for choices in (["A", "C"], ["C"], ["B", "C"]):
        budgets.cast_ballot(voter=make_resident("capital"), budget=budget, choices=choices)
    budgets.close_voting(actor=policy, budget=budget)
    services.tally(actor=policy, budget=budget)
    capital = TallyResult.objects.get(district__region__code="capital")
    # C has 3 votes; A and B 1 each, tied: the published tie rule prefers the lower cost (B)
    assert capital.selected == ["C", "B"], "500 + 300 of 1000; A (400) no longer fits"
    page = main_of(client.get(reverse("participation:verification", args=["greedy", "capital"])))
    assert "Greedy, project by project" in page and "does not fit" in page
