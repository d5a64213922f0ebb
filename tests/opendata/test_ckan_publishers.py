"""Organizations, groups and members through the CKAN Action API, with the real ``ckanapi``
client against a live server: who may do what, CKAN's error types, and search following renames."""

from __future__ import annotations

import ckanapi
import pytest

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def clients(live_server, publisher, make_user):
    from civitas.opendata import services

    admin = make_user("admin@data.example", roles=["administrator"])
    _, admin_token = services.create_token(actor=admin, user=admin, name="tests")
    made = {
        "sysadmin": ckanapi.RemoteCKAN(live_server.url, apikey=admin_token),
        "editor": ckanapi.RemoteCKAN(live_server.url, apikey=publisher["token"]),
        "anonymous": ckanapi.RemoteCKAN(live_server.url),
        "admin_user": admin,
    }
    yield made
    for client in (made["sysadmin"], made["editor"], made["anonymous"]):
        client.close()


def test_a_site_administrator_creates_patches_and_deletes_a_publisher(clients):
    sysadmin, editor, anonymous = clients["sysadmin"], clients["editor"], clients["anonymous"]
    created = sysadmin.action.organization_create(
        name="statistics-office",
        title="Statistics Office",
        description="Official statistics.",
        homepage="https://stats.example",
        email="info@stats.example",
    )
    assert created["name"] == "statistics-office" and created["is_organization"] is True
    assert created["homepage"] == "https://stats.example"
    assert "statistics-office" in anonymous.action.organization_list()

    patched = sysadmin.action.organization_patch(
        id="statistics-office", title="National Statistics"
    )
    assert patched["title"] == "National Statistics"
    assert patched["description"] == "Official statistics."  # kept: a patch
    updated = sysadmin.action.organization_update(id="statistics-office", name="statistics-office")
    assert updated["description"] == "" and updated["title"] == "statistics-office"

    with pytest.raises(ckanapi.NotAuthorized):
        editor.action.organization_create(name="my-own-ministry", title="Mine")
    with pytest.raises(ckanapi.NotAuthorized):
        anonymous.action.organization_create(name="anonymous-ministry")
    with pytest.raises(ckanapi.ValidationError) as invalid:
        sysadmin.action.organization_create(name="Bad Name!")
    assert "name" in invalid.value.error_dict
    with pytest.raises(ckanapi.ValidationError) as taken:
        sysadmin.action.organization_create(name="statistics-office")
    assert taken.value.error_dict["name"] == ["Group name already exists in database"]

    sysadmin.action.organization_delete(id="statistics-office")
    with pytest.raises(ckanapi.NotFound):
        anonymous.action.organization_show(id="statistics-office")
    assert "statistics-office" not in anonymous.action.organization_list()


def test_a_publisher_with_datasets_cannot_be_deleted_and_renames_reach_search(clients):
    sysadmin, editor, anonymous = clients["sysadmin"], clients["editor"], clients["anonymous"]
    editor.action.package_create(
        name="clinic-list", title="Clinics", owner_org="ministry-of-health"
    )
    assert anonymous.action.package_search(fq="organization:ministry-of-health")["count"] == 1
    with pytest.raises(ckanapi.ValidationError):
        sysadmin.action.organization_delete(id="ministry-of-health")
    # an editor is not an admin of the publisher: no changes to it
    with pytest.raises(ckanapi.NotAuthorized):
        editor.action.organization_patch(id="ministry-of-health", title="Ministry of Wellbeing")
    sysadmin.action.organization_patch(id="ministry-of-health", name="ministry-of-wellbeing")
    found = anonymous.action.package_search(
        fq="organization:ministry-of-wellbeing", **{"facet.field": ["organization"]}
    )
    assert found["count"] == 1 and found["facets"]["organization"] == {"ministry-of-wellbeing": 1}
    assert anonymous.action.package_search(fq="organization:ministry-of-health")["count"] == 0


def test_publisher_admins_manage_members_and_members_follow(clients, publisher, make_user):
    sysadmin, editor = clients["sysadmin"], clients["editor"]
    from civitas.opendata import services

    newcomer = make_user("newcomer@health.example")
    _, token = services.create_token(actor=newcomer, user=newcomer, name="tests")
    with ckanapi.RemoteCKAN(editor.address, apikey=token) as newcomer_client:
        with pytest.raises(ckanapi.NotAuthorized):
            newcomer_client.action.package_create(name="x-data", owner_org="ministry-of-health")
        # editors cannot add members; admins (here the site administrator) can
        with pytest.raises(ckanapi.NotAuthorized):
            editor.action.organization_member_create(
                id="ministry-of-health", username="newcomer@health.example", role="editor"
            )
        member = sysadmin.action.organization_member_create(
            id="ministry-of-health", username="newcomer@health.example", role="editor"
        )
        assert member["capacity"] == "editor"
        made = newcomer_client.action.package_create(name="x-data", owner_org="ministry-of-health")
        assert made["organization"]["name"] == "ministry-of-health"
        with pytest.raises(ckanapi.ValidationError):
            sysadmin.action.organization_member_create(
                id="ministry-of-health", username="newcomer@health.example", role="owner"
            )
        with pytest.raises(ckanapi.NotFound):
            sysadmin.action.organization_member_create(
                id="ministry-of-health", username="nobody@nowhere.example", role="member"
            )
        sysadmin.action.organization_member_delete(
            id="ministry-of-health", username="newcomer@health.example"
        )
        with pytest.raises(ckanapi.NotAuthorized):
            newcomer_client.action.package_patch(id="x-data", title="Changed")


def test_groups_are_created_renamed_and_deleted_by_site_administrators(clients):
    sysadmin, editor, anonymous = clients["sysadmin"], clients["editor"], clients["anonymous"]
    group = sysadmin.action.group_create(name="health-care", title="Health care")
    assert group["name"] == "health-care" and group["is_organization"] is False
    with pytest.raises(ckanapi.NotAuthorized):
        editor.action.group_create(name="editors-group")
    editor.action.package_create(
        name="clinic-list", owner_org="ministry-of-health", groups=[{"name": "health-care"}]
    )
    assert anonymous.action.package_search(fq="groups:health-care")["count"] == 1
    renamed = sysadmin.action.group_patch(id="health-care", name="care", title="Care")
    assert renamed["title"] == "Care" and renamed["package_count"] == 1
    assert anonymous.action.package_search(fq="groups:care")["count"] == 1
    with pytest.raises(ckanapi.NotAuthorized):
        editor.action.group_delete(id="care")
    sysadmin.action.group_delete(id="care")
    with pytest.raises(ckanapi.NotFound):
        anonymous.action.group_show(id="care")
    assert anonymous.action.package_search(fq="groups:care")["count"] == 0
    assert anonymous.action.package_show(id="clinic-list")["groups"] == []
