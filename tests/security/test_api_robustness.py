"""API robustness: schemathesis generates requests from the live server's OpenAPI document for
every operation of /api/v1/ (signed in with a citizen's token, so the application endpoints are
reached too). No request may get a server error and no response may break its schema. This is
the short run; ``bench/schemathesis_long.py`` makes more than a thousand requests."""

from __future__ import annotations

import contextlib
import json
import urllib.error
import urllib.request

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

EXAMPLES_PER_OPERATION = 6


@pytest.fixture
def api_token(citizen) -> str:
    from civitas.applications import services
    from civitas.applications.models import SCOPES

    _token, raw = services.create_personal_token(
        user=citizen, name="schemathesis", scopes=list(SCOPES)
    )
    return raw


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_no_generated_request_gets_a_server_error_or_a_response_off_schema(
    live_server, demo_country, api_token
):
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json")
    headers = {"Authorization": f"Bearer {api_token}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 5, "the API describes its operations"
    failures: list[str] = []
    calls = [0]

    def fuzz(operation) -> None:
        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            response = case.call(headers=headers)
            calls[0] += 1
            try:
                case.validate_response(
                    response,
                    checks=[not_a_server_error, response_schema_conformance],
                    headers=headers,
                )
            except Exception as failure:  # every operation's failure is reported at the end
                failures.append(f"{operation.label}: {str(failure).splitlines()[0][:300]}")
                raise

        with contextlib.suppress(Exception):  # recorded in failures above
            run()

    for operation in operations:
        fuzz(operation)
    requests_made = calls[0]
    assert requests_made >= len(operations)
    assert not failures, "\n".join(failures)


@pytest.mark.django_db(transaction=True)
def test_hostile_bodies_get_4xx_from_the_live_server(live_server, api_token):
    url = f"{live_server.url}/api/v1/applications"
    for body, expected in (
        (b"[" * 5000 + b"]" * 5000, 400),
        (b'{"a":"' + b"x" * 2_000_000 + b'"}', 413),
    ):
        request = urllib.request.Request(
            url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {api_token}"},
        )
        try:
            urllib.request.urlopen(request, timeout=30)
        except urllib.error.HTTPError as error:
            assert error.code == expected
            assert "detail" in json.loads(error.read())
        else:
            pytest.fail(f"a hostile body of {len(body)} bytes was accepted")
