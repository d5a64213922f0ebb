"""package_search: Solr-style queries, filters, sorting, paging and facets over the in-memory
index, which follows every change and never shows a private dataset to outsiders."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civitas.opendata.errors import SearchQueryError
from civitas.opendata.search import query as q


@pytest.fixture
def catalogue(make_dataset, publisher):
    from civitas.opendata import services
    from civitas.opendata.selectors import access_for

    make_dataset(
        "flood-risk-areas",
        title="Flood risk areas",
        notes="Areas at risk of flooding from rivers and the sea.",
        tags=["environment", "floods"],
        theme=["ENVI"],
        license_id="cc-by",
        resources=[{"url": "https://example.org/floods.geojson", "format": "GeoJSON"}],
    )
    make_dataset(
        "hospital-waiting-times",
        title="Hospital waiting times",
        notes="Médian waiting times for planned operations, by hospital.",
        tags=["health"],
        theme=["HEAL"],
        license_id="odc-odbl",
        resources=[{"url": "https://example.org/waits.csv", "format": "CSV"}],
    )
    make_dataset("river-levels", title="River levels", tags=["environment"], private=True)
    finance = access_for(publisher["outsider"])
    services.create_dataset(
        access=finance,
        data={
            "name": "budget-2026",
            "title": "Budget 2026",
            "owner_org": "ministry-of-finance",
            "tags": ["finance"],
            "license_id": "cc-by",
            "resources": [{"url": "https://example.org/budget.csv", "format": "CSV"}],
        },
    )


def _names(access, **kwargs) -> list[str]:
    from civitas.opendata import search

    return [d.name for d in search.search(access, **kwargs).datasets]


def test_words_fields_phrases_and_boolean_operators(catalogue):
    from civitas.opendata.selectors import ANONYMOUS as anon

    assert _names(anon, q_text="flooding") == ["flood-risk-areas"]  # plural and -ing forms
    assert _names(anon, q_text="median") == ["hospital-waiting-times"]  # accents folded
    assert _names(anon, q_text="tags:environment") == ["flood-risk-areas"]
    assert _names(anon, q_text='title:"waiting times"') == ["hospital-waiting-times"]
    assert sorted(_names(anon, q_text="res_format:CSV")) == [
        "budget-2026",
        "hospital-waiting-times",
    ]
    assert _names(anon, q_text="res_format:CSV AND NOT organization:ministry-of-health") == [
        "budget-2026"
    ]
    assert _names(anon, q_text="res_format:CSV -tags:finance") == ["hospital-waiting-times"]
    assert sorted(_names(anon, q_text="tags:(health OR finance)")) == [
        "budget-2026",
        "hospital-waiting-times",
    ]
    assert _names(anon, q_text="hosp*") == ["hospital-waiting-times"]
    assert _names(anon, fq=["license_id:odc-odbl"]) == ["hospital-waiting-times"]
    assert len(_names(anon, q_text="metadata_modified:[2020-01-01T00:00:00Z TO NOW]")) == 3
    assert _names(anon, q_text="num_resources:[2 TO *]") == []
    assert _names(anon, q_text="*:*", fq=["theme:ENVI"]) == ["flood-risk-areas"]


def test_sorting_paging_and_facets(catalogue):
    from civitas.opendata import search
    from civitas.opendata.selectors import ANONYMOUS

    ordered = _names(ANONYMOUS, sort="title_string asc")
    assert ordered == ["budget-2026", "flood-risk-areas", "hospital-waiting-times"]
    assert _names(ANONYMOUS, sort="title_string desc", start=1, rows=1) == ["flood-risk-areas"]
    found = search.search(
        ANONYMOUS, facet_fields=["organization", "tags", "res_format", "license_id"], rows=0
    )
    assert found.count == 3 and found.datasets == []
    assert found.facets["organization"] == {"ministry-of-health": 2, "ministry-of-finance": 1}
    assert found.facets["tags"] == {"environment": 1, "finance": 1, "floods": 1, "health": 1}
    assert found.facets["license_id"] == {"cc-by": 2, "odc-odbl": 1}
    limited = search.search(ANONYMOUS, facet_fields=["tags"], facet_limit=1)
    assert len(limited.facets["tags"]) == 1


def test_private_datasets_only_for_their_publisher(catalogue, publisher):
    from civitas.opendata.selectors import ANONYMOUS, access_for

    editor, outsider = access_for(publisher["editor"]), access_for(publisher["outsider"])
    assert _names(ANONYMOUS, q_text="levels", include_private=True) == []
    assert _names(outsider, q_text="levels", include_private=True) == []
    assert _names(editor, q_text="levels") == []  # only when asked for
    assert _names(editor, q_text="levels", include_private=True) == ["river-levels"]
    assert _names(editor, q_text="capacity:private", include_private=True) == ["river-levels"]


def test_index_follows_changes(catalogue, editor_access):
    from civitas.opendata import services
    from civitas.opendata.models import Dataset
    from civitas.opendata.selectors import ANONYMOUS

    assert _names(ANONYMOUS, q_text="drought") == []
    dataset = Dataset.objects.get(name="flood-risk-areas")
    services.update_dataset(
        access=editor_access,
        dataset=dataset,
        data={"notes": "Drought and flood maps."},
        partial=True,
    )
    assert _names(ANONYMOUS, q_text="drought") == ["flood-risk-areas"]
    services.delete_dataset(access=editor_access, dataset=dataset)
    assert _names(ANONYMOUS, q_text="flood") == []
    services.update_dataset(
        access=editor_access,
        dataset=Dataset.objects.get(name="river-levels"),
        data={"private": False},
        partial=True,
    )
    assert _names(ANONYMOUS, q_text="levels") == ["river-levels"]


@pytest.mark.parametrize(
    "text",
    [
        "title:(unclosed",
        "colour:red",
        "tags:",
        "AND",
        '"open',
        "name:[a TO b]",
        "fl?ood",
        "num_resources:[x TO 2]",
    ],
)
def test_bad_queries_are_search_query_errors(catalogue, text):
    from civitas.opendata.selectors import ANONYMOUS

    with pytest.raises(SearchQueryError):
        _names(ANONYMOUS, q_text=text)


@pytest.mark.parametrize("sort", ["colour asc", "title_string up", "score desc, , name"])
def test_bad_sort_is_refused(catalogue, sort):
    from civitas.opendata.selectors import ANONYMOUS

    with pytest.raises(SearchQueryError, match="sort"):
        _names(ANONYMOUS, sort=sort)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_the_query_parser_never_fails_other_than_with_a_search_query_error(text):
    with contextlib.suppress(SearchQueryError):
        q.parse(text)
