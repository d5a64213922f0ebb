"""Rate limits: a client over the limit gets 429 with Retry-After; others are unaffected; a dead
cache never takes the service down."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.test import override_settings
from django.urls import reverse

from civitas.config.env import ConfigurationError
from civitas.security.envconfig import rate_limits
from tests.conftest import free_port

PAGES = [{"name": "pages", "path": r"^/benefits/", "limit": 3, "window": 60, "key": "client"}]


@pytest.fixture(autouse=True)
def _fresh_cache():
    caches["default"].clear()
    yield
    caches["default"].clear()


@pytest.mark.django_db
def test_over_the_limit_gets_429_with_retry_after(client):
    with override_settings(CIVITAS_RATE_LIMITS=PAGES):
        codes = [client.get(reverse("programs:catalogue")).status_code for _ in range(4)]
        refused = client.get(reverse("programs:catalogue"))
    assert codes == [200, 200, 200, 429]
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "Too many requests" in refused.content.decode()


@pytest.mark.django_db
def test_limits_count_per_client(client, citizen, other_citizen):
    other = client.__class__()
    client.force_login(citizen)
    other.force_login(other_citizen)
    with override_settings(CIVITAS_RATE_LIMITS=PAGES):
        for _ in range(3):
            client.get(reverse("programs:catalogue"))
        assert client.get(reverse("programs:catalogue")).status_code == 429
        assert other.get(reverse("programs:catalogue")).status_code == 200


@pytest.mark.django_db
def test_addresses_behind_a_trusted_proxy_are_told_apart(client):
    with override_settings(CIVITAS_RATE_LIMITS=PAGES, CIVITAS_TRUSTED_PROXY_COUNT=1):
        for _ in range(3):
            client.get(reverse("programs:catalogue"), HTTP_X_FORWARDED_FOR="203.0.113.5")
        limited = client.get(reverse("programs:catalogue"), HTTP_X_FORWARDED_FOR="203.0.113.5")
        # a client cannot escape by writing its own address to the left of the proxy's
        spoofed = client.get(
            reverse("programs:catalogue"), HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.5"
        )
        other = client.get(reverse("programs:catalogue"), HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert (limited.status_code, spoofed.status_code, other.status_code) == (429, 429, 200)


@pytest.mark.django_db
def test_api_clients_get_json(client):
    rules = [{"name": "api", "path": r"^/api/", "limit": 0, "window": 60, "key": "ip"}]
    with override_settings(CIVITAS_RATE_LIMITS=rules):
        response = client.get("/api/v1/openapi.json")
    assert response.status_code == 429
    assert "Too many requests" in response.json()["detail"]


@pytest.mark.django_db
def test_a_cache_that_is_down_lets_requests_through(client):
    dead = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
    with override_settings(CIVITAS_RATE_LIMITS=PAGES, CACHES={"default": dead}):
        assert client.get(reverse("programs:catalogue")).status_code == 200


def test_rate_limit_settings_are_checked():
    rules = {rule["name"]: rule for rule in rate_limits("api=10/1")}
    assert (rules["api"]["limit"], rules["api"]["window"]) == (10, 1)
    assert rules["signin"]["limit"] == 20
    assert rate_limits("off") == []
    with pytest.raises(ConfigurationError, match="RATE_LIMITS"):
        rate_limits("api=lots")
    with pytest.raises(ConfigurationError, match="RATE_LIMITS"):
        rate_limits("nonsense=1/1")
