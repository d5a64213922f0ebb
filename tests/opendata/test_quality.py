"""The metadata quality score: each check, and link checking against a real local web server."""

from __future__ import annotations

import http.server
import io
import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.conftest import free_port


@pytest.fixture
def web_server():
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_HEAD(self):
            self.send_response(200 if self.path == "/ok.csv" else 404)
            self.end_headers()

        def log_message(self, *args):
            pass

    port = free_port()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    server.server_close()


def _quality(client, name):
    result = client.get("/api/3/action/package_show", {"id": name}).json()["result"]["quality"]
    return result["score"], {check["key"]: check["passed"] for check in result["checks"]}


def test_a_bare_dataset_scores_low_and_says_what_to_do(client, make_dataset):
    make_dataset("bare")
    score, checks = _quality(client, "bare")
    assert score == 0 and not any(checks.values())
    advice = client.get("/api/3/action/package_show", {"id": "bare"}).json()["result"]["quality"]
    assert all(check["advice"] for check in advice["checks"])


def test_a_complete_dataset_scores_full(
    client, make_dataset, editor_access, web_server, django_capture_on_commit_callbacks
):
    from civitas.opendata import services

    dataset = make_dataset(
        "complete",
        notes="A long enough description of what the data holds, how it was collected and where its limits are.",
        license_id="cc-by",
        frequency="MONTHLY",
        temporal_start="2026-01-01",
        documentation_url="https://example.org/docs",
        resources=[{"url": f"{web_server}/ok.csv", "format": "CSV"}],
    )
    upload = io.BytesIO(b"a,b\n1,2\n")
    with django_capture_on_commit_callbacks(execute=True):
        services.create_resource(
            access=editor_access, dataset=dataset, data={}, upload=upload, upload_name="x.csv"
        )
    score, checks = _quality(client, "complete")
    assert not checks["reachable"]  # the link has not been checked yet
    call_command("opendata", "check-links", stdout=io.StringIO())
    score, checks = _quality(client, "complete")
    assert score == 100, checks


def test_broken_links_and_stale_data_lower_the_score(client, make_dataset, web_server):
    from civitas.opendata.models import Dataset, Resource

    make_dataset(
        "stale",
        frequency="MONTHLY",
        resources=[{"url": f"{web_server}/missing.csv", "format": "CSV"}],
    )
    call_command("opendata", "check-links", stdout=io.StringIO())
    _, checks = _quality(client, "stale")
    assert checks["reachable"] is False and checks["open_format"] is True
    assert checks["frequency"] is True
    old = timezone.now() - timedelta(days=90)
    Dataset.objects.filter(name="stale").update(metadata_modified=old)
    Resource.objects.filter(dataset__name="stale").update(last_modified=old)
    _, checks = _quality(client, "stale")
    assert checks["frequency"] is False
