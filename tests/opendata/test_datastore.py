"""The datastore: typed tables in Parquet, queried with DuckDB; bad input is refused with reasons,
and datastore_search_sql runs one read-only SELECT over datastore tables only."""

# ruff: noqa: S608 - these tests send SQL text to the datastore API on purpose

from __future__ import annotations

import io

import pytest

from civitas.opendata.datastore import sql as datastore_sql
from civitas.opendata.errors import NotAuthorized, ValidationError


@pytest.fixture
def table(make_dataset, editor_access):
    from civitas.opendata import services

    dataset = make_dataset("clinics")
    saved = services.datastore_create(
        access=editor_access,
        resource=None,
        new_resource_in=dataset,
        new_resource={"name": "Clinics"},
        fields=[
            {"id": "name", "type": "text", "info": {"label": "Clinic", "notes": "Clinic name"}},
            {"id": "region", "type": "text"},
            {"id": "beds", "type": "int"},
            {"id": "opened", "type": "date"},
            {"id": "rating", "type": "numeric"},
        ],
        records=[
            {
                "name": "Central",
                "region": "capital",
                "beds": 40,
                "opened": "2001-05-01",
                "rating": 4.5,
            },
            {
                "name": "Harbour",
                "region": "south",
                "beds": 12,
                "opened": "2010-09-15",
                "rating": 3.9,
            },
            {"name": "Hill 50%", "region": "north", "beds": 8, "opened": None, "rating": None},
            {
                "name": "Riverside",
                "region": "capital",
                "beds": 25,
                "opened": "2018-01-20",
                "rating": 4.1,
            },
        ],
        primary_key="name",
    )
    return saved


def _search(table, **data):
    from civitas.opendata.ckan.actions import _query_table
    from civitas.opendata.datastore import query

    return query.search(_query_table(table.resource, table), data)


def test_search_filters_sorts_pages_and_counts(table):
    page = _search(table, filters={"region": ["capital", "north"]}, sort="beds desc", limit=2)
    assert page["total"] == 3
    assert [r["name"] for r in page["records"]] == ["Central", "Riverside"]
    assert page["records"][0]["opened"] == "2001-05-01"
    assert page["fields"][1] == {
        "id": "name",
        "type": "text",
        "info": {"label": "Clinic", "notes": "Clinic name"},
    }
    nxt = _search(
        table, filters={"region": ["capital", "north"]}, sort="beds desc", limit=2, offset=2
    )
    assert [r["name"] for r in nxt["records"]] == ["Hill 50%"]
    ranged = _search(table, filters={"beds": {"gte": 12, "lt": 40}}, fields="name", sort="name")
    assert ranged["records"] == [{"name": "Harbour"}, {"name": "Riverside"}]
    # q matches words anywhere, and % is a character, not a wildcard
    assert [r["name"] for r in _search(table, q="50%")["records"]] == ["Hill 50%"]
    assert _search(table, q="capital riverside")["total"] == 1
    assert _search(table, distinct=True, fields="region", sort="region")["records"] == [
        {"region": "capital"},
        {"region": "north"},
        {"region": "south"},
    ]
    assert _search(table, records_format="lists", fields="name,beds", limit=1)["records"] == [
        ["Central", 40]
    ]
    assert (
        _search(table, records_format="csv", fields="name,beds", limit=1)["records"]
        == "Central,40\r\n"
    )
    unfiltered = _search(table, include_total=True)
    assert unfiltered["total"] == 4 and unfiltered["limit"] == 100


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"filters": {"colour": "red"}}, "filters", "Unknown field: colour"),
        ({"filters": {"beds": "many"}}, "filters", "beds"),
        ({"filters": {"beds": {"near": 3}}}, "filters", 'unknown operator "near"'),
        ({"filters": "[not json"}, "filters", "Could not parse as valid JSON"),
        ({"filters": ["beds"]}, "filters", "Filters must be defined as a dict"),
        ({"sort": "colour desc"}, "sort", 'field "colour" not in resource'),
        ({"fields": ["name", "colour"]}, "fields", 'field "colour" not in resource'),
        ({"limit": "ten"}, "limit", "Invalid integer"),
        ({"offset": -1}, "offset", "Must be a natural number"),
        ({"q": {"colour": "red"}}, "q", "Unknown field: colour"),
        ({"records_format": "xml"}, "records_format", "objects"),
    ],
)
def test_bad_search_input_names_the_field(table, data, field, message):
    with pytest.raises(ValidationError) as refused:
        _search(table, **data)
    assert field in refused.value.errors
    assert message in " ".join(refused.value.errors[field])


def test_limit_is_capped(table):
    assert _search(table, limit=100_000)["limit"] == 32_000


def test_upsert_updates_by_key_and_reports_bad_rows(table, editor_access):
    from civitas.opendata import services

    services.datastore_upsert(
        access=editor_access,
        resource=table.resource,
        records=[{"name": "Harbour", "beds": 14}, {"name": "Valley", "region": "west", "beds": 6}],
    )
    rows = {
        r["name"]: r
        for r in _search(table.__class__.objects.get(pk=table.pk), sort="name")["records"]
    }
    assert rows["Harbour"]["beds"] == 14 and rows["Harbour"]["region"] == "south"
    assert rows["Valley"]["_id"] == 5
    with pytest.raises(ValidationError) as refused:
        services.datastore_upsert(
            access=editor_access,
            resource=table.resource,
            records=[{"name": "Central", "beds": "lots"}, {"name": "Nowhere", "beds": 1}],
            method="update",
        )
    report = refused.value.errors["validation_report"]
    assert [(e["row"], e["field"]) for e in report["errors"]] == [(1, "beds"), (2, None)]
    assert "not found" in report["errors"][1]["message"]
    with pytest.raises(ValidationError):
        services.datastore_upsert(
            access=editor_access,
            resource=table.resource,
            records=[{"name": "Central"}],
            method="insert",
        )


def test_a_csv_that_breaks_its_schema_publishes_nothing(make_dataset, editor_access):
    from civitas.opendata import services
    from civitas.opendata.models import Resource

    dataset = make_dataset("beds")
    upload = io.BytesIO(
        b"region,beds,checked\ncapital,12,2026-01-01\nnorth,-3,2026-13-01\n,7,2026-02-01\n"
    )
    schema = {
        "fields": [
            {"name": "region", "type": "string", "constraints": {"required": True}},
            {"name": "beds", "type": "integer", "constraints": {"minimum": 0}},
            {"name": "checked", "type": "date"},
        ]
    }
    with pytest.raises(ValidationError) as refused:
        services.create_resource(
            access=editor_access,
            dataset=dataset,
            data={"schema": schema},
            upload=upload,
            upload_name="beds.csv",
        )
    report = refused.value.errors["validation_report"]
    assert report["error_count"] == 3
    assert [(e["row"], e["field"]) for e in report["errors"]] == [
        (3, "beds"),
        (3, "checked"),
        (4, "region"),
    ]
    assert "below the minimum 0" in report["errors"][0]["message"]
    assert not Resource.objects.filter(dataset=dataset).exists()


@pytest.mark.parametrize(
    ("sql", "reason"),
    [
        ('DELETE FROM "{t}"', "Only a SELECT statement is allowed; this is a DELETE statement"),
        ('INSERT INTO "{t}" VALUES (1)', "INSERT"),
        ("SELECT 1; SELECT 2", "Query is not a single statement"),
        ("PRAGMA database_list", "PRAGMA"),
        ("SET enable_external_access = true", "SET"),
        ("ATTACH '/tmp/x.db'", "ATTACH"),
        ("COPY (SELECT 1) TO '/tmp/out.csv'", "COPY"),
        ("SELEC 1", "cannot be read"),
    ],
)
def test_sql_that_is_not_one_select_is_refused_with_the_reason(table, sql, reason):
    with pytest.raises(ValidationError) as refused:
        datastore_sql.check(sql.format(t=table.resource_id))
    assert reason in refused.value.errors["query"][0]


@pytest.mark.parametrize(
    ("sql", "reason"),
    [
        ("SELECT * FROM read_csv('/etc/passwd')", "table functions"),
        ("SELECT * FROM read_parquet('/tmp/*.parquet')", "table functions"),
        ("SELECT * FROM query('SELECT 1')", "table functions"),
        ("SELECT * FROM main.opendata_dataset", 'table "main.opendata_dataset"'),
        ("DESCRIBE SELECT 1", "DESCRIBE"),
        ("SELECT current_setting('allowed_directories')", "function current_setting"),
        ("SELECT getenv('HOME')", "function getenv"),
    ],
)
def test_sql_reaching_beyond_datastore_tables_is_refused(sql, reason):
    with pytest.raises(NotAuthorized) as refused:
        datastore_sql.check(sql)
    assert reason in str(refused.value)


def test_sql_reads_datastore_tables_with_ctes_joins_and_aggregates(table):
    t = table.resource_id
    checked = datastore_sql.check(
        f'WITH big AS (SELECT * FROM "{t}" WHERE beds >= 12) '
        f"SELECT b.region, count(*) AS clinics, round(avg(b.rating), 2) AS rating "
        f'FROM big b JOIN "{t}" a ON a.name = b.name GROUP BY b.region ORDER BY b.region'
    )
    assert checked.tables == {str(t)}
    result = datastore_sql.run(checked, files={str(t): table.file_name})
    assert result["records"] == [
        {"region": "capital", "clinics": 2, "rating": 4.3},
        {"region": "south", "clinics": 1, "rating": 3.9},
    ]
    assert [f["id"] for f in result["fields"]] == ["region", "clinics", "rating"]


def test_sql_unknown_or_private_tables_are_refused_alike(
    client, table, make_dataset, editor_access
):
    from civitas.opendata import services

    secret = make_dataset("secret-clinics", private=True)
    hidden = services.datastore_create(
        access=editor_access,
        resource=None,
        new_resource_in=secret,
        new_resource={"name": "Secret"},
        fields=[{"id": "x", "type": "int"}],
        records=[{"x": 1}],
    )
    answers = []
    for name in (hidden.resource_id, "00000000-0000-0000-0000-000000000000"):
        response = client.get(
            "/api/3/action/datastore_search_sql", {"sql": f'SELECT * FROM "{name}"'}
        )
        assert response.status_code == 403
        answers.append(response.json()["error"]["message"].replace(str(name), "<t>"))
    assert answers[0] == answers[1]


def test_sql_that_runs_too_long_is_stopped(table, settings):
    settings.OPENDATA_QUERY_TIMEOUT_MS = 200
    t = table.resource_id
    # a hundred million recursive steps: far more than 200 ms of work
    checked = datastore_sql.check(
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 100000000) "
        f'SELECT count(*) FROM r, "{t}"'
    )
    with pytest.raises(ValidationError) as stopped:
        datastore_sql.run(checked, files={str(t): table.file_name})
    assert "took too long" in stopped.value.errors["query"][0]
