"""A person's personal access token, and a client that sends it."""

from __future__ import annotations

import json

import pytest

from civitas.applications import services
from civitas.applications.models import SCOPES
from tests.applications.conftest import no_scanner, private_dir  # noqa: F401 - shared fixtures


class ApiClient:
    def __init__(self, client, token: str | None):
        self.client = client
        self.token = token

    def _headers(self, extra=None):
        headers = dict(extra or {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def get(self, path, **extra):
        return self.client.get(f"/api/v1{path}", headers=self._headers(extra.pop("headers", None)))

    def post(self, path, data=None, *, headers=None, raw=None, content_type="application/json"):
        body = raw if raw is not None else json.dumps(data if data is not None else {})
        return self.client.post(
            f"/api/v1{path}", body, content_type=content_type, headers=self._headers(headers)
        )

    def patch(self, path, data):
        return self.client.patch(
            f"/api/v1{path}",
            json.dumps(data),
            content_type="application/json",
            headers=self._headers(),
        )

    def upload(self, path, file):
        return self.client.post(f"/api/v1{path}", {"file": file}, headers=self._headers())


def make_token(user, scopes=None) -> str:
    _token, raw = services.create_personal_token(
        user=user, name="tests", scopes=scopes or list(SCOPES), expires_in_days=30
    )
    return raw


@pytest.fixture
def api(client, citizen):
    return ApiClient(client, make_token(citizen))


@pytest.fixture
def anonymous_api(client, demo_country):
    return ApiClient(client, None)
