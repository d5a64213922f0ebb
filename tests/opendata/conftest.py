"""Fixtures for the open data tests: storage folders per test, a publisher with an editor and a
token, and small datasets."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def opendata_folders(settings, tmp_path):
    """Each test gets its own private, public and datastore folders, and a fresh search index."""
    from civitas.opendata.search.index import INDEX

    private, public, datastore = tmp_path / "private", tmp_path / "public", tmp_path / "datastore"
    for folder in (private, public, datastore):
        folder.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(private)},
        },
        "public": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(public), "base_url": "/public/"},
        },
    }
    settings.OPENDATA_DATASTORE_DIR = datastore
    settings.VAR_DIR = tmp_path / "var"  # search index snapshots
    settings.OPENDATA_SITE_URL = ""
    INDEX.reset()
    yield {"private": private, "public": public, "datastore": datastore}
    INDEX.reset()


@pytest.fixture
def make_user(db):
    from civitas.accounts import services

    def make(email: str, *, roles: list[str] | None = None):
        return services.create_staff(
            email=email,
            password="a-long-test-password-1",
            full_name=email.split("@")[0],
            roles=roles or [],
        )

    return make


@pytest.fixture
def publisher(db, make_user):
    """The Ministry of Health with an editor (and their API token) and an outsider."""
    from civitas.opendata import services
    from civitas.opendata.models import Capacity

    org = services.ensure_organization(
        actor="test",
        name="ministry-of-health",
        title="Ministry of Health",
        email="data@health.example",
    )
    other = services.ensure_organization(
        actor="test", name="ministry-of-finance", title="Ministry of Finance"
    )
    editor = make_user("editor@health.example")
    services.add_member(actor="test", organization=org, user=editor, capacity=Capacity.EDITOR)
    outsider = make_user("outsider@finance.example")
    services.add_member(actor="test", organization=other, user=outsider, capacity=Capacity.EDITOR)
    _, token = services.create_token(actor=editor, user=editor, name="tests")
    _, outsider_token = services.create_token(actor=outsider, user=outsider, name="tests")
    return {
        "org": org,
        "other": other,
        "editor": editor,
        "token": token,
        "outsider": outsider,
        "outsider_token": outsider_token,
    }


@pytest.fixture
def editor_access(publisher):
    from civitas.opendata.selectors import access_for

    return access_for(publisher["editor"])


@pytest.fixture
def make_dataset(publisher, editor_access):
    from civitas.opendata import services

    def make(name: str, **fields):
        data = {
            "name": name,
            "title": fields.pop("title", name.replace("-", " ").title()),
            "owner_org": "ministry-of-health",
        }
        data.update(fields)
        return services.create_dataset(access=editor_access, data=data).dataset

    return make
