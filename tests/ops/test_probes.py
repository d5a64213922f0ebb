"""/healthz, /readyz and /metrics: what a load balancer, Kubernetes and Prometheus read."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.conftest import free_port
from tests.ops.conftest import civitas


@pytest.mark.django_db
def test_liveness_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readiness_checks_database_migrations_and_cache(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": "ok", "cache": "ok"}}


def test_readiness_fails_when_the_database_is_unreachable(instance_env):
    env = {**instance_env, "DATABASE_URL": f"postgres://nobody@127.0.0.1:{free_port()}/none"}
    script = (
        "from django.test import Client\n"
        "import json\n"
        "c = Client()\n"
        "r, h = c.get('/readyz'), c.get('/healthz')\n"
        "print(json.dumps([r.status_code, r.json(), h.status_code]))\n"
    )
    out = civitas("shell", "--no-imports", "-c", script, env=env).stdout
    ready_status, body, health_status = json.loads(out.strip().splitlines()[-1])
    assert ready_status == 503 and body["status"] == "not ready"
    assert body["checks"]["database"].startswith("unavailable (OperationalError")
    assert health_status == 200, "a database outage must not get the process restarted"


@pytest.mark.django_db
def test_metrics_count_requests_by_route_and_read_the_queue_and_audit(client, citizen):
    client.get(reverse("web:home"))
    client.get("/no-such-page/")
    body = client.get("/metrics").content.decode()
    assert 'civitas_http_requests_total{method="GET",route="web:home",status="200"}' in body
    assert 'route="unmatched",status="404"' in body
    assert "civitas_http_request_duration_seconds_bucket" in body
    assert "civitas_audit_events " in body
    assert "# TYPE civitas_applications gauge" in body


@pytest.mark.django_db
def test_metrics_need_the_token_when_one_is_set(client):
    with override_settings(CIVITAS_METRICS_TOKEN="s3cret-scrape-token"):
        assert client.get("/metrics").status_code == 404
        assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
        ok = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-scrape-token")
    assert ok.status_code == 200 and ok["Content-Type"].startswith("text/plain")
    with override_settings(CIVITAS_METRICS_TOKEN="", CIVITAS_ENV="production"):
        assert client.get("/metrics").status_code == 404


def test_the_live_gauges_of_a_dead_worker_are_dropped_by_the_next_one(tmp_path):
    """The server replaces a dead worker without telling Prometheus: the next worker to start
    drops the dead one's "in progress" gauge, so its last value no longer counts."""
    import os
    import subprocess

    from civitas.ops.metrics import _forget_dead_workers

    dead = subprocess.Popen(["true"])
    dead.wait()
    mine = os.getpid()
    for pid in (dead.pid, mine):
        (tmp_path / f"gauge_livesum_{pid}.db").write_bytes(b"")
    (tmp_path / f"counter_{dead.pid}.db").write_bytes(b"")  # counters keep adding up
    _forget_dead_workers(str(tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"counter_{dead.pid}.db", f"gauge_livesum_{mine}.db"]
    )
