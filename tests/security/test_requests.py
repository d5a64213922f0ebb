"""Request ids tie log lines to requests; logs are one JSON object per line; hostile bodies get
a 4xx before any view reads them."""

from __future__ import annotations

import json
import logging

import pytest
from django.test import override_settings
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from civitas.security.limits import json_depth
from civitas.security.logs import JsonFormatter, RequestIdFilter
from civitas.security.requestid import bind_request_id, reset_request_id


@pytest.mark.django_db
def test_every_response_has_a_request_id_and_a_good_incoming_one_is_kept(client):
    fresh = client.get(reverse("web:home"))
    assert len(fresh["X-Request-ID"]) == 32
    kept = client.get(reverse("web:home"), HTTP_X_REQUEST_ID="lb-7f3a.42")
    assert kept["X-Request-ID"] == "lb-7f3a.42"
    hostile = client.get(reverse("web:home"), HTTP_X_REQUEST_ID="x\nInjected: yes")
    assert hostile["X-Request-ID"] != "x\nInjected: yes" and len(hostile["X-Request-ID"]) == 32


def test_json_log_lines_carry_the_request_id_and_extra_fields():
    record = logging.makeLogRecord(
        {"name": "civitas.test", "levelname": "WARNING", "msg": "hello %s", "args": ("world",)}
    )
    record.event = "security:signin:failed"
    token = bind_request_id("req-123")
    try:
        RequestIdFilter().filter(record)
        line = JsonFormatter().format(record)
    finally:
        reset_request_id(token)
    entry = json.loads(line)
    assert entry["message"] == "hello world"
    assert entry["request_id"] == "req-123"
    assert entry["event"] == "security:signin:failed"
    assert entry["level"] == "WARNING" and entry["time"].endswith("+00:00")


@pytest.mark.django_db
def test_access_log_line_names_the_route_without_the_query_string(client, caplog):
    with caplog.at_level(logging.INFO, logger="civitas.access"):
        client.get(reverse("programs:catalogue") + "?national_id=CV123")
    [entry] = [r for r in caplog.records if r.name == "civitas.access"]
    assert entry.route == "programs:catalogue" and entry.status == 200
    assert "CV123" not in JsonFormatter().format(entry)


@pytest.mark.django_db
def test_oversized_body_gets_413_before_it_is_read(client):
    with override_settings(CIVITAS_MAX_BODY_BYTES=2048):
        response = client.post(
            reverse("accounts:login"), data="x" * 5000, content_type="application/json"
        )
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]


@pytest.mark.django_db
def test_deeply_nested_json_gets_400(client):
    body = "[" * 200 + "]" * 200
    response = client.post("/api/v1/anything", data=body, content_type="application/json")
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]


@pytest.mark.django_db
def test_a_content_length_that_is_not_a_number_gets_400(client):
    response = client.post(reverse("accounts:login"), CONTENT_LENGTH="lots")
    assert response.status_code == 400


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{}"\\ab,:'),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(alphabet='[]{}"\\ab'), children, max_size=3)
    ),
    max_leaves=20,
)


def _depth(value) -> int:
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    return 0


@given(json_values)
def test_json_depth_counts_nesting_and_ignores_brackets_inside_strings(value):
    assert json_depth(json.dumps(value).encode()) == _depth(value)


def test_an_unterminated_string_is_consumed_in_one_match_not_retried_at_every_quote():
    from civitas.security.limits import _STRINGS

    # one match to the end means one pass; a pattern that failed here would be re-tried at each of
    # the 400,000 quotes that follow (quadratic time: a denial of service on a 1 MiB body)
    for hostile in (b'"' + b'\\"' * 400_000, b'"abc\\'):
        matches = list(_STRINGS.finditer(hostile))
        assert len(matches) == 1 and matches[0].end() == len(hostile)


@pytest.mark.django_db
def test_paths_given_a_larger_limit_take_larger_bodies(client):
    body = json.dumps({"records": ["x" * 100] * 100})
    with override_settings(CIVITAS_MAX_BODY_BYTES=2048, CIVITAS_BODY_LIMITS={"/api/3/": 1 << 20}):
        bulk = client.post("/api/3/action/package_list", data=body, content_type="application/json")
        other = client.post("/api/v1/anything", data=body, content_type="application/json")
    assert bulk.status_code != 413
    assert other.status_code == 413
