"""The search index survives a restart on disk: a new process loads the snapshot, reloads only
the datasets that changed since it was written, and answers exactly as a full rebuild would."""

from __future__ import annotations

import pytest


@pytest.fixture
def catalogue(make_dataset):
    made = {}
    for number, (name, tags, fmt) in enumerate(
        [
            ("flood-risk-areas", ["environment", "floods"], "GeoJSON"),
            ("hospital-waiting-times", ["health"], "CSV"),
            ("river-levels", ["environment"], "CSV"),
            ("school-places", ["education"], "XLSX"),
        ]
    ):
        made[name] = make_dataset(
            name,
            notes=f"Dataset number {number} about {' and '.join(tags)}.",
            tags=tags,
            resources=[{"url": f"https://example.org/{name}.{fmt.lower()}", "format": fmt}],
        )
    return made


def _answer(**kwargs) -> tuple:
    """What package_search tells an anonymous visitor: names in order, count and facets."""
    from civitas.opendata import search
    from civitas.opendata.selectors import ANONYMOUS

    found = search.search(
        ANONYMOUS,
        facet_fields=["tags", "res_format", "organization"],
        sort="name asc",
        rows=50,
        **kwargs,
    )
    return [d.name for d in found.datasets], found.count, found.facets


QUERIES = [
    {},
    {"q_text": "environment"},
    {"q_text": "tags:environment"},
    {"q_text": "name:river*"},
    {"fq": ["res_format:CSV"]},
    {"q_text": "harbour"},
]


def _all_answers() -> list[tuple]:
    return [_answer(**query) for query in QUERIES]


def _fresh_rebuild_answers() -> list[tuple]:
    """The same queries on an index rebuilt from the database alone (no snapshot)."""
    from civitas.opendata.search import snapshot
    from civitas.opendata.search.index import INDEX

    snapshot.path().unlink(missing_ok=True)
    INDEX.reset()
    return _all_answers()


def test_a_restarted_process_loads_the_snapshot_and_reloads_only_what_changed(
    catalogue, make_dataset, editor_access
):
    from civitas.opendata import services
    from civitas.opendata.search import snapshot
    from civitas.opendata.search.index import INDEX

    assert _answer(q_text="environment")[0] == ["flood-risk-areas", "river-levels"]
    written = snapshot.save(INDEX)
    assert written.is_file()

    # after the snapshot: one dataset edited, one deleted, one created
    services.update_dataset(
        access=editor_access,
        dataset=catalogue["school-places"],
        data={"title": "Harbour school places", "tags": ["education", "environment"]},
        partial=True,
    )
    services.delete_dataset(access=editor_access, dataset=catalogue["river-levels"])
    make_dataset("harbour-depths", tags=["maritime"], resources=[{"url": "https://e.org/d.csv"}])

    INDEX.reset()  # as a new process: nothing in memory, the snapshot on disk
    restored = _all_answers()
    # two datasets were read again from the database (edited, created), not the whole
    # catalogue; the deleted one was only retired
    assert INDEX.changed_since_save == 2
    assert restored[1][0] == ["flood-risk-areas", "school-places"]
    assert restored[5][0] == ["harbour-depths", "school-places"]
    assert "river-levels" not in restored[0][0]
    assert restored == _fresh_rebuild_answers()


def test_compacting_drops_retired_entries_without_changing_any_answer(catalogue, editor_access):
    from civitas.opendata import services
    from civitas.opendata.search.index import INDEX

    _answer()
    for round_ in range(5):
        services.update_dataset(
            access=editor_access,
            dataset=catalogue["hospital-waiting-times"],
            data={"tags": ["health", f"round-{round_}"]},
            partial=True,
        )
        _answer()  # each change retires an entry and adds one
    assert INDEX.dead == 5
    before = _all_answers()
    INDEX.compact()
    assert INDEX.dead == 0 and INDEX.size == 4
    assert _all_answers() == before
    assert _answer(q_text="tags:round-4")[0] == ["hospital-waiting-times"]
    assert _answer(q_text="tags:round-3")[0] == []
    assert before == _fresh_rebuild_answers()


def test_an_unreadable_snapshot_means_a_rebuild_not_an_error(catalogue):
    from civitas.opendata.search import snapshot
    from civitas.opendata.search.index import INDEX

    expected = _all_answers()
    snapshot.save(INDEX)
    snapshot.path().write_bytes(b"not a snapshot")
    INDEX.reset()
    assert _all_answers() == expected
    assert INDEX.size == 4


def test_a_snapshot_of_another_catalogue_is_corrected_by_the_database(catalogue, editor_access):
    """Whatever the snapshot holds (an older backup, another copy), the database decides."""
    from civitas.opendata import services
    from civitas.opendata.search import snapshot
    from civitas.opendata.search.index import INDEX

    services.delete_dataset(access=editor_access, dataset=catalogue["flood-risk-areas"])
    _answer()
    stale = snapshot.capture(INDEX)  # without flood-risk-areas
    INDEX.reset()
    expected = _all_answers()
    from civitas.opendata.models import Dataset

    # the database goes back to a state where it is active again (a restored backup)
    Dataset.objects.filter(name="flood-risk-areas").update(state="active", index_revision=1)
    snapshot.write(stale, snapshot.path())
    INDEX.reset()
    restored = _all_answers()
    assert "flood-risk-areas" in restored[0][0]
    assert restored != expected
    assert restored == _fresh_rebuild_answers()
