"""Fixtures for accounts: staff signed in through the real MFA pages, and a real OpenID provider.

``oidc_provider`` starts ``tests/accounts/oidc_provider/server.mjs`` (the certified npm
``oidc-provider`` package) on 127.0.0.1 with freshly generated keys, two registered clients (one
authenticating with ``client_secret_basic``, one with ``private_key_jwt`` and signed userinfo, as
MOSIP eSignet does) and a few eID holders. ``npm ci`` installs it on first use.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from tests.conftest import IN_CI, free_port

PROVIDER_DIR = Path(__file__).parent / "oidc_provider"
CALLBACK = "http://testserver/accounts/eid/callback/"
CLIENT_SECRET = "a-long-client-secret-for-the-basic-client-0123456789"


@pytest.fixture(scope="session", autouse=True)
def compiled_translations():
    """Pages here are also checked in French and Arabic: build the catalogs if needed."""
    from tests.web.conftest import compile_translations

    compile_translations()


@pytest.fixture
def staff_client(client, caseworker):
    """A client signed in as the demo caseworker, second factor passed the real way."""
    from civitas.accounts.testing import sign_in_staff

    sign_in_staff(client, caseworker)
    return client


def _unavailable(message: str):
    if IN_CI:
        pytest.fail(f"{message} (CI=true: the OpenID provider is required)")
    pytest.skip(message)


@dataclass
class Provider:
    issuer: str
    signing_key: object  # the provider's private signing key (joserfc), to forge test tokens
    client_key_file: Path
    accounts: dict


def _ensure_installed() -> None:
    if (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        return
    npm = shutil.which("npm")
    if not npm or not shutil.which("node"):
        _unavailable("node and npm are needed for the test OpenID provider")
    result = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=PROVIDER_DIR,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        _unavailable(f"npm ci failed in {PROVIDER_DIR}: {result.stderr[-500:]}")


@pytest.fixture(scope="module")
def oidc_provider(tmp_path_factory):
    from joserfc.jwk import RSAKey

    from civitas.registry.national_id import make_national_id

    _ensure_installed()
    folder = tmp_path_factory.mktemp("oidc")
    port = free_port()
    signing_key = RSAKey.generate_key(2048, parameters={"kid": "provider-1", "use": "sig"})
    client_key = RSAKey.generate_key(2048, parameters={"kid": "civitas-client-1"})
    client_key_file = folder / "client-key.pem"
    client_key_file.write_bytes(client_key.as_pem(private=True))
    accounts = {
        # the demo citizen Amina Haddad: her national ID is in the registry, linked to her account
        "amina": {
            "name": "Amina Haddad",
            "national_id": make_national_id(99_000_001),
            "email": "amina.eid@example.org",
            "email_verified": True,
        },
        # her partner Omar: in the registry, but no account yet
        "omar": {"name": "Omar Haddad", "national_id": make_national_id(99_000_002)},
        # someone the registry does not know
        "newcomer": {
            "given_name": "Nadia",
            "family_name": "Newcomer",
            "email": "nadia@example.org",
            "email_verified": True,
        },
        # an eID whose email is the same as an existing Civitas account's: must not take it over
        "lookalike": {
            "name": "Someone Else",
            "email": "someone.else@example.org",
            "email_verified": True,
        },
    }
    config = {
        "port": port,
        "keys": {"keys": [signing_key.as_dict(private=True)]},
        "clients": [
            {
                "client_id": "civitas-basic",
                "client_secret": CLIENT_SECRET,
                "redirect_uris": [CALLBACK],
                "token_endpoint_auth_method": "client_secret_basic",
            },
            {
                "client_id": "civitas-esignet-like",
                "redirect_uris": [CALLBACK],
                "token_endpoint_auth_method": "private_key_jwt",
                "token_endpoint_auth_signing_alg": "RS256",
                "jwks": {"keys": [client_key.as_dict(private=False)]},
                "userinfo_signed_response_alg": "RS256",
            },
        ],
        "accounts": accounts,
    }
    config_file = folder / "provider.json"
    config_file.write_text(json.dumps(config))
    log = (folder / "provider.log").open("w")
    process = subprocess.Popen(
        [shutil.which("node") or "node", "server.mjs", str(config_file)],
        cwd=PROVIDER_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "NODE_ENV": "test"},
    )
    issuer = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration", timeout=2)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    _unavailable(
                        "the test OpenID provider did not start: "
                        + (folder / "provider.log").read_text()[-800:]
                    )
                time.sleep(0.2)
        yield Provider(issuer, signing_key, client_key_file, accounts)
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture
def use_provider(settings, oidc_provider):
    """Point Civitas at the test provider; ``use_provider("private_key_jwt")`` for that client."""
    from civitas.accounts.oidc.config import forget_cached_metadata

    def configure(method: str = "client_secret_basic", **extra) -> Provider:
        settings.OIDC_ISSUER = oidc_provider.issuer
        settings.OIDC_TOKEN_AUTH_METHOD = method
        if method == "private_key_jwt":
            settings.OIDC_CLIENT_ID = "civitas-esignet-like"
            settings.OIDC_CLIENT_SECRET = ""
            settings.OIDC_PRIVATE_KEY_FILE = str(oidc_provider.client_key_file)
        else:
            settings.OIDC_CLIENT_ID = "civitas-basic"
            settings.OIDC_CLIENT_SECRET = CLIENT_SECRET
            settings.OIDC_PRIVATE_KEY_FILE = ""
        settings.OIDC_PRIVATE_KEY_ID = ""
        settings.OIDC_SCOPES = "openid profile email national_id"
        settings.OIDC_NATIONAL_ID_CLAIM = "national_id"
        settings.OIDC_PROVIDER_NAME = "CivitasID"
        settings.OIDC_ACR_VALUES = ""
        settings.OIDC_CLAIMS = ""
        settings.OIDC_REDIRECT_URI = ""
        for name, value in extra.items():
            setattr(settings, name, value)
        forget_cached_metadata()
        return oidc_provider

    yield configure
    forget_cached_metadata()


class _Manual(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class ProviderBrowser:
    """The browser's side of the eID sign-in at the provider: real HTTP with the provider's
    cookies, redirects followed one by one until the provider sends the person back to us."""

    def __init__(self):
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _Manual
        )

    def _open(self, url: str, data: bytes | None = None):
        try:
            response = self.opener.open(url, data=data, timeout=10)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers, exc.read().decode()
        return response.status, response.headers, response.read().decode()

    def sign_in(self, authorization_url: str, login: str) -> str:
        """Follow the provider from the authorization request to the redirect back to Civitas;
        returns that callback URL (with ``code`` and ``state``)."""
        url, data = authorization_url, None
        for _ in range(10):
            status, headers, body = self._open(url, data)
            data = None
            if status in (302, 303):
                url = urljoin(url, headers["Location"])
                if url.startswith(CALLBACK):
                    return url
                continue
            assert status == 200, f"provider answered {status}: {body[:300]}"
            assert "<form" in body, body[:300]
            action = body.split('action="', 1)[1].split('"', 1)[0]
            url, data = urljoin(url, action), f"login={login}".encode()
        raise AssertionError("the provider never sent the browser back")


def eid_sign_in(client, login: str, *, start: str = "/accounts/eid/start/", tamper=None):
    """Sign in on Civitas with the provider's account ``login``. ``tamper(session_flows)`` may
    change what Civitas remembers about the sign-in before the browser comes back."""
    started = client.get(start)
    assert started.status_code == 302, started.content[:300]
    callback = ProviderBrowser().sign_in(started.url, login)
    if tamper is not None:
        session = client.session
        flows = session["civitas.oidc.flows"]
        tamper(flows)
        session["civitas.oidc.flows"] = flows
        session.save()
    parts = urlsplit(callback)
    return started, client.get(f"{parts.path}?{parts.query}")
