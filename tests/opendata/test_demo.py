"""The demo catalogue: ministries of the demo country publish a few datasets, loaded idempotently."""

from __future__ import annotations


def test_demo_catalogue_loads_once_and_reads_back(
    demo_country, client, django_capture_on_commit_callbacks
):
    from civitas.opendata.demo import load_demo_catalogue
    from civitas.opendata.models import Dataset, OrganizationMember

    with django_capture_on_commit_callbacks(execute=True):
        first = load_demo_catalogue()
    assert first["datasets_created"] == 6 and first["statistics"] == "published"
    with django_capture_on_commit_callbacks(execute=True):
        again = load_demo_catalogue()
    assert again == {"datasets_created": 0, "statistics": "unchanged"}
    names = client.get("/api/3/action/package_list").json()["result"]
    assert "population-by-region" in names and "benefits-statistics" in names
    assert "payment-reconciliation-notes" not in names
    assert Dataset.objects.get(name="payment-reconciliation-notes").private
    orgs = client.get("/api/3/action/organization_list").json()["result"]
    assert {"ministry-of-health", "national-statistics-office"} <= set(orgs)
    assert OrganizationMember.objects.filter(user__email="policy@demo.civitas.example").exists()
    resource = client.get("/api/3/action/package_show", {"id": "hospitals-by-region"}).json()[
        "result"
    ]["resources"][0]
    rows = client.get("/api/3/action/datastore_search", {"resource_id": resource["id"]}).json()[
        "result"
    ]
    assert rows["total"] == 5
    page = client.get("/data/dataset/hospitals-by-region/").content.decode()
    assert "Capital District" in page and "<svg" in page
