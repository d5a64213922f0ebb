"""OAuth 2 for third-party apps: authorization code with PKCE, the person's consent recorded, the
token scoped to them; codes work once, refresh tokens rotate, unknown redirect URIs are refused."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from civitas.applications import services
from civitas.applications.models import ApiToken, Consent
from tests.api.conftest import ApiClient

REDIRECT = "https://budget.example/callback"


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    return verifier, challenge.decode()


@pytest.fixture
def app(demo_country):
    client, _secret = services.create_oauth_client(
        actor="tests",
        name="Budget app",
        redirect_uris=[REDIRECT, "org.budget.app:/cb"],
        scopes=["applications:read", "applications:write"],
        confidential=False,
    )
    return client


def authorize_params(app, challenge, *, scope="applications:read", redirect=REDIRECT) -> dict:
    return {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": redirect,
        "scope": scope,
        "state": "state-123",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }


def get_code(client, app, challenge, **kwargs) -> str:
    params = authorize_params(app, challenge, **kwargs)
    page = client.get(f"/oauth/authorize/?{urlencode(params)}")
    assert page.status_code == 200
    assert f"Allow {app.name} to use your account?" in page.content.decode()
    allowed = client.post("/oauth/authorize/", {**params, "decision": "allow"})
    assert allowed.status_code == 302
    target = urlsplit(allowed.url)
    query = parse_qs(target.query)
    assert query["state"] == ["state-123"]
    return query["code"][0]


def exchange(client, app, code, verifier, redirect=REDIRECT):
    return client.post(
        "/oauth/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect,
            "client_id": app.client_id,
            "code_verifier": verifier,
        },
    )


@pytest.mark.django_db
def test_an_app_gets_a_token_scoped_to_the_person_who_allowed_it(client, citizen, app):
    client.force_login(citizen)
    verifier, challenge = pkce()
    code = get_code(client, app, challenge)
    consent = Consent.objects.get(purpose="third_party_app")
    assert consent.user == citizen and "Budget app" in consent.detail
    client.logout()
    response = exchange(client, app, code, verifier)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    tokens = response.json()
    assert tokens["token_type"] == "Bearer" and tokens["scope"] == "applications:read"
    api = ApiClient(client, tokens["access_token"])
    assert api.get("/applications").status_code == 200
    refused = api.post(
        "/applications", {"programme": "child-benefit"}, headers={"Idempotency-Key": "a"}
    )
    assert refused.status_code == 403, "only what the person allowed"
    stored = ApiToken.objects.get()
    assert stored.user == citizen and stored.client == app
    assert tokens["access_token"] not in (stored.token_hash, stored.refresh_hash), "hashed at rest"


@pytest.mark.django_db
def test_a_code_works_once_and_a_replay_takes_back_what_it_gave(client, citizen, app):
    client.force_login(citizen)
    verifier, challenge = pkce()
    code = get_code(client, app, challenge)
    first = exchange(client, app, code, verifier).json()
    replay = exchange(client, app, code, verifier)
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    assert ApiClient(client, first["access_token"]).get("/applications").status_code == 401


@pytest.mark.django_db
def test_pkce_and_redirect_uri_must_match(client, citizen, app):
    client.force_login(citizen)
    verifier, challenge = pkce()
    code = get_code(client, app, challenge)
    wrong_verifier = exchange(client, app, code, pkce()[0])
    assert wrong_verifier.json() == {
        "error": "invalid_grant",
        "error_description": "code_verifier does not match the code_challenge",
    }
    code = get_code(client, app, challenge)
    assert (
        exchange(client, app, code, verifier, redirect="org.budget.app:/cb").json()["error"]
        == "invalid_grant"
    )


@pytest.mark.django_db
def test_refresh_tokens_rotate(client, citizen, app):
    client.force_login(citizen)
    verifier, challenge = pkce()
    tokens = exchange(client, app, get_code(client, app, challenge), verifier).json()
    refresh = {
        "grant_type": "refresh_token",
        "refresh_token": tokens["refresh_token"],
        "client_id": app.client_id,
    }
    renewed = client.post("/oauth/token/", refresh)
    assert renewed.status_code == 200
    assert ApiClient(client, tokens["access_token"]).get("/applications").status_code == 401
    assert ApiClient(client, renewed.json()["access_token"]).get("/applications").status_code == 200
    assert client.post("/oauth/token/", refresh).json()["error"] == "invalid_grant"


@pytest.mark.django_db
def test_an_unregistered_redirect_is_never_followed(client, citizen, app):
    client.force_login(citizen)
    _verifier, challenge = pkce()
    params = authorize_params(app, challenge, redirect="https://evil.example/steal")
    response = client.get(f"/oauth/authorize/?{urlencode(params)}")
    assert response.status_code == 400
    assert "This app is not set up to use Civitas" in response.content.decode()


@pytest.mark.django_db
def test_saying_no_tells_the_app_and_gives_nothing(client, citizen, app):
    client.force_login(citizen)
    _verifier, challenge = pkce()
    params = authorize_params(app, challenge, redirect="org.budget.app:/cb")
    denied = client.post("/oauth/authorize/", {**params, "decision": "deny"})
    assert denied.url.startswith("org.budget.app:/cb?")
    assert parse_qs(urlsplit(denied.url).query)["error"] == ["access_denied"]
    assert not Consent.objects.exists()


@pytest.mark.django_db
def test_pkce_is_required_and_scopes_are_limited(client, citizen, app):
    client.force_login(citizen)
    params = authorize_params(app, "x" * 43)
    params["code_challenge_method"] = "plain"
    response = client.get(f"/oauth/authorize/?{urlencode(params)}")
    assert parse_qs(urlsplit(response.url).query)["error"] == ["invalid_request"]
    too_much = authorize_params(app, "x" * 43, scope="documents:write")
    response = client.get(f"/oauth/authorize/?{urlencode(too_much)}")
    assert parse_qs(urlsplit(response.url).query)["error"] == ["invalid_scope"]


@pytest.mark.django_db
def test_a_confidential_app_must_prove_its_secret(client, citizen, demo_country):
    app, secret = services.create_oauth_client(
        actor="tests",
        name="Partner",
        redirect_uris=[REDIRECT],
        scopes=["applications:read"],
        confidential=True,
    )
    client.force_login(citizen)
    verifier, challenge = pkce()
    code = get_code(client, app, challenge)
    without = exchange(client, app, code, verifier)
    assert without.status_code == 401 and without.json()["error"] == "invalid_client"
    basic = base64.b64encode(f"{app.client_id}:{secret}".encode()).decode()
    with_secret = client.post(
        "/oauth/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
        },
        headers={"Authorization": f"Basic {basic}"},
    )
    assert with_secret.status_code == 200


@pytest.mark.django_db
def test_the_person_sees_and_removes_the_apps_access(client, citizen, app):
    client.force_login(citizen)
    verifier, challenge = pkce()
    tokens = exchange(client, app, get_code(client, app, challenge), verifier).json()
    page = client.get("/my/api-access/").content.decode()
    assert "Budget app" in page and "Remove access" in page
    token = ApiToken.objects.get()
    client.post(f"/my/api-access/{token.pk}/revoke/")
    assert ApiClient(client, tokens["access_token"]).get("/applications").status_code == 401


@pytest.mark.django_db
def test_a_person_makes_a_personal_access_token_shown_once(client, citizen):
    client.force_login(citizen)
    refused = client.post("/my/api-access/", {"name": "", "expires_in_days": "30"})
    assert refused.status_code == 400
    assert "Enter a name for the token" in refused.content.decode()
    made = client.post(
        "/my/api-access/",
        {"name": "My script", "scopes": ["applications:read"], "expires_in_days": "30"},
    )
    html = made.content.decode()
    assert "Copy it now" in html
    raw = html.split('<code class="civitas-token">')[1].split("</code>")[0]
    assert raw.startswith("cvt_pat_")
    assert raw not in client.get("/my/api-access/").content.decode(), "shown once only"
    assert ApiClient(client, raw).get("/applications").status_code == 200


@pytest.mark.django_db
def test_an_app_is_registered_from_the_command_line(demo_country):
    from io import StringIO

    from django.core.management import call_command

    from civitas.applications.models import OAuthClient

    out = StringIO()
    call_command(
        "oauth_client",
        name="Partner",
        redirect_uri=[REDIRECT],
        scope=["applications:read"],
        confidential=True,
        stdout=out,
    )
    client = OAuthClient.objects.get()
    assert f"client_id: {client.client_id}" in out.getvalue()
    secret = out.getvalue().split("client_secret: ")[1].split()[0]
    assert client.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
