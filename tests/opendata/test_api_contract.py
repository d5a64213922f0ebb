"""The CKAN API contract as bytes on the wire: envelope, error types and status codes, GET and
POST, unknown actions, tokens in the Authorization header (and hashed at rest)."""

from __future__ import annotations

import json

import pytest


def _post(client, name, data, token=None, **headers):
    if token:
        headers["HTTP_AUTHORIZATION"] = token
    return client.post(
        f"/api/3/action/{name}", json.dumps(data), content_type="application/json", **headers
    )


def test_envelope_of_a_successful_call(client, make_dataset):
    make_dataset("road-traffic")
    for response in (
        client.get("/api/3/action/package_show", {"id": "road-traffic"}),
        client.post(
            "/api/action/package_show",
            json.dumps({"id": "road-traffic"}),
            content_type="application/json",
        ),
    ):
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json;charset=utf-8"
        body = response.json()
        assert set(body) == {"help", "success", "result"}
        assert body["success"] is True
        assert body["help"] == "http://testserver/api/3/action/help_show?name=package_show"
        assert body["result"]["name"] == "road-traffic"
    help_text = client.get("/api/3/action/help_show", {"name": "package_search"}).json()["result"]
    assert "facet.field" in help_text
    assert client.get("/api/3").json() == {"version": 3}


@pytest.mark.parametrize(
    ("call", "status", "kind"),
    [
        (lambda c: c.get("/api/3/action/package_show", {"id": "nope"}), 404, "Not Found Error"),
        (lambda c: _post(c, "package_create", {"name": "x-y"}), 403, "Authorization Error"),
        (
            lambda c: _post(c, "package_create", {"name": "x-y"}, token="wrong"),
            403,
            "Authorization Error",
        ),
        (
            lambda c: c.get("/api/3/action/package_search", {"q": "title:("}),
            400,
            "Search Query Error",
        ),
        (
            lambda c: c.get("/api/3/action/package_search", {"rows": "many"}),
            409,
            "Validation Error",
        ),
        (
            lambda c: c.get("/api/3/action/package_search", {"colour": "red"}),
            400,
            "Search Query Error",
        ),
        (
            lambda c: c.get("/api/3/action/datastore_search", {"resource_id": "x"}),
            404,
            "Not Found Error",
        ),
        (lambda c: c.get("/api/3/action/package_show"), 409, "Validation Error"),
    ],
)
def test_errors_have_ckan_types_and_status_codes(client, publisher, call, status, kind):
    response = call(client)
    assert response.status_code == status
    body = response.json()
    assert body["success"] is False
    assert body["error"]["__type"] == kind
    assert "Traceback" not in response.content.decode()


def test_validation_errors_name_each_field(client, publisher):
    response = _post(
        client,
        "package_create",
        {"name": "A", "owner_org": "ministry-of-health", "license_id": "mine", "theme": ["XX"]},
        token=publisher["token"],
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["__type"] == "Validation Error"
    assert set(error) >= {"name", "license_id", "theme"}


def test_unknown_action_and_bad_requests_are_400(client, publisher):
    unknown = client.get("/api/3/action/make_coffee")
    assert unknown.status_code == 400
    assert unknown.json() == "Bad request: Action name not known: make_coffee"
    write_by_get = client.get("/api/3/action/package_create", {"name": "x"})
    assert write_by_get.status_code == 400
    assert "Please use POST" in write_by_get.json()
    broken = client.post(
        "/api/3/action/package_search", "{not json", content_type="application/json"
    )
    assert broken.status_code == 400 and broken.json().startswith("Bad request: JSON Error")
    array = client.post("/api/3/action/package_search", "[1]", content_type="application/json")
    assert array.status_code == 400


def test_limits_and_defaults(client, make_dataset):
    for i in range(12):
        make_dataset(f"set-{i:02d}")
    found = client.get("/api/3/action/package_search").json()["result"]
    assert found["count"] == 12 and len(found["results"]) == 10
    assert found["sort"] == "score desc, metadata_modified desc"
    capped = client.get("/api/3/action/package_search", {"rows": 5000}).json()["result"]
    assert len(capped["results"]) == 12
    names = client.get("/api/3/action/package_list", {"limit": 3, "offset": 2}).json()["result"]
    assert names == ["set-02", "set-03", "set-04"]


def test_tokens_are_hashed_at_rest_and_can_be_revoked(client, publisher):
    from civitas.opendata import services
    from civitas.opendata.models import ApiToken

    token = publisher["token"]
    stored = ApiToken.objects.get(user=publisher["editor"])
    assert token not in stored.digest and len(stored.digest) == 64
    ok = _post(
        client,
        "package_create",
        {"name": "with-token", "owner_org": "ministry-of-health"},
        token=token,
    )
    assert ok.status_code == 200
    bearer = _post(
        client,
        "package_patch",
        {"id": "with-token", "title": "Bearer"},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert bearer.json()["result"]["title"] == "Bearer"
    services.revoke_token(actor=publisher["editor"], token=stored)
    refused = _post(client, "package_patch", {"id": "with-token", "title": "Again"}, token=token)
    assert refused.status_code == 403


def test_idempotency_key_makes_create_safe_to_retry(client, publisher):
    first = _post(
        client,
        "package_create",
        {"name": "retry-me", "owner_org": "ministry-of-health"},
        token=publisher["token"],
        HTTP_IDEMPOTENCY_KEY="k-123",
    )
    again = _post(
        client,
        "package_create",
        {"name": "retry-me", "owner_org": "ministry-of-health"},
        token=publisher["token"],
        HTTP_IDEMPOTENCY_KEY="k-123",
    )
    assert first.status_code == again.status_code == 200
    assert first.json()["result"]["id"] == again.json()["result"]["id"]


def test_every_write_is_audited(client, publisher):
    from civitas.audit.models import AuditEvent

    _post(
        client,
        "package_create",
        {"name": "audited", "owner_org": "ministry-of-health"},
        token=publisher["token"],
    )
    _post(client, "package_patch", {"id": "audited", "private": True}, token=publisher["token"])
    _post(client, "package_delete", {"id": "audited"}, token=publisher["token"])
    actions = list(
        AuditEvent.objects.filter(action__startswith="opendata:dataset").values_list(
            "action", "actor_label"
        )
    )
    assert actions == [
        ("opendata:dataset:created", "editor@health.example"),
        ("opendata:dataset:updated", "editor@health.example"),
        ("opendata:dataset:deleted", "editor@health.example"),
    ]


def test_private_dataset_answers_alike_to_outsiders(client, make_dataset, publisher):
    make_dataset("closed", private=True)
    outsider = publisher["outsider_token"]
    answers = []
    for name in ("closed", "never-existed"):
        response = client.get(
            "/api/3/action/package_show", {"id": name}, HTTP_AUTHORIZATION=outsider
        )
        answers.append((response.status_code, response.json()["error"]))
    assert answers[0] == answers[1]
    listing = client.get("/api/3/action/current_package_list_with_resources").json()["result"]
    assert [d["name"] for d in listing] == []
    tags = client.get("/api/3/action/tag_list").json()["result"]
    assert tags == []
    orgs = client.get("/api/3/action/organization_list", {"all_fields": True}).json()["result"]
    assert {o["name"]: o["package_count"] for o in orgs}["ministry-of-health"] == 0


def test_package_update_round_trips_a_package_show_and_never_publishes_by_omission(
    client, make_dataset, publisher
):
    make_dataset("kept-private", private=True, tags=["ab"], notes="Notes")
    token = publisher["token"]
    shown = client.get(
        "/api/3/action/package_show", {"id": "kept-private"}, HTTP_AUTHORIZATION=token
    ).json()
    package = shown["result"]
    package["title"] = "Renamed"
    updated = _post(client, "package_update", package, token=token).json()["result"]
    assert updated["title"] == "Renamed" and updated["private"] is True
    assert [t["name"] for t in updated["tags"]] == ["ab"]
    bare = _post(
        client, "package_update", {"id": "kept-private", "title": "Bare"}, token=token
    ).json()["result"]
    assert bare["private"] is True and bare["notes"] == "" and bare["tags"] == []
