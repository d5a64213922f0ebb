"""Sign-in with the national eID, end to end against a real OpenID provider on 127.0.0.1.

The provider (npm ``oidc-provider``) requires PKCE from every client and checks our client
authentication for real; Civitas fetches its discovery document, keys, tokens and userinfo over
HTTP, and the browser's trip through the provider's sign-in form is real HTTP too.
"""

from __future__ import annotations

import base64
import json
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from joserfc import jwt

from civitas.accounts.models import ExternalIdentity, User
from civitas.accounts.oidc import client as oidc
from civitas.accounts.oidc import http
from civitas.accounts.oidc.config import provider
from civitas.accounts.oidc.http import OIDCError
from civitas.audit.models import AuditEvent
from civitas.registry.models import Person
from civitas.registry.national_id import make_national_id
from tests.accounts.conftest import ProviderBrowser, eid_sign_in


def signed_in_as(client):
    return client.session.get("_auth_user_id")


@pytest.mark.django_db
def test_pkce_basic_client_and_matching_on_the_national_id(client, citizen, use_provider):
    """Amina signs in with her eID: recognised through the registry by her national ID, she lands
    in the account she already had (her eID email is different and plays no part)."""
    issuer = use_provider("client_secret_basic").issuer
    started, done = eid_sign_in(client, "amina", start="/accounts/eid/start/?next=/applications/")

    query = parse_qs(urlsplit(started.url).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["client_id"] == ["civitas-basic"] and query["response_type"] == ["code"]
    assert query["state"][0] and query["nonce"][0]
    assert done.status_code == 302 and done.url == "/applications/"
    assert signed_in_as(client) == str(citizen.pk)
    identity = ExternalIdentity.objects.get()
    assert (identity.issuer, identity.user) == (issuer, citizen)
    assert User.objects.filter(email__endswith="@accounts.invalid").count() == 0
    assert AuditEvent.objects.filter(
        action="accounts:session:signed_in", context__method="eid"
    ).exists()


def test_the_code_challenge_is_s256_of_the_verifier():
    # RFC 7636 appendix B
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert oidc.code_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


@pytest.mark.django_db
def test_private_key_jwt_with_signed_userinfo_creates_one_account_per_subject(
    client, demo_country, use_provider, monkeypatch
):
    """The eSignet-like client authenticates with a signed JWT and receives userinfo as a JWT.
    Someone unknown to the registry gets a new account once, then the same account again."""
    replies = []

    def recording_call(url, **kwargs):  # passes every call through, keeping what was said
        reply = http.call(url, **kwargs)
        replies.append((url, kwargs.get("data") or b"", reply.content_type))
        return reply

    monkeypatch.setattr(oidc, "call", recording_call)
    use_provider("private_key_jwt")
    _, done = eid_sign_in(client, "newcomer")
    assert done.status_code == 302
    (_, token_request, _), (_, _, userinfo_type) = replies
    assert b"client_assertion_type=urn%3Aietf%3Aparams%3Aoauth" in token_request
    assert b"client_secret" not in token_request
    assert userinfo_type == "application/jwt"
    user = User.objects.get(pk=signed_in_as(client))
    assert user.full_name == "Nadia Newcomer"
    assert user.email == "nadia@example.org" and user.email_verified_at is not None
    assert not user.has_usable_password()

    client.logout()
    eid_sign_in(client, "newcomer")
    assert signed_in_as(client) == str(user.pk)
    assert User.objects.filter(full_name="Nadia Newcomer").count() == 1


@pytest.mark.django_db
def test_a_registry_person_without_an_account_is_linked_to_the_new_one(
    client, citizen, use_provider
):
    use_provider("private_key_jwt")
    eid_sign_in(client, "omar")
    omar = Person.objects.with_national_id(make_national_id(99_000_002)).get()
    assert omar.account is not None and str(omar.account.pk) == signed_in_as(client)
    assert omar.account != citizen


@pytest.mark.django_db
def test_people_are_never_matched_on_email(client, other_citizen, use_provider):
    """The eID says its holder's (verified) email is that of an existing account: a separate
    account is created, and the existing one is neither signed in nor changed."""
    use_provider()
    eid_sign_in(client, "lookalike")
    user = User.objects.get(pk=signed_in_as(client))
    assert user != other_citizen
    assert user.email.endswith("@accounts.invalid")
    assert not ExternalIdentity.objects.filter(user=other_citizen).exists()


@pytest.mark.django_db
def test_a_callback_with_another_state_is_refused(client, citizen, use_provider):
    use_provider()
    started = client.get("/accounts/eid/start/")
    callback = ProviderBrowser().sign_in(started.url, "amina")
    forged = callback.replace("state=", "state=x")
    response = client.get(forged.removeprefix("http://testserver"))
    assert response.status_code == 400
    assert "You are not signed in with your CivitasID" in response.content.decode()
    assert signed_in_as(client) is None
    # the real state still works once, and only once
    path = callback.removeprefix("http://testserver")
    assert client.get(path).status_code == 302 and signed_in_as(client) == str(citizen.pk)
    client.logout()
    assert client.get(path).status_code == 400 and signed_in_as(client) is None


@pytest.mark.django_db
def test_an_id_token_with_another_nonce_is_refused(client, citizen, use_provider):
    """If the ID token does not carry the nonce of this sign-in (a token replayed or injected
    from another one), nobody is signed in."""
    use_provider()

    def other_nonce(flows):
        for flow in flows.values():
            flow["nonce"] = "a-nonce-from-another-sign-in"

    _, done = eid_sign_in(client, "amina", tamper=other_nonce)
    assert done.status_code == 400 and signed_in_as(client) is None
    assert not ExternalIdentity.objects.exists()


@pytest.mark.django_db
def test_a_wrong_pkce_verifier_is_refused_by_the_provider(client, citizen, use_provider):
    use_provider("private_key_jwt")

    def other_verifier(flows):
        for flow in flows.values():
            flow["verifier"] = "x" * 64

    _, done = eid_sign_in(client, "amina", tamper=other_verifier)
    assert done.status_code == 400 and signed_in_as(client) is None


@pytest.mark.django_db
def test_a_wrong_client_key_is_refused_by_the_provider(client, citizen, use_provider, tmp_path):
    from joserfc.jwk import RSAKey

    stranger = tmp_path / "stranger.pem"
    stranger.write_bytes(RSAKey.generate_key(2048).as_pem(private=True))
    use_provider("private_key_jwt", OIDC_PRIVATE_KEY_FILE=str(stranger))
    _, done = eid_sign_in(client, "amina")
    assert done.status_code == 400 and signed_in_as(client) is None


@pytest.mark.django_db
def test_staff_signing_in_with_an_eid_still_pass_the_authenticator_app(
    client, caseworker, use_provider, settings
):
    """A staff member linked to an eID lands on the MFA set-up page, not in the back office."""
    use_provider()
    ExternalIdentity.objects.create(
        issuer=settings.OIDC_ISSUER, subject="newcomer", user=caseworker
    )
    _, done = eid_sign_in(client, "newcomer", start="/accounts/eid/start/?next=/staff/")
    assert done.status_code == 302 and done.url.startswith("/accounts/two-factor/set-up/")
    assert client.get("/staff/").status_code == 302


@pytest.mark.django_db
def test_eid_sign_in_is_off_without_an_issuer(client, settings):
    settings.OIDC_ISSUER = ""
    assert client.get("/accounts/eid/start/").status_code == 404
    assert "eid/start" not in client.get("/accounts/sign-in/").content.decode()


# --- ID token checks, with tokens signed by the provider's own key --------------------------------


def _token(oidc_provider, **overrides):
    now = int(time.time())
    claims = {
        "iss": oidc_provider.issuer,
        "sub": "someone",
        "aud": "civitas-basic",
        "iat": now,
        "exp": now + 300,
        "nonce": "n-1",
        **overrides,
    }
    claims = {k: v for k, v in claims.items() if v is not None}
    key = oidc_provider.signing_key
    return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({}, None),
        ({"iss": "http://127.0.0.1:1"}, "issued by"),
        ({"aud": "another-client"}, "not meant for this client"),
        ({"aud": ["civitas-basic", "another"], "azp": "another"}, "another party"),
        ({"exp": int(time.time()) - 3600}, "expired"),
        ({"iat": int(time.time()) + 3600}, "future"),
        ({"nonce": "n-2"}, "nonce"),
        ({"nonce": None}, "nonce"),
    ],
)
def test_id_token_claims_are_checked(use_provider, overrides, reason):
    oidc_provider = use_provider()
    config = provider()
    token = _token(oidc_provider, **overrides)
    if reason is None:
        assert oidc.validate_id_token(config, token, nonce="n-1")["sub"] == "someone"
    else:
        with pytest.raises(OIDCError, match=reason):
            oidc.validate_id_token(config, token, nonce="n-1")


def test_unsigned_symmetric_or_foreign_tokens_are_refused(use_provider):
    from joserfc.jwk import OctKey, RSAKey

    oidc_provider = use_provider()
    config = provider()
    now = int(time.time())
    claims = {"iss": oidc_provider.issuer, "sub": "x", "aud": "civitas-basic", "iat": now}
    claims |= {"exp": now + 60, "nonce": "n"}
    hmac_token = jwt.encode({"alg": "HS256"}, claims, OctKey.import_key("civitas-basic-secret"))
    with pytest.raises(OIDCError, match="not accepted"):
        oidc.validate_id_token(config, hmac_token, nonce="n")

    def b64(data: str) -> str:
        return base64.urlsafe_b64encode(data.encode()).rstrip(b"=").decode()

    none_header = b64(json.dumps({"alg": "none"}))
    unsigned = f"{none_header}.{b64(json.dumps(claims))}."
    with pytest.raises(OIDCError):
        oidc.validate_id_token(config, unsigned, nonce="n")
    stranger = RSAKey.generate_key(2048, parameters={"kid": "provider-1"})
    forged = jwt.encode({"alg": "RS256", "kid": "provider-1"}, claims, stranger)
    with pytest.raises(OIDCError, match="signature"):
        oidc.validate_id_token(config, forged, nonce="n")
    unknown = jwt.encode({"alg": "RS256", "kid": "rotated-away"}, claims, stranger)
    with pytest.raises(OIDCError, match="does not publish"):
        oidc.validate_id_token(config, unknown, nonce="n")


@pytest.mark.django_db
def test_an_unreachable_provider_gets_a_page_not_a_stack_trace(client, settings):
    from civitas.accounts.oidc.config import forget_cached_metadata
    from tests.conftest import free_port

    settings.OIDC_ISSUER = f"http://127.0.0.1:{free_port()}"
    settings.OIDC_CLIENT_ID, settings.OIDC_CLIENT_SECRET = "c", "s"
    settings.OIDC_TOKEN_AUTH_METHOD = "client_secret_basic"
    forget_cached_metadata()
    response = client.get("/accounts/eid/start/")
    assert response.status_code == 503
    assert "You are not signed in with your national eID" in response.content.decode()
    assert "Traceback" not in response.content.decode()
    forget_cached_metadata()
