"""The rules engine over HTTP answers in OpenFisca's /calculate shape and explains its values."""

from __future__ import annotations

import json

import pytest

SITUATION = {
    "persons": {
        "amina": {"birth": {"ETERNITY": "1991-04-12"}, "income": {"2026-01": 650}},
        "omar": {"birth": {"ETERNITY": "1988-09-03"}, "income": {"2026-01": 300}},
        "leila": {"birth": {"ETERNITY": "2017-06-21"}, "income": {"2026-01": 0}},
        "yusuf": {"birth": {"ETERNITY": "2021-02-08"}, "income": {"2026-01": 0}},
    },
    "households": {
        "home": {
            "adults": ["amina", "omar"],
            "children": ["leila", "yusuf"],
            "eligible": {"2026-01": None},
            "amount": {"2026-01": None},
        }
    },
}


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


@pytest.mark.django_db
def test_calculate_fills_the_null_values_like_openfisca(client, demo_country):
    response = post(client, "/api/v1/rules/child-benefit/calculate", SITUATION)
    assert response.status_code == 200, response.content
    home = response.json()["households"]["home"]
    assert home["eligible"]["2026-01"] is True
    assert home["amount"]["2026-01"] > 0
    # the inputs come back as they were sent
    assert response.json()["persons"]["amina"]["income"]["2026-01"] == 650


@pytest.mark.django_db
def test_explain_gives_values_and_an_explanation_with_references(client, demo_country):
    response = post(client, "/api/v1/rules/child-benefit/explain?period=2026-01", SITUATION)
    assert response.status_code == 200, response.content
    text = json.dumps(response.json())
    assert "Social Protection Act" in text


@pytest.mark.django_db
def test_bad_situations_are_400_with_the_reason_and_unknown_programmes_404(client, demo_country):
    bad = post(client, "/api/v1/rules/child-benefit/calculate", {"persons": {"x": {"nope": 1}}})
    assert bad.status_code == 400 and bad.json()["detail"]
    missing = post(client, "/api/v1/rules/no-such-programme/calculate", SITUATION)
    assert missing.status_code == 404


@pytest.mark.django_db
def test_rules_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/rules/{programme}/calculate" in paths
    assert "/api/v1/rules/{programme}/explain" in paths


@pytest.mark.django_db
def test_explain_answers_the_determination_as_the_engine_writes_it(client, demo_country):
    response = post(client, "/api/v1/rules/child-benefit/explain?period=2026-01", SITUATION)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["period"] == "2026-01"
    assert set(body["values"]) >= {"eligible", "amount"}
    amount = next(n for n in body["explanation"] if n["variable"] == "amount")
    assert amount["value"] == body["values"]["amount"]["home"]
    assert body["definitions"]["amount"]["entity"] == "household"


@pytest.mark.django_db
def test_an_integer_too_large_for_the_fast_encoder_is_still_answered(client, demo_country):
    """orjson refuses integers beyond 64 bits; the echoed situation then goes through the
    API's usual encoder instead of failing."""
    situation = json.loads(json.dumps(SITUATION))
    situation["persons"]["amina"]["income"]["2026-01"] = 10**30
    response = post(client, "/api/v1/rules/child-benefit/calculate", situation)
    assert response.status_code == 200, response.content
    assert response.json()["persons"]["amina"]["income"]["2026-01"] == 10**30
    assert response.json()["households"]["home"]["eligible"]["2026-01"] is False
