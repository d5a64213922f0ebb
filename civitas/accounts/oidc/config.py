"""The identity provider Civitas trusts: settings, discovery document and signing keys.

Discovery (``/.well-known/openid-configuration``) and the provider's keys (JWKS) are fetched when
first needed and kept for an hour; keys are fetched again at once when a token names a key we do not
have (the provider rotated its keys).
"""

from __future__ import annotations

import functools
import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet, OKPKey, RSAKey, import_key

from civitas.accounts.oidc.http import OIDCError, call, check_url

CACHE_SECONDS = 3600
REFETCH_KEYS_AFTER_SECONDS = 30


@dataclass(frozen=True)
class ProviderConfig:
    issuer: str
    client_id: str
    auth_method: str  # client_secret_basic or private_key_jwt
    client_secret: str
    private_key: RSAKey | ECKey | OKPKey | None
    scopes: str
    national_id_claim: str
    name: str
    acr_values: str
    claims_request: str
    redirect_uri: str

    @property
    def label(self) -> str:
        """The provider's name as people know it, on buttons and messages."""
        return self.name or gettext("national eID")


def load_private_key(path: str, *, key_id: str = "") -> RSAKey | ECKey | OKPKey:
    """A private key from a PEM file or a JWK (JSON) file. Its key id (``kid``) is the one given,
    else the one in the JWK; a PEM key without one signs without ``kid``, and the provider tries
    each key registered for the client."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise OIDCError(f"OIDC_PRIVATE_KEY_FILE={path!r} cannot be read ({exc.strerror})") from None
    parameters = {"kid": key_id} if key_id else None
    key = None
    try:
        if raw.lstrip().startswith(b"{"):
            data = json.loads(raw)
            if key_id:
                data["kid"] = key_id
            key = import_key(data)
        else:
            for kind in (RSAKey, ECKey, OKPKey):
                try:
                    key = kind.import_key(raw, parameters=parameters)
                    break
                except (JoseError, ValueError, TypeError):
                    continue
    except (JoseError, ValueError, TypeError) as exc:
        raise OIDCError(f"OIDC_PRIVATE_KEY_FILE={path!r} is not a usable key: {exc}") from None
    if key is None:
        raise OIDCError(f"OIDC_PRIVATE_KEY_FILE={path!r} is not an RSA, EC or Ed25519 key")
    if not key.is_private:
        raise OIDCError(
            f"OIDC_PRIVATE_KEY_FILE={path!r} holds a public key: a private key is needed"
        )
    return key


def signing_alg(key: RSAKey | ECKey | OKPKey) -> str:
    """The JWS algorithm for our client assertions: the key's own ``alg`` or its usual one."""
    if key.alg:
        return key.alg
    if isinstance(key, RSAKey):
        return "RS256"
    if isinstance(key, ECKey):
        return {"P-256": "ES256", "P-384": "ES384", "P-521": "ES512"}.get(key.curve_name, "ES256")
    return "EdDSA"


_lock = threading.Lock()
_documents: dict[str, tuple[float, dict]] = {}
_keysets: dict[str, tuple[float, KeySet]] = {}


@functools.lru_cache(maxsize=4)
def _private_key(path: str, key_id: str) -> RSAKey | ECKey | OKPKey:
    return load_private_key(path, key_id=key_id)


def provider() -> ProviderConfig | None:
    """The configured provider, or None when eID sign-in is turned off (``OIDC_ISSUER`` unset)."""
    issuer = settings.OIDC_ISSUER
    if not issuer:
        return None
    check_url(issuer, what="OIDC_ISSUER")
    method = settings.OIDC_TOKEN_AUTH_METHOD
    return ProviderConfig(
        issuer=issuer,
        client_id=settings.OIDC_CLIENT_ID,
        auth_method=method,
        client_secret=settings.OIDC_CLIENT_SECRET,
        private_key=(
            _private_key(settings.OIDC_PRIVATE_KEY_FILE, settings.OIDC_PRIVATE_KEY_ID)
            if method == "private_key_jwt"
            else None
        ),
        scopes=settings.OIDC_SCOPES,
        national_id_claim=settings.OIDC_NATIONAL_ID_CLAIM,
        name=settings.OIDC_PROVIDER_NAME,
        acr_values=settings.OIDC_ACR_VALUES,
        claims_request=settings.OIDC_CLAIMS,
        redirect_uri=settings.OIDC_REDIRECT_URI,
    )


def discovery(config: ProviderConfig) -> dict:
    """The provider's metadata; its ``issuer`` must be exactly the configured one."""
    now = time.monotonic()
    with _lock:
        cached = _documents.get(config.issuer)
    if cached and cached[0] > now:
        return cached[1]
    url = config.issuer.rstrip("/") + "/.well-known/openid-configuration"
    reply = call(url, what="the discovery document")
    if reply.status != 200:
        raise OIDCError(f"the discovery document at {url} answered {reply.status}")
    document = reply.json()
    if document.get("issuer") != config.issuer:
        raise OIDCError(
            f"the discovery document names issuer {document.get('issuer')!r}, "
            f"expected {config.issuer!r}"
        )
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not document.get(name):
            raise OIDCError(f"the discovery document has no {name}")
        check_url(document[name], what=name)
    if document.get("userinfo_endpoint"):
        check_url(document["userinfo_endpoint"], what="userinfo_endpoint")
    with _lock:
        _documents[config.issuer] = (now + CACHE_SECONDS, document)
    return document


def keys(config: ProviderConfig, *, refresh: bool = False) -> KeySet:
    """The provider's public signing keys."""
    jwks_uri = discovery(config)["jwks_uri"]
    now = time.monotonic()
    with _lock:
        cached = _keysets.get(jwks_uri)
    if cached and not refresh and cached[0] > now:
        return cached[1]
    if cached and refresh and cached[0] - CACHE_SECONDS + REFETCH_KEYS_AFTER_SECONDS > now:
        return cached[1]  # fetched moments ago: do not let unknown key ids hammer the provider
    reply = call(jwks_uri, what="the provider's keys (JWKS)")
    if reply.status != 200:
        raise OIDCError(f"the provider's keys at {jwks_uri} answered {reply.status}")
    data = reply.json()
    usable = [
        k for k in data.get("keys", []) if k.get("use", "sig") == "sig" and k.get("kty") != "oct"
    ]
    try:
        keyset = KeySet.import_key_set({"keys": usable})
    except (JoseError, ValueError, TypeError) as exc:
        raise OIDCError(f"the provider's keys cannot be read: {exc}") from None
    with _lock:
        _keysets[jwks_uri] = (now + CACHE_SECONDS, keyset)
    return keyset


def forget_cached_metadata() -> None:
    """Drop the cached discovery documents and keys (tests, and after reconfiguring)."""
    with _lock:
        _documents.clear()
        _keysets.clear()
    _private_key.cache_clear()
