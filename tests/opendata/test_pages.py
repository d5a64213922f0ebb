"""The portal's pages: search with facets, dataset pages with previews and downloads, and the
publisher's own pages - all without JavaScript, inline scripts or inline styles."""

from __future__ import annotations

import io
import re

import pytest


def _sign_in(client, user) -> None:
    """Publishers are staff: they pass the second factor like everyone in the back office."""
    from civitas.accounts.testing import sign_in_staff

    client.logout()
    sign_in_staff(client, user)


def _no_inline_code(html: str) -> None:
    assert 'style="' not in html.split("<main", 1)[1], "no inline styles in our pages"
    scripts = re.findall(r"<script(?P<attrs>[^>]*)>", html)
    for attrs in scripts:
        assert 'type="application/ld+json"' in attrs or "src=" in attrs, attrs


@pytest.fixture
def published(make_dataset, editor_access, django_capture_on_commit_callbacks):
    from civitas.opendata import services

    dataset = make_dataset(
        "school-meals",
        title="School meals served",
        notes="Meals served in public schools each month, by region, counted by the school canteens.",
        tags=["education", "food"],
        theme=["EDUC"],
        license_id="cc-by",
        frequency="MONTHLY",
        temporal_start="2026-01-01",
    )
    upload = io.BytesIO(b"region,meals\ncapital,1200\nnorth,430\nsouth,610\n")
    with django_capture_on_commit_callbacks(execute=True):
        resource = services.create_resource(
            access=editor_access,
            dataset=dataset,
            data={"name": "Meals"},
            upload=upload,
            upload_name="meals.csv",
        )
    make_dataset("staff-salaries", title="Staff salaries", private=True, tags=["education"])
    return {"dataset": dataset, "resource": resource}


def test_search_page_with_facets(client, published):
    response = client.get("/data/", {"q": "meals", "tag": "education"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "School meals served" in html
    assert "Staff salaries" not in html
    assert "Ministry of Health" in html  # publisher facet
    assert "Education, culture and sport" in html  # theme facet label
    _no_inline_code(html)
    broken = client.get("/data/", {"q": "title:("}).content.decode()
    assert "The search could not be read" in broken


def test_dataset_page_previews_charts_and_links(client, published):
    response = client.get("/data/dataset/school-meals/")
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        '<th scope="col" class="govuk-table__header govuk-table__header--numeric">meals</th>'
        in html
    )
    assert "1200" in html and "<svg" in html and 'role="img"' in html
    assert "Metadata quality" in html
    assert "Download as CSV" in html and "Download as PARQUET" in html
    _no_inline_code(html)
    by_id = client.get(f"/data/dataset/{published['dataset'].id}/")
    assert by_id.status_code == 200
    resource_page = client.get(f"/data/dataset/school-meals/resource/{published['resource'].id}/")
    assert "datastore_search?resource_id=" in resource_page.content.decode()


def test_private_dataset_pages_and_files_are_missing_for_outsiders(
    client, published, make_dataset, editor_access, publisher, django_capture_on_commit_callbacks
):
    from civitas.opendata import services
    from civitas.opendata.models import Resource

    secret = make_dataset("secret-meals", private=True)
    with django_capture_on_commit_callbacks(execute=True):
        resource = services.create_resource(
            access=editor_access,
            dataset=secret,
            data={},
            upload=io.BytesIO(b"a,b\n1,2\n"),
            upload_name="secret.csv",
        )
    resource = Resource.objects.get(pk=resource.pk)
    assert resource.storage_target == "private"
    download = f"/data/dataset/secret-meals/resource/{resource.id}/download/secret.csv"
    assert client.get("/data/dataset/secret-meals/").status_code == 404
    assert client.get(download).status_code == 404
    _sign_in(client, publisher["outsider"])
    assert client.get(download).status_code == 404
    _sign_in(client, publisher["editor"])
    assert client.get("/data/dataset/secret-meals/").status_code == 200
    assert b"".join(client.get(download).streaming_content) == b"a,b\n1,2\n"


def test_files_move_to_the_public_side_only_when_public(
    published,
    make_dataset,
    editor_access,
    opendata_folders,
    django_capture_on_commit_callbacks,
    client,
):
    from civitas.opendata import services
    from civitas.opendata.models import Dataset

    public, private = opendata_folders["public"], opendata_folders["private"]
    assert {p.name for p in public.rglob("*.*")} >= {"meals.csv", "Meals.json", "Meals.parquet"}
    dataset = Dataset.objects.get(name="school-meals")
    with django_capture_on_commit_callbacks(execute=True):
        services.update_dataset(
            access=editor_access, dataset=dataset, data={"private": True}, partial=True
        )
    assert not [p for p in public.rglob("*") if p.is_file()]
    assert {p.name for p in private.rglob("*.*")} >= {"meals.csv", "Meals.parquet"}
    with django_capture_on_commit_callbacks(execute=True):
        services.update_dataset(
            access=editor_access, dataset=dataset, data={"private": False}, partial=True
        )
    assert not [p for p in private.rglob("*") if p.is_file()]
    downloaded = client.get(
        f"/data/dataset/school-meals/resource/{published['resource'].id}/download/Meals.json"
    )
    assert b"".join(downloaded.streaming_content).startswith(b"[")


def test_publisher_creates_a_dataset_and_uploads_data(
    client, publisher, django_capture_on_commit_callbacks
):
    _sign_in(client, publisher["editor"])
    assert "Add a dataset" in client.get("/data/manage/").content.decode()
    form = client.get("/data/manage/new/").content.decode()
    _no_inline_code(form)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', form).group(1)
    data = {
        "title": "Vaccinations",
        "name": "vaccinations",
        "owner_org": "ministry-of-health",
        "notes": "Vaccinations given.",
        "license_id": "cc-by",
        "tags": "health, children",
        "theme": ["HEAL"],
        "frequency": "MONTHLY",
        "idempotency_key": key,
    }
    created = client.post("/data/manage/new/", data)
    assert created.status_code == 302 and created["Location"].endswith(
        "/data/dataset/vaccinations/upload/"
    )
    again = client.post("/data/manage/new/", data)  # a double submit changes nothing
    assert again.status_code == 302
    bad = io.BytesIO(b"month,doses\n2026-01,100\n2026-02,lots\n")
    bad.name = "doses.csv"
    refused = client.post(
        "/data/dataset/vaccinations/upload/",
        {
            "upload": bad,
            "schema": '{"fields": [{"name": "month", "type": "string"}, {"name": "doses", "type": "integer"}]}',
        },
    )
    html = refused.content.decode()
    assert refused.status_code == 200
    assert "Validation report: nothing was published" in html and "is not a whole number" in html
    good = io.BytesIO(b"month,doses\n2026-01,100\n2026-02,120\n")
    good.name = "doses.csv"
    with django_capture_on_commit_callbacks(execute=True):
        added = client.post("/data/dataset/vaccinations/upload/", {"upload": good, "name": "Doses"})
    assert added.status_code == 302
    page = client.get("/data/dataset/vaccinations/").content.decode()
    assert "Doses" in page and "120" in page
    from civitas.opendata.models import Dataset

    assert Dataset.objects.filter(name="vaccinations").count() == 1


def test_outsiders_cannot_edit(client, published, publisher):
    _sign_in(client, publisher["outsider"])
    assert client.get("/data/dataset/school-meals/edit/").status_code == 404
    assert client.get("/data/dataset/school-meals/upload/").status_code == 404
    assert client.get("/data/dataset/school-meals/").status_code == 200


def test_api_tokens_page_shows_a_new_token_once(client, publisher):
    from civitas.opendata.models import ApiToken

    _sign_in(client, publisher["editor"])
    html = client.post("/data/manage/tokens/", {"name": "nightly export"}).content.decode()
    raw = re.search(r"<code>(civ_[^<]+)</code>", html).group(1)
    token = ApiToken.objects.get(name="nightly export")
    assert raw not in token.digest
    assert raw not in client.get("/data/manage/tokens/").content.decode()
    revoked = client.post(f"/data/manage/tokens/{token.id}/revoke/")
    assert revoked.status_code == 302
    token.refresh_from_db()
    assert token.revoked is not None


def test_api_guide(client, published):
    html = client.get("/data/api/").content.decode()
    assert "/api/3/action/package_search" in html and "/catalog.ttl" in html


def test_publisher_edits_a_dataset_in_the_web_ui_and_search_follows(
    client, publisher, make_dataset, django_capture_on_commit_callbacks
):
    from civitas.opendata import search
    from civitas.opendata.selectors import ANONYMOUS

    make_dataset("clinic-hours", title="Clinic hours", tags=["health"], license_id="cc-by")
    _sign_in(client, publisher["editor"])
    form = client.get("/data/dataset/clinic-hours/edit/").content.decode()
    _no_inline_code(form)
    assert 'value="Clinic hours"' in form
    data = {
        "title": "Clinic opening hours",
        "name": "clinic-hours",
        "owner_org": "ministry-of-health",
        "notes": "When each clinic is open.",
        "license_id": "cc-by",
        "tags": "health, clinics",
        "theme": ["HEAL"],
        "frequency": "MONTHLY",
    }
    with django_capture_on_commit_callbacks(execute=True):
        saved = client.post("/data/dataset/clinic-hours/edit/", data)
    assert saved.status_code == 302 and saved["Location"].endswith("/data/dataset/clinic-hours/")
    page = client.get("/data/dataset/clinic-hours/").content.decode()
    assert "Clinic opening hours" in page and "When each clinic is open." in page
    found = search.search(ANONYMOUS, q_text="tags:clinics")
    assert [d.name for d in found.datasets] == ["clinic-hours"]
    # bad input: a clear error on the form, nothing saved
    refused = client.post("/data/dataset/clinic-hours/edit/", {**data, "name": "Not a slug!"})
    assert refused.status_code == 200
    assert search.search(ANONYMOUS, q_text="clinic").datasets[0].title == "Clinic opening hours"
    # made private: gone for the public, still there for its publisher
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/data/dataset/clinic-hours/edit/", {**data, "private": "on"})
    assert search.search(ANONYMOUS, q_text="clinic").count == 0
    client.logout()
    assert client.get("/data/dataset/clinic-hours/").status_code == 404
