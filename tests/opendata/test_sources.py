"""Tables from registered sources reach the catalogue: e-participation's results (registered by
operations at start-up) are published by ``civitas opendata publish-statistics`` as datasets with
datastore resources and downloads, found by package_search, with small counts of people hidden."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command

from tests.participation.conftest import make_resident, policy  # noqa: F401 - fixtures
from tests.participation.test_publication import _everything_over


@pytest.fixture
def results_over(policy, make_resident):  # noqa: F811 - the imported fixtures
    from civitas.participation.services import budgets, conversations, surveys, tallies

    survey, budget, conversation, _voters = _everything_over(policy, make_resident)
    surveys.change_status(actor=policy, survey=survey, target="closed")
    budgets.close_voting(actor=policy, budget=budget)
    tallies.tally(actor=policy, budget=budget)
    conversations.change_status(actor=policy, conversation=conversation, target="closed")
    return survey, budget, conversation


def _publish(capture) -> str:
    out = io.StringIO()
    with capture(execute=True):
        call_command("opendata", "publish-statistics", stdout=out)
    return out.getvalue()


def _records(client, resource_id: str) -> list[dict]:
    answer = client.get(
        "/api/3/action/datastore_search", {"resource_id": resource_id, "limit": 100}
    ).json()
    assert answer["success"], answer
    return answer["result"]["records"]


def test_the_participation_source_is_registered_from_the_top_layer():
    from civitas.opendata import publication

    [source] = [s for s in publication.sources() if s.name == "participation"]
    assert source.publisher == "public-participation"
    assert {"survey", "opinion_map"} <= set(source.protect)
    assert "budget" not in source.protect  # a vote's results are published in full


def test_budget_and_survey_results_become_datasets_found_by_search(
    results_over, client, opendata_folders, django_capture_on_commit_callbacks
):
    from civitas.opendata.models import Dataset

    message = _publish(django_capture_on_commit_callbacks)
    assert "participation: 3 dataset(s) published" in message

    budget = Dataset.objects.get(name="participation-budget-pb")
    assert budget.organization.name == "public-participation"
    assert budget.state == "active" and not budget.private
    resources = {r.name: r for r in budget.resources.filter(state="active")}
    assert set(resources) == {"results", "districts"}

    # the budget's results, in full, through the datastore API
    results = _records(client, str(resources["results"].id))
    library = next(r for r in results if r["project_id"] == "A")
    assert library["votes"] == 3 and library["selected"] is True
    districts = _records(client, str(resources["districts"].id))
    assert next(r for r in districts if r["district"] == "capital")["ballots"] == 3

    # CSV and Parquet downloads on the public side once the dataset is public
    resource = resources["results"]
    resource.refresh_from_db()
    assert resource.storage_target == "public"
    public = opendata_folders["public"]
    with (public / resource.files["csv"]).open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {"project_id", "votes", "selected"} <= set(rows[0])
    assert (public / resource.files["parquet"]).stat().st_size > 0

    # package_search finds them, by words and by publisher
    found = client.get(
        "/api/3/action/package_search",
        {"q": "results", "fq": "organization:public-participation", "rows": 20},
    ).json()["result"]
    names = {d["name"] for d in found["results"]}
    assert {"participation-budget-pb", "participation-survey-s"} <= names
    facets = client.get(
        "/api/3/action/package_search",
        {"fq": "tags:participation", "facet.field": '["organization"]'},
    ).json()["result"]["search_facets"]["organization"]["items"]
    assert {"name": "public-participation", "count": 3} in [
        {"name": i["name"], "count": i["count"]} for i in facets
    ]


def test_small_counts_of_people_are_hidden_with_their_shares(
    results_over, client, django_capture_on_commit_callbacks
):
    from civitas.opendata.models import Dataset

    _publish(django_capture_on_commit_callbacks)
    survey = Dataset.objects.get(name="participation-survey-s")
    [resource] = survey.resources.filter(state="active")
    rows = _records(client, str(resource.id))
    yes = next(r for r in rows if r["answer"] == "Yes")
    no = next(r for r in rows if r["answer"] == "No")
    # 3 said yes (below the threshold of 10): hidden, and the 0 beside it too, so that the
    # count cannot be worked out from the question's total
    assert yes["respondents"] is None and yes["share_percent"] is None
    assert no["respondents"] is None and no["share_percent"] is None
    assert "hidden" in survey.notes and survey.disclosure_control["threshold"] == 10
    shown = client.get("/api/3/action/package_show", {"id": survey.name}).json()["result"]
    assert any(e["key"] == "disclosure_control" for e in shown["extras"])


def test_publishing_again_without_a_change_changes_nothing(
    results_over, django_capture_on_commit_callbacks
):
    from civitas.opendata.models import Dataset, DatastoreTable, PublicationRun

    _publish(django_capture_on_commit_callbacks)
    generations = dict(DatastoreTable.objects.values_list("resource_id", "generation"))
    versions = {d.name: d.versions.count() for d in Dataset.objects.all()}
    message = _publish(django_capture_on_commit_callbacks)
    assert "participation: 0 dataset(s) published, 3 unchanged" in message
    assert dict(DatastoreTable.objects.values_list("resource_id", "generation")) == generations
    assert {d.name: d.versions.count() for d in Dataset.objects.all()} == versions
    runs = PublicationRun.objects.filter(kind="source:participation").order_by("started", "pk")
    assert list(runs.values_list("outcome", flat=True)) == ["published", "unchanged"]


def test_disclosure_rule_keeps_zeros_and_large_counts_and_pairs_a_lone_hidden_cell():
    from datetime import UTC, datetime
    from types import SimpleNamespace as T

    from civitas.opendata.disclosure.protect import ROUNDING, SUPPRESSION, Method
    from civitas.opendata.publication import Protect, protect

    columns = [
        T(name="question", type="integer", description=""),
        T(name="answer", type="string", description=""),
        T(name="respondents", type="integer", description=""),
        T(name="share", type="number", description=""),
    ]
    table = T(
        key="x/survey/s/results",
        title="t",
        description="d",
        kind="survey",
        source_url="/",
        updated_at=datetime(2026, 1, 1, tzinfo=UTC),
        columns=columns,
        rows=[(1, "a", 40, 50.0), (1, "b", 3, 3.75), (1, "c", 37, 46.25), (2, "a", 0, 0.0)],
    )
    rule = Protect(counts=("respondents",), derived=("share",), within=("question",))
    result = protect(table, rule, Method(name=SUPPRESSION, threshold=10))
    assert result.rows == [
        (1, "a", 40, 50.0),
        (1, "b", None, None),
        (1, "c", None, None),
        (2, "a", 0, 0.0),
    ]
    assert result.hidden == 2
    rounded = protect(table, rule, Method(name=ROUNDING, threshold=10, base=5))
    assert [c["name"] for c in rounded.columns] == ["question", "answer", "respondents"]
    assert rounded.rows == [(1, "a", 40), (1, "b", None), (1, "c", 35), (2, "a", 0)]
    assert protect(table, None, Method(name=SUPPRESSION, threshold=10)).rows == table.rows
