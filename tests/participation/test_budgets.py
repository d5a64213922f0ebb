"""Participatory budgets: who may vote (registry residents of the district, old enough), one
person one ballot with re-voting, ballots refused with the reason before storing, and ballot
secrecy — the ballot cannot be linked to the voter."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection, models
from django.test import override_settings
from django.urls import reverse

from civitas.audit.models import AuditEvent
from civitas.participation.ballots import BallotRefused
from civitas.participation.models import Ballot, VoteMarker
from civitas.participation.secrecy import ballot_slot
from civitas.participation.services import budgets as services
from civitas.registry.models import Person, Region
from tests.participation.helpers import assert_csp_friendly, main_of

pytestmark = pytest.mark.django_db


def make_budget(policy, *, slug="pb", ballot_format="approval", **settings):
    regions = {r.code: r for r in Region.objects.all()}
    budget = services.create_budget(
        actor=policy,
        slug=slug,
        title="City budget",
        districts=[(regions["capital"], 1000), (regions["north"], 500)],
        ballot_format=ballot_format,
        **settings,
    )
    capital = budget.districts.get(region__code="capital")
    north = budget.districts.get(region__code="north")
    for code, title, cost in [("A", "Library", 400), ("B", "Park", 300), ("C", "Pool", 500)]:
        services.add_project(actor=policy, district=capital, code=code, title=title, cost=cost)
    for code, title, cost in [("N1", "Bridge", 200), ("N2", "School roof", 400)]:
        services.add_project(actor=policy, district=north, code=code, title=title, cost=cost)
    return services.open_voting(actor=policy, budget=budget)


@pytest.fixture
def budget(policy):
    return make_budget(policy, max_projects=2)


def test_a_resident_votes_for_projects_of_their_own_district_on_the_web(
    client, budget, make_resident, sign_in
):
    voter = make_resident("north")
    sign_in(client, voter)
    page = client.get(reverse("participation:vote", args=["pb"]))
    assert_csp_friendly(page)
    html = main_of(page)
    assert "Bridge" in html and "School roof" in html
    assert "Library" not in html, "only the projects of the voter's district"
    response = client.post(reverse("participation:vote", args=["pb"]), {"projects": ["N1"]})
    assert response.status_code == 302
    assert Ballot.objects.get().choices == ["N1"]
    overview = main_of(client.get(reverse("participation:budget", args=["pb"])))
    assert "You have voted" in overview and "Change my vote" in overview


def test_voting_again_replaces_the_ballot_and_only_the_last_counts(budget, make_resident):
    voter = make_resident("capital")
    services.cast_ballot(voter=voter, budget=budget, choices=["A", "B"])
    services.cast_ballot(voter=voter, budget=budget, choices=["C"])
    assert Ballot.objects.count() == 1 and VoteMarker.objects.count() == 1
    assert Ballot.objects.get().choices == ["C"]
    other = make_resident("capital")
    services.cast_ballot(voter=other, budget=budget, choices=["B", "A"])
    assert sorted(map(tuple, Ballot.objects.values_list("choices", flat=True))) == [
        ("A", "B"),
        ("C",),
    ]


@pytest.mark.parametrize(
    ("born", "region", "reason"),
    [
        (date(2015, 1, 1), "capital", "at least 16 years old"),
        (date(1980, 1, 1), "south", "no projects for Southern Coast"),
    ],
)
def test_nobody_votes_where_they_are_not_eligible(budget, make_resident, born, region, reason):
    voter = make_resident(region, born=born)
    with pytest.raises(services.NotEligible, match=reason):
        services.cast_ballot(voter=voter, budget=budget, choices=["A"])
    assert not Ballot.objects.exists() and not VoteMarker.objects.exists()


def test_accounts_not_linked_to_the_registry_and_staff_cannot_vote(
    client, budget, other_citizen, caseworker, sign_in
):
    with pytest.raises(services.NotEligible, match="not linked to the population register"):
        services.cast_ballot(voter=other_citizen, budget=budget, choices=["A"])
    with pytest.raises(services.NotEligible, match="Staff accounts"):
        services.cast_ballot(voter=caseworker, budget=budget, choices=["A"])
    sign_in(client, other_citizen)
    page = main_of(client.get(reverse("participation:vote", args=["pb"])))
    assert "You cannot vote in this budget" in page
    assert client.post(reverse("participation:vote", args=["pb"]), {"projects": ["A"]})
    assert not Ballot.objects.exists()


def test_an_approval_ballot_outside_the_limits_is_refused_with_the_reason(
    client, budget, make_resident, sign_in
):
    voter = make_resident("capital")
    with pytest.raises(BallotRefused, match="choose at most 2 projects"):
        services.cast_ballot(voter=voter, budget=budget, choices=["A", "B", "C"])
    with pytest.raises(BallotRefused, match="at least 1 project"):
        services.cast_ballot(voter=voter, budget=budget, choices=[])
    with pytest.raises(BallotRefused, match="not on this district's list"):
        services.cast_ballot(voter=voter, budget=budget, choices=["N1"])
    sign_in(client, voter)
    refused = client.post(reverse("participation:vote", args=["pb"]), {"projects": ["A", "B", "C"]})
    html = refused.content.decode()
    assert refused.status_code == 400 and "choose at most 2 projects" in html
    assert html.count("checked") == 3, "the voter's choices are kept on the page"
    assert not Ballot.objects.exists() and not VoteMarker.objects.exists()


def test_a_knapsack_ballot_over_the_budget_is_refused_with_the_amount(policy, make_resident):
    budget = make_budget(policy, slug="knap", ballot_format="knapsack")
    voter = make_resident("capital")
    with pytest.raises(BallotRefused, match="cost 1,200 CVT together, which is 200 over"):
        services.cast_ballot(voter=voter, budget=budget, choices=["A", "B", "C"])
    services.cast_ballot(voter=voter, budget=budget, choices=["A", "C"])
    assert Ballot.objects.get().choices == ["A", "C"]


def test_a_cumulative_ballot_with_too_many_points_is_refused(
    client, policy, make_resident, sign_in
):
    budget = make_budget(policy, slug="cumul", ballot_format="cumulative", points=10)
    voter = make_resident("capital")
    with pytest.raises(BallotRefused, match="You gave 12 points: you have 10"):
        services.cast_ballot(voter=voter, budget=budget, choices={"A": 7, "B": 5})
    with pytest.raises(BallotRefused, match="whole numbers"):
        services.cast_ballot(voter=voter, budget=budget, choices={"A": "lots"})
    sign_in(client, voter)
    client.post(reverse("participation:vote", args=["cumul"]), {"points-A": "6", "points-C": "4"})
    assert Ballot.objects.get().choices == {"A": 6, "C": 4}


def test_voting_is_refused_once_the_vote_is_closed(budget, policy, make_resident):
    voter = make_resident("capital")
    services.close_voting(actor=policy, budget=budget)
    with pytest.raises(services.NotEligible, match="not open"):
        services.cast_ballot(voter=voter, budget=budget, choices=["A"])


# --- ballot secrecy -------------------------------------------------------------------------------
def test_a_ballot_carries_nothing_that_links_it_to_its_voter(budget, make_resident):
    fields = {f.name: f for f in Ballot._meta.get_fields()}
    linked = {
        f.related_model._meta.label
        for f in fields.values()
        if f.is_relation and f.related_model is not None
    }
    assert linked == {"participation.Budget", "participation.District"}, "no person, no account"
    assert not any(
        isinstance(f, models.DateTimeField | models.DateField | models.AutoField)
        for f in fields.values()
    ), "no timestamps and no sequential ids"
    assert isinstance(fields["id"], models.UUIDField)

    voters = [make_resident("capital") for _ in range(3)]
    for voter, choice in zip(voters, ["A", "B", "C"], strict=True):
        services.cast_ballot(voter=voter, budget=budget, choices=[choice])
    markers = list(VoteMarker.objects.values("id", "person_id"))
    ballots = list(Ballot.objects.values("id", "slot", "choices"))
    assert not {b["id"] for b in ballots} & {m["id"] for m in markers}
    person_ids = [Person.objects.get(account=v).pk for v in voters]
    slots = {b["slot"] for b in ballots}
    assert slots == {ballot_slot(budget_id=budget.pk, person_id=p) for p in person_ids}
    with override_settings(PARTICIPATION_BALLOT_KEY="a key other than the server's"):
        guessed = {ballot_slot(budget_id=budget.pk, person_id=p) for p in person_ids}
    assert not slots & guessed, "without the ballot key a slot links to nobody"
    events = AuditEvent.objects.filter(action="participation:ballot:cast")
    assert events.count() == 3
    for event in events:
        text = f"{event.before} {event.after} {event.context} {event.subject_id}"
        assert not any(b in text for b in ("'A'", "'B'", "'C'", "choices"))
        assert not any(str(b["id"]) in text for b in ballots)


def test_closing_erases_the_slots_and_shuffles_the_ballots(budget, policy, make_resident):
    for choice in ["A", "B", "C", "A"]:
        services.cast_ballot(voter=make_resident("capital"), budget=budget, choices=[choice])
    before = set(Ballot.objects.values_list("id", flat=True))
    contents = sorted(tuple(c) for c in Ballot.objects.values_list("choices", flat=True))
    services.close_voting(actor=policy, budget=budget)
    after = list(Ballot.objects.values_list("id", "slot", "choices"))
    assert all(slot is None for _, slot, _ in after), "no key can link a ballot any more"
    assert before.isdisjoint({i for i, _, _ in after}), "new random keys"
    assert sorted(tuple(c) for _, _, c in after) == contents, "the votes themselves unchanged"
    assert VoteMarker.objects.count() == 4


def test_on_sqlite_the_ballot_table_keeps_no_insertion_order(db):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite keeps a hidden rowid unless the table is WITHOUT ROWID")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type='table' AND name='participation_ballot'"
        )
        (sql,) = cursor.fetchone()
    assert sql.rstrip().upper().endswith("WITHOUT ROWID")


def test_the_budget_page_explains_who_can_vote_and_how_secrecy_works(client, budget):
    page = client.get(reverse("participation:budget", args=["pb"]))
    assert_csp_friendly(page)
    html = main_of(page)
    assert "aged 16 or over" in html and "How your vote stays secret" in html
    assert "Library" in html and "Bridge" in html
