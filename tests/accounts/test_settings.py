"""eID settings: off unless OIDC_ISSUER is set; half a configuration stops start-up with one line."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def run_check(tmp_path, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("OIDC_")}
    base.update(CIVITAS_VAR_DIR=str(tmp_path), **env)
    return subprocess.run(
        [sys.executable, "-m", "civitas.manage", "check"],
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"OIDC_ISSUER": "https://id.example.gov"}, "OIDC_CLIENT_ID"),
        ({"OIDC_ISSUER": "https://id.example.gov", "OIDC_CLIENT_ID": "c"}, "OIDC_CLIENT_SECRET"),
        (
            {
                "OIDC_ISSUER": "https://id.example.gov",
                "OIDC_CLIENT_ID": "c",
                "OIDC_TOKEN_AUTH_METHOD": "private_key_jwt",
            },
            "OIDC_PRIVATE_KEY_FILE",
        ),
        (
            {
                "OIDC_ISSUER": "https://id.example.gov",
                "OIDC_CLIENT_ID": "c",
                "OIDC_CLIENT_SECRET": "s",
                "OIDC_CLAIMS": "{not json",
            },
            "OIDC_CLAIMS",
        ),
    ],
)
def test_half_configured_eid_stops_start_up_with_one_line(tmp_path, env, named):
    result = run_check(tmp_path, **env)
    assert result.returncode == 2
    assert named in result.stderr and "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0


def test_an_unreadable_private_key_is_reported_without_a_stack_trace(tmp_path, settings):
    from civitas.accounts.oidc.config import forget_cached_metadata, provider
    from civitas.accounts.oidc.http import OIDCError

    settings.OIDC_ISSUER = "https://id.example.gov"
    settings.OIDC_CLIENT_ID = "c"
    settings.OIDC_TOKEN_AUTH_METHOD = "private_key_jwt"
    settings.OIDC_PRIVATE_KEY_FILE = str(tmp_path / "missing.pem")
    forget_cached_metadata()
    with pytest.raises(OIDCError, match="cannot be read"):
        provider()
    (tmp_path / "public.pem").write_bytes(_public_pem())
    settings.OIDC_PRIVATE_KEY_FILE = str(tmp_path / "public.pem")
    with pytest.raises(OIDCError, match="public key"):
        provider()
    settings.OIDC_ISSUER = "http://id.example.gov"
    with pytest.raises(OIDCError, match="https"):
        provider()
    forget_cached_metadata()


def _public_pem() -> bytes:
    from joserfc.jwk import RSAKey

    return RSAKey.generate_key(2048).as_pem(private=False)
