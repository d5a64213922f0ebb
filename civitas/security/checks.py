"""System checks: ``civitas check --deploy`` fails on a weak security set-up."""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from civitas.security import crypto
from civitas.security.headers import DEFAULT_CSP, UNSAFE_SOURCES


@checks.register(checks.Tags.security)
def csp_is_strict(app_configs, **kwargs):
    policy = getattr(settings, "CIVITAS_CSP", DEFAULT_CSP)
    errors = []
    for directive, sources in policy.items():
        unsafe = UNSAFE_SOURCES.intersection(sources)
        if unsafe:
            errors.append(
                checks.Error(
                    f"CIVITAS_CSP {directive} allows {', '.join(sorted(unsafe))}",
                    hint="Move inline scripts and styles into static files instead.",
                    id="security.E003",
                )
            )
    for required in ("default-src", "object-src", "base-uri", "frame-ancestors"):
        if required not in policy:
            errors.append(
                checks.Error(f"CIVITAS_CSP has no {required} directive", id="security.E004")
            )
    return errors


@checks.register(checks.Tags.security, deploy=True)
def keys_are_configured(app_configs, **kwargs):
    errors = []
    for name, loader in (
        ("FIELD_ENCRYPTION_KEYS", crypto.encryption_keys),
        ("FIELD_HASH_KEYS", crypto.hash_keys),
    ):
        crypto.reload_keys()
        try:
            ring = loader()
        except ImproperlyConfigured as exc:
            errors.append(checks.Error(str(exc), id="security.E001"))
            continue
        if ring.active_id == "dev":
            errors.append(
                checks.Error(
                    f"{name} is not set: personal data would be encrypted with a key derived "
                    "from SECRET_KEY",
                    hint="Generate keys with `civitas security generate-key --kid <id>`.",
                    id="security.E002",
                )
            )
    crypto.reload_keys()
    return errors


@checks.register(checks.Tags.security, deploy=True)
def signin_is_throttled(app_configs, **kwargs):
    backends = getattr(settings, "AUTHENTICATION_BACKENDS", [])
    if "civitas.security.signin.ThrottledModelBackend" not in backends:
        return [
            checks.Warning(
                "password sign-in is not throttled",
                hint="Use civitas.security.signin.ThrottledModelBackend in AUTHENTICATION_BACKENDS.",
                id="security.W005",
            )
        ]
    return []
