"""The demo country's national eID, for ``make demo`` only.

``civitas demo serve`` starts ``deploy/demo-eid/server.mjs`` (the certified npm ``oidc-provider``)
on 127.0.0.1, then ``civitas serve`` with the OpenID Connect settings that point at it. Nothing here
is read by a deployment that is not the demo: the settings go only into the environment of the
``civitas serve`` it starts (and into ``<var>/demo-eid/eid.env`` for someone who starts it by hand).

The demo identities are people of the demo registry, found by their national ID numbers, which the
demo loader makes deterministically (``make_national_id``): Amina Haddad (who also has a password
account), her partner Omar (in the registry, no account yet), and two people of the synthetic
population of ``civitas demo load`` (seed 1): a pensioner and a pregnant woman.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import time
import unicodedata
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from civitas.demo.population import first_serial_for, generate
from civitas.registry.national_id import make_national_id

SERVER_DIR = Path(__file__).resolve().parents[2] / "deploy" / "demo-eid"
CLIENT_ID = "civitas-demo"
PROVIDER_NAME = "CivitasID"
CALLBACK_PATH = "/accounts/eid/callback/"


class EidUnavailable(Exception):
    """The demo eID cannot run here; the message says why, for the person starting the demo."""


@dataclass(frozen=True)
class Identity:
    login: str
    claims: dict
    note: str  # what trying this identity shows, for the start-up message and the README

    @property
    def name(self) -> str:
        return self.claims.get("name") or " ".join(
            filter(None, (self.claims.get("given_name"), self.claims.get("family_name")))
        )


def _population_person(*, seed: int, wanted) -> dict | None:
    """The first person of the synthetic population (``civitas demo load``) that ``wanted`` picks."""
    for household in generate(households=1000, seed=seed, first_serial=first_serial_for(seed)):
        for member in household.members:
            if wanted(member):
                handle = f"{member.given_name}.{member.family_name}".lower().replace(" ", "-")
                handle = unicodedata.normalize("NFKD", handle).encode("ascii", "ignore").decode()
                return {
                    "given_name": member.given_name,
                    "family_name": member.family_name,
                    "birthdate": member.birth_date.isoformat(),
                    "national_id": member.national_id,
                    # so the messages of the demo reach an address (printed or in the mail folder)
                    "email": f"{handle}@demo.civitas.example",
                    "email_verified": True,
                }
    return None


def identities(*, seed: int = 1) -> list[Identity]:
    """Who can sign in at the demo eID: each is a person of the demo registry."""
    people = [
        Identity(
            "amina",
            {
                "name": "Amina Haddad",
                "given_name": "Amina",
                "family_name": "Haddad",
                "birthdate": "1991-04-12",
                "national_id": make_national_id(99_000_001),
                "email": "amina@demo.civitas.example",
                "email_verified": True,
            },
            "the demo citizen: the same account as her password sign-in",
        ),
        Identity(
            "omar",
            {
                "name": "Omar Haddad",
                "given_name": "Omar",
                "family_name": "Haddad",
                "birthdate": "1988-09-03",
                "national_id": make_national_id(99_000_002),
                "email": "omar@demo.civitas.example",
                "email_verified": True,
            },
            "Amina's partner: in the registry, his account is created at first sign-in",
        ),
    ]
    today = date(2026, 1, 1)  # the population generator's reference day
    pensioner = _population_person(
        seed=seed, wanted=lambda m: (today - m.birth_date).days // 365 >= 67
    )
    if pensioner:
        people.append(Identity("pensioner", pensioner, "a pensioner of the synthetic population"))
    expecting = _population_person(seed=seed, wanted=lambda m: m.pregnant)
    if expecting:
        people.append(
            Identity("expecting", expecting, "a pregnant woman of the synthetic population")
        )
    return people


def node_binary() -> str | None:
    return shutil.which("node")


def unavailable_reason(*, node: str | None = None, server_dir: Path = SERVER_DIR) -> str | None:
    """Why the demo eID cannot start here, or None when it can."""
    node = node if node is not None else node_binary()
    if not node or not Path(node).exists():
        return "Node.js is not installed (install nodejs and npm, then run make demo again)"
    if not (server_dir / "server.mjs").is_file():
        return f"{server_dir / 'server.mjs'} is missing (the demo eID comes with a source checkout)"
    if not (server_dir / "node_modules" / "oidc-provider").is_dir():
        return (
            f"its npm packages are not installed (run: cd {server_dir} && npm ci; "
            "make demo does it when npm and the npm registry are reachable)"
        )
    return None


def _private_file(path: Path, make) -> str:
    """The content of ``path``, made by ``make()`` and kept readable by the owner only."""
    if not path.exists():
        path.write_text(make(), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8")


@dataclass
class DemoEid:
    issuer: str
    config_file: Path
    env: dict[str, str]
    identities: list[Identity]
    process: subprocess.Popen | None = field(default=None, repr=False)
    log_file: Path | None = None

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


def write_config(folder: Path, *, port: int, app_urls: list[str], seed: int = 1) -> DemoEid:
    """Write the provider's configuration (keys kept between runs) and the settings for Civitas."""
    from joserfc.jwk import RSAKey

    folder.mkdir(parents=True, exist_ok=True)
    signing_key = _private_file(
        folder / "provider-key.json",
        lambda: json.dumps(
            RSAKey.generate_key(2048, parameters={"kid": "demo-eid-1", "use": "sig"}).as_dict(
                private=True
            )
        ),
    )
    client_secret = _private_file(folder / "client-secret", lambda: secrets.token_urlsafe(32))
    cookie_key = _private_file(folder / "cookie-key", lambda: secrets.token_urlsafe(32))
    people = identities(seed=seed)
    issuer = f"http://127.0.0.1:{port}"
    config = {
        "port": port,
        "keys": {"keys": [json.loads(signing_key)]},
        "cookie_key": cookie_key,
        "clients": [
            {
                "client_id": CLIENT_ID,
                "client_secret": client_secret,
                "redirect_uris": [url.rstrip("/") + CALLBACK_PATH for url in app_urls],
                "token_endpoint_auth_method": "client_secret_basic",
            }
        ],
        "identities": [{"login": p.login, "claims": p.claims} for p in people],
    }
    config_file = folder / "provider.json"
    config_file.write_text(json.dumps(config, indent=1), encoding="utf-8")
    config_file.chmod(0o600)
    env = {
        "OIDC_ISSUER": issuer,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": client_secret,
        "OIDC_TOKEN_AUTH_METHOD": "client_secret_basic",
        "OIDC_SCOPES": "openid profile email national_id",
        "OIDC_NATIONAL_ID_CLAIM": "national_id",
        "OIDC_PROVIDER_NAME": PROVIDER_NAME,
    }
    env_file = folder / "eid.env"
    env_file.write_text(
        "# The demo's national eID (written by `civitas demo serve`; for the demo only).\n"
        + "".join(f"{name}={value}\n" for name, value in env.items()),
        encoding="utf-8",
    )
    env_file.chmod(0o600)
    return DemoEid(issuer=issuer, config_file=config_file, env=env, identities=people)


def start(
    folder: Path,
    *,
    port: int,
    app_urls: list[str],
    seed: int = 1,
    timeout: float = 30.0,
    server_dir: Path = SERVER_DIR,
) -> DemoEid:
    """Start the demo eID on 127.0.0.1:``port`` and wait until it answers; ``stop()`` ends it."""
    reason = unavailable_reason(server_dir=server_dir)
    if reason:
        raise EidUnavailable(reason)
    with socket.socket() as probe:  # another program (or a demo eID left running) has the port
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise EidUnavailable(
                f"port {port} is in use (choose another with --eid-port)"
            ) from None
    demo = write_config(folder, port=port, app_urls=app_urls, seed=seed)
    demo.log_file = folder / "provider.log"
    with demo.log_file.open("w") as log:
        demo.process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            [node_binary() or "node", "server.mjs", str(demo.config_file)],
            cwd=server_dir,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "NODE_ENV": "production"},
        )
    discovery = f"{demo.issuer}/.well-known/openid-configuration"
    deadline = time.monotonic() + timeout
    while True:
        if demo.process.poll() is not None:
            raise EidUnavailable(
                f"it stopped at start-up (is port {port} free?): "
                + demo.log_file.read_text(encoding="utf-8", errors="replace")[-400:].strip()
            )
        try:
            with urllib.request.urlopen(discovery, timeout=2) as reply:  # noqa: S310 - loopback
                if json.load(reply).get("issuer") == demo.issuer:
                    return demo
        except (OSError, ValueError, urllib.error.URLError):
            pass
        if time.monotonic() > deadline:
            demo.stop()
            raise EidUnavailable(f"it did not answer on {demo.issuer} within {timeout:.0f} seconds")
        time.sleep(0.2)
