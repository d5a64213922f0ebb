"""The CKAN Action API works with the real ``ckanapi`` client against a live Civitas server, in
POST mode and in GET mode, for reads, writes, the datastore and errors."""

# ruff: noqa: S608 - these tests send SQL text to the datastore API on purpose

from __future__ import annotations

import io

import ckanapi
import pytest

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ckan(live_server, publisher):
    anonymous = ckanapi.RemoteCKAN(live_server.url)
    get_only = ckanapi.RemoteCKAN(live_server.url, get_only=True)
    editor = ckanapi.RemoteCKAN(live_server.url, apikey=publisher["token"])
    outsider = ckanapi.RemoteCKAN(live_server.url, apikey=publisher["outsider_token"])
    yield {"anonymous": anonymous, "get": get_only, "editor": editor, "outsider": outsider}
    for client in (anonymous, get_only, editor, outsider):
        client.close()


def test_publish_search_and_read_with_ckanapi(ckan):
    editor, anonymous, get_only = ckan["editor"], ckan["anonymous"], ckan["get"]
    created = editor.action.package_create(
        name="hospital-beds",
        title="Hospital beds by region",
        owner_org="ministry-of-health",
        notes="Number of hospital beds in each region, counted on the first day of each month.",
        license_id="cc-by",
        tags=[{"name": "health"}, {"name": "hospitals"}],
        extras=[{"key": "frequency", "value": "MONTHLY"}, {"key": "source", "value": "bed census"}],
        theme=["HEAL"],
        resources=[{"url": "https://example.org/beds.csv", "format": "CSV", "name": "Beds"}],
    )
    assert created["name"] == "hospital-beds"
    assert created["organization"]["name"] == "ministry-of-health"
    assert [t["name"] for t in created["tags"]] == ["health", "hospitals"]
    assert created["resources"][0]["url"] == "https://example.org/beds.csv"
    assert {"key": "source", "value": "bed census"} in created["extras"]
    editor.action.package_create(
        name="secret-plans", title="Secret plans", owner_org="ministry-of-health", private=True
    )

    for client in (anonymous, get_only):
        shown = client.action.package_show(id="hospital-beds")
        assert shown["id"] == created["id"]
        assert shown["license_title"].startswith("Creative Commons Attribution")
        assert "quality" in shown and 0 <= shown["quality"]["score"] <= 100
        found = client.action.package_search(
            q="hospital beds", fq="tags:health", rows=5, **{"facet.field": ["tags", "organization"]}
        )
        assert found["count"] == 1
        assert found["results"][0]["name"] == "hospital-beds"
        assert found["facets"]["tags"] == {"health": 1, "hospitals": 1}
        items = found["search_facets"]["organization"]["items"]
        assert items == [
            {"name": "ministry-of-health", "display_name": "Ministry of Health", "count": 1}
        ]
        assert client.action.package_list() == ["hospital-beds"]
        assert client.action.organization_list() == ["ministry-of-finance", "ministry-of-health"]
        assert client.action.tag_list() == ["health", "hospitals"]
        assert any(item["id"] == "cc-by" for item in client.action.license_list())
        assert client.action.site_read() is True
        assert client.action.status_show()["ckan_version"]
        resource = client.action.resource_show(id=created["resources"][0]["id"])
        assert resource["package_id"] == created["id"]
        # private datasets do not exist for those outside the publisher
        with pytest.raises(ckanapi.NotFound):
            client.action.package_show(id="secret-plans")
        assert client.action.package_search(q="secret", include_private=True)["count"] == 0

    # the publisher's own editor sees the private dataset when asking for it
    mine = editor.action.package_search(q="secret", include_private=True)
    assert [d["name"] for d in mine["results"]] == ["secret-plans"]
    assert editor.action.package_show(id="secret-plans")["private"] is True
    with pytest.raises(ckanapi.NotFound):
        ckan["outsider"].action.package_show(id="secret-plans")

    patched = editor.action.package_patch(id="hospital-beds", title="Hospital beds")
    assert patched["title"] == "Hospital beds"
    assert patched["notes"].startswith("Number of hospital beds")
    editor.action.package_delete(id="hospital-beds")
    with pytest.raises(ckanapi.NotFound):
        anonymous.action.package_show(id="hospital-beds")
    assert anonymous.action.package_list() == []


def test_errors_come_back_as_ckan_exceptions(ckan):
    anonymous, editor, outsider = ckan["anonymous"], ckan["editor"], ckan["outsider"]
    with pytest.raises(ckanapi.NotAuthorized):
        anonymous.action.package_create(name="nope", owner_org="ministry-of-health")
    with pytest.raises(ckanapi.NotAuthorized):
        outsider.action.package_create(name="not-yours", owner_org="ministry-of-health")
    with pytest.raises(ckanapi.ValidationError) as invalid:
        editor.action.package_create(name="Bad Name!", owner_org="ministry-of-health")
    assert "name" in invalid.value.error_dict
    editor.action.package_create(name="taken", owner_org="ministry-of-health")
    with pytest.raises(ckanapi.ValidationError) as taken:
        editor.action.package_create(name="taken", owner_org="ministry-of-health")
    assert taken.value.error_dict["name"] == ["That URL is already in use."]
    with pytest.raises(ckanapi.SearchQueryError):
        anonymous.action.package_search(q="title:(unclosed")
    with pytest.raises(ckanapi.SearchQueryError):
        anonymous.action.package_search(sort="nonsense desc")
    with pytest.raises(ckanapi.NotFound):
        anonymous.action.package_show(id="missing")
    with pytest.raises(ckanapi.CKANAPIError):
        anonymous.call_action("no_such_action")


def test_datastore_through_ckanapi(ckan):
    editor, anonymous, get_only = ckan["editor"], ckan["anonymous"], ckan["get"]
    package = editor.action.package_create(name="clinic-visits", owner_org="ministry-of-health")
    created = editor.action.datastore_create(
        resource={"package_id": package["id"], "name": "Visits"},
        fields=[
            {"id": "region", "type": "text"},
            {"id": "month", "type": "date"},
            {"id": "visits", "type": "int"},
        ],
        records=[
            {"region": "north", "month": "2026-01-01", "visits": 120},
            {"region": "south", "month": "2026-01-01", "visits": 80},
            {"region": "north", "month": "2026-02-01", "visits": 95},
        ],
        primary_key=["region", "month"],
    )
    resource_id = created["resource_id"]
    # in GET mode structured parameters travel as JSON text, as with CKAN itself
    for client, filters in ((anonymous, {"region": "north"}), (get_only, '{"region": "north"}')):
        page = client.action.datastore_search(
            resource_id=resource_id, filters=filters, sort="month desc"
        )
        assert page["total"] == 2
        assert [r["visits"] for r in page["records"]] == [95, 120]
        assert [f["id"] for f in page["fields"]] == ["_id", "region", "month", "visits"]
        sql = client.action.datastore_search_sql(
            sql=f'SELECT region, sum(visits) AS visits FROM "{resource_id}" GROUP BY region ORDER BY region'
        )
        assert sql["records"] == [
            {"region": "north", "visits": 215},
            {"region": "south", "visits": 80},
        ]
    editor.action.datastore_upsert(
        resource_id=resource_id,
        records=[
            {"region": "south", "month": "2026-01-01", "visits": 81},
            {"region": "east", "month": "2026-01-01", "visits": 10},
        ],
    )
    totals = anonymous.action.datastore_search(
        resource_id=resource_id, fields="region,visits", sort="region"
    )
    assert totals["records"] == [
        {"region": "east", "visits": 10},
        {"region": "north", "visits": 120},
        {"region": "north", "visits": 95},
        {"region": "south", "visits": 81},
    ]
    with pytest.raises(ckanapi.ValidationError) as bad_filter:
        anonymous.action.datastore_search(resource_id=resource_id, filters={"nope": 1})
    assert bad_filter.value.error_dict["filters"] == ["Unknown field: nope"]
    with pytest.raises(ckanapi.ValidationError) as bad_value:
        editor.action.datastore_upsert(
            resource_id=resource_id, records=[{"region": "x", "month": "soon", "visits": 1}]
        )
    assert "month" in str(bad_value.value.error_dict["records"])
    with pytest.raises(ckanapi.NotAuthorized):
        anonymous.action.datastore_search_sql(
            sql=f"SELECT * FROM \"{resource_id}\", read_csv('/etc/passwd')"
        )
    with pytest.raises(ckanapi.ValidationError):
        anonymous.action.datastore_search_sql(sql=f'DELETE FROM "{resource_id}"')


def test_upload_a_csv_resource(ckan, opendata_folders):
    editor, anonymous = ckan["editor"], ckan["anonymous"]
    package = editor.action.package_create(name="pharmacies", owner_org="ministry-of-health")
    csv = io.BytesIO(b"name,region,open_sundays\nCentral,capital,true\nHarbour,south,false\n")
    csv.name = "pharmacies.csv"
    resource = editor.action.resource_create(
        package_id=package["id"], name="Pharmacies", upload=csv
    )
    assert resource["datastore_active"] is True
    assert resource["format"] == "CSV"
    rows = anonymous.action.datastore_search(resource_id=resource["id"])
    assert rows["total"] == 2
    assert rows["records"][0] == {
        "_id": 1,
        "name": "Central",
        "region": "capital",
        "open_sundays": True,
    }
    broken = io.BytesIO(b"name,beds\nCentral,12\nHarbour,many\n")
    broken.name = "beds.csv"
    with pytest.raises(ckanapi.ValidationError) as invalid:
        editor.action.resource_create(
            package_id=package["id"],
            upload=broken,
            schema='{"fields": [{"name": "name", "type": "string"}, {"name": "beds", "type": "integer"}]}',
        )
    report = invalid.value.error_dict["validation_report"]
    assert report["valid"] is False and report["errors"][0]["row"] == 3
    assert report["errors"][0]["field"] == "beds"
    assert len(anonymous.action.package_show(id="pharmacies")["resources"]) == 1
