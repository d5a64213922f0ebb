"""Every response carries the browser-enforced protections; production settings pass
`civitas check --deploy` with no warning."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from civitas.security.headers import UNSAFE_SOURCES

PRODUCTION = {
    "CIVITAS_ENV": "production",
    "DEBUG": "false",
    "SECRET_KEY": "p" * 20 + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEF",
    "ALLOWED_HOSTS": "civitas.example.gov",
    "FIELD_ENCRYPTION_KEYS": "2026a:" + "A" * 43,
    "FIELD_HASH_KEYS": "h2026a:" + "B" * 43,
}


def run_civitas(*args: str, tmp_path, **env: str) -> subprocess.CompletedProcess:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "CIVITAS_ENV"} and not k.startswith("FIELD_")
    }
    base.update(CIVITAS_VAR_DIR=str(tmp_path), **env)
    return subprocess.run(
        [sys.executable, "-m", "civitas.manage", *args],
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get(reverse("web:home"))
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert not any(source in csp.split() for source in UNSAFE_SOURCES)


@pytest.mark.django_db
def test_frame_referrer_permissions_and_sniffing_policies(client):
    response = client.get(reverse("web:home"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in policy


@pytest.mark.django_db
def test_signed_in_pages_are_never_cached(client, citizen):
    client.force_login(citizen)
    response = client.get(reverse("web:home"))
    assert "no-store" in response["Cache-Control"]
    anonymous = client.__class__().get(reverse("web:home"))
    assert "no-store" not in anonymous.get("Cache-Control", "")


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = run_civitas(
        "check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path, **PRODUCTION
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_without_field_encryption_keys(tmp_path):
    env = {k: v for k, v in PRODUCTION.items() if not k.startswith("FIELD_")}
    result = run_civitas("check", "--deploy", tmp_path=tmp_path, **env)
    assert result.returncode != 0
    assert "security.E002" in result.stderr or "security.E001" in result.stderr
    assert "FIELD_ENCRYPTION_KEYS" in result.stderr


def test_production_turns_on_hsts_secure_cookies_and_https(tmp_path):
    script = (
        "from django.conf import settings as s;"
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SESSION_COOKIE_SECURE,"
        " s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_NAME, s.SESSION_COOKIE_HTTPONLY)"
    )
    result = run_civitas("shell", "--no-imports", "-c", script, tmp_path=tmp_path, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    last = result.stdout.strip().splitlines()[-1]
    hsts, subdomains, session_secure, csrf_secure, redirect, name, httponly = last.split()
    assert int(hsts) >= 31536000 and subdomains == "True"
    assert session_secure == csrf_secure == redirect == httponly == "True"
    assert name.startswith("__Host-")


INLINE = [
    (re.compile(r"\sstyle\s*=", re.I), 'a style="" attribute'),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an inline event handler (onclick=...)"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
    (
        re.compile(
            r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I
        ),
        "an inline <script>",
    ),
]


def test_no_template_needs_unsafe_inline():
    """The strict CSP blocks inline scripts, handlers and style attributes: none may be written."""
    root = Path(__file__).resolve().parents[2] / "civitas"
    problems = []
    for template in sorted(root.glob("**/templates/**/*.html")):
        text = template.read_text(encoding="utf-8")
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                problems.append(f"{template.relative_to(root)}:{line}: {what}")
    assert not problems, "blocked by the content security policy:\n" + "\n".join(problems)
