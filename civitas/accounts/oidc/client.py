"""The OpenID Connect relying party: what Civitas sends and what it accepts.

- Authorization request: code flow with PKCE (S256), a random ``state`` against forged callbacks
  and a random ``nonce`` bound to the ID token.
- Token request: ``client_secret_basic`` (RFC 6749 §2.3.1) or ``private_key_jwt`` (RFC 7523, a
  short-lived JWT signed with our key, as MOSIP eSignet requires).
- ID token: signature checked with the provider's published keys (asymmetric algorithms only), then
  ``iss``, ``aud`` (and ``azp``), ``exp``, ``iat`` and ``nonce``.
- Userinfo: plain JSON or a signed JWT; its ``sub`` must be the ID token's.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from joserfc import jws, jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from civitas.accounts.oidc import config as oidc_config
from civitas.accounts.oidc.config import ProviderConfig
from civitas.accounts.oidc.http import OIDCError, call

# Asymmetric signatures only: "none" and HMAC ("HS256", keyed with the client secret) are refused.
ALLOWED_ALGORITHMS = [
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
    "EdDSA",
    "Ed25519",
]
CLOCK_LEEWAY_SECONDS = 60
ASSERTION_LIFETIME_SECONDS = 60


@dataclass(frozen=True)
class AuthorizationRequest:
    url: str
    state: str
    nonce: str
    code_verifier: str


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def code_challenge(verifier: str) -> str:
    """RFC 7636 S256: BASE64URL(SHA256(ASCII(code_verifier)))."""
    return _b64url(hashlib.sha256(verifier.encode("ascii")).digest())


def authorization_request(
    config: ProviderConfig, *, redirect_uri: str, ui_locales: str = ""
) -> AuthorizationRequest:
    endpoint = oidc_config.discovery(config)["authorization_endpoint"]
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)  # 86 characters, within RFC 7636's 43..128
    params = {
        "response_type": "code",
        "client_id": config.client_id,
        "redirect_uri": redirect_uri,
        "scope": config.scopes,
        "state": state,
        "nonce": nonce,
        "code_challenge": code_challenge(verifier),
        "code_challenge_method": "S256",
    }
    if config.acr_values:
        params["acr_values"] = config.acr_values
    if config.claims_request:
        params["claims"] = config.claims_request
    if ui_locales:
        params["ui_locales"] = ui_locales
    separator = "&" if "?" in endpoint else "?"
    return AuthorizationRequest(
        url=f"{endpoint}{separator}{urlencode(params)}",
        state=state,
        nonce=nonce,
        code_verifier=verifier,
    )


def client_assertion(config: ProviderConfig, *, audience: str, now: int | None = None) -> str:
    """RFC 7523 client authentication: a one-use JWT about ourselves, signed with our key."""
    if config.private_key is None:
        raise OIDCError("private_key_jwt needs OIDC_PRIVATE_KEY_FILE")
    issued = int(time.time()) if now is None else now
    claims = {
        "iss": config.client_id,
        "sub": config.client_id,
        "aud": audience,
        "jti": secrets.token_urlsafe(24),
        "iat": issued,
        "exp": issued + ASSERTION_LIFETIME_SECONDS,
    }
    alg = oidc_config.signing_alg(config.private_key)
    header = {"alg": alg}
    if config.private_key.kid:
        header["kid"] = config.private_key.kid
    return jwt.encode(header, claims, config.private_key, algorithms=[alg])


def exchange_code(
    config: ProviderConfig, *, code: str, redirect_uri: str, code_verifier: str
) -> dict:
    """Trade the authorization code for tokens at the token endpoint."""
    token_endpoint = oidc_config.discovery(config)["token_endpoint"]
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": code_verifier,
    }
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if config.auth_method == "private_key_jwt":
        form.update(
            client_id=config.client_id,
            client_assertion_type="urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            client_assertion=client_assertion(config, audience=token_endpoint),
        )
    else:
        # RFC 6749 §2.3.1: both parts form-urlencoded before base64
        pair = f"{quote(config.client_id, safe='')}:{quote(config.client_secret, safe='')}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode("ascii")
    reply = call(
        token_endpoint, what="the token endpoint", data=urlencode(form).encode(), headers=headers
    )
    if reply.status != 200:
        detail = ""
        try:
            body = reply.json()
            detail = f"{body.get('error', '')}: {body.get('error_description', '')}"
        except OIDCError:
            detail = reply.body[:200].decode("utf-8", "replace")
        raise OIDCError(f"the token endpoint refused the code ({reply.status} {detail})")
    tokens = reply.json()
    if not tokens.get("id_token"):
        raise OIDCError("the token response has no id_token")
    if str(tokens.get("token_type", "")).lower() not in {"bearer", "dpop"}:
        raise OIDCError(f"unexpected token_type {tokens.get('token_type')!r}")
    return tokens


def _verify_signature(config: ProviderConfig, token: str, *, what: str) -> dict:
    try:
        header = jws.extract_compact(token.encode("ascii")).headers()
    except (JoseError, ValueError, UnicodeError):
        raise OIDCError(f"{what} is not a signed JWT") from None
    alg = header.get("alg")
    if alg not in ALLOWED_ALGORITHMS:
        raise OIDCError(f"{what} is signed with {alg!r}, which is not accepted")
    for attempt in (0, 1):
        keyset = oidc_config.keys(config, refresh=attempt == 1)
        try:
            if header.get("kid"):
                return jwt.decode(token, keyset, algorithms=ALLOWED_ALGORITHMS).claims
            return _decode_without_kid(token, keyset)
        except InvalidKeyIdError:
            continue  # the provider may have rotated its keys: fetch them once more
        except JoseError as exc:
            raise OIDCError(f"{what} signature is not valid ({exc.error})") from None
    raise OIDCError(f"{what} is signed with a key the provider does not publish")


def _decode_without_kid(token: str, keyset: KeySet) -> dict:
    """Tokens without ``kid``: accept a signature made by any one of the published keys."""
    last: JoseError | None = None
    for key in keyset.keys:
        try:
            return jwt.decode(token, key, algorithms=ALLOWED_ALGORITHMS).claims
        except JoseError as exc:
            last = exc
    raise last or InvalidKeyIdError()


def validate_id_token(
    config: ProviderConfig, id_token: str, *, nonce: str, now: float | None = None
) -> dict:
    """The ID token's claims, after checking signature, issuer, audience, time and nonce."""
    claims = _verify_signature(config, id_token, what="the ID token")
    moment = time.time() if now is None else now
    if claims.get("iss") != config.issuer:
        raise OIDCError(f"the ID token was issued by {claims.get('iss')!r}, not {config.issuer!r}")
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if config.client_id not in audiences:
        raise OIDCError("the ID token is not meant for this client (aud)")
    if (len(audiences) > 1 or "azp" in claims) and claims.get("azp") != config.client_id:
        raise OIDCError("the ID token was issued to another party (azp)")
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, int | float) or exp + CLOCK_LEEWAY_SECONDS < moment:
        raise OIDCError("the ID token has expired")
    if not isinstance(iat, int | float) or iat - CLOCK_LEEWAY_SECONDS > moment:
        raise OIDCError("the ID token is dated in the future (iat)")
    if not nonce or not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
        raise OIDCError("the ID token's nonce does not match this sign-in")
    if not claims.get("sub"):
        raise OIDCError("the ID token has no subject (sub)")
    return claims


def fetch_userinfo(config: ProviderConfig, *, access_token: str, subject: str) -> dict:
    """Claims from the userinfo endpoint (JSON or a signed JWT, as eSignet sends); {} if the
    provider has no such endpoint."""
    endpoint = oidc_config.discovery(config).get("userinfo_endpoint")
    if not endpoint or not access_token:
        return {}
    reply = call(
        endpoint,
        what="the userinfo endpoint",
        headers={
            "Authorization": f"Bearer {access_token}",
            "Accept": "application/json, application/jwt",
        },
    )
    if reply.status != 200:
        raise OIDCError(f"the userinfo endpoint answered {reply.status}")
    if reply.content_type == "application/jwt":
        claims = _verify_signature(config, reply.body.decode("ascii").strip(), what="userinfo")
        if claims.get("iss", config.issuer) != config.issuer:
            raise OIDCError("the signed userinfo comes from another issuer")
        audience = claims.get("aud", config.client_id)
        if config.client_id not in (audience if isinstance(audience, list) else [audience]):
            raise OIDCError("the signed userinfo is not meant for this client")
    else:
        claims = reply.json()
    if claims.get("sub") != subject:
        raise OIDCError("the userinfo is about another person than the ID token (sub)")
    return claims


def claim(claims: dict, name: str) -> str:
    """A claim by name; a dotted name reaches into nested objects (``"address.locality"``)."""
    value: object = claims
    for part in name.split("."):
        if not isinstance(value, dict):
            return ""
        value = value.get(part)
    if isinstance(value, dict | list):
        return json.dumps(value)
    return "" if value is None else str(value)
