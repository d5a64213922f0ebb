"""Response headers that browsers enforce: content security policy, permissions policy, caching.

Django's own ``SecurityMiddleware`` already sends HSTS, ``nosniff``, the referrer policy and the
cross-origin opener policy, and ``XFrameOptionsMiddleware`` sends ``X-Frame-Options``; this
middleware adds what Django 5.2 does not have.

``CIVITAS_CSP`` is a mapping ``{directive: [sources]}``. It must never contain ``'unsafe-inline'``
or ``'unsafe-eval'`` (a system check refuses them): pages carry no inline scripts, no inline event
handlers and no ``style=""`` attributes.
"""

from __future__ import annotations

from django.conf import settings

DEFAULT_CSP: dict[str, list[str]] = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

DEFAULT_PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
        "browsing-topics",
    )
}

UNSAFE_SOURCES = {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*"}


def csp_header(policy: dict[str, list[str]], *, report_uri: str = "") -> str:
    parts = [" ".join([directive, *sources]) for directive, sources in policy.items()]
    if report_uri:
        parts.append(f"report-uri {report_uri}")
    return "; ".join(parts)


def permissions_policy_header(policy: dict[str, list[str]]) -> str:
    return ", ".join(f"{feature}=({' '.join(origins)})" for feature, origins in policy.items())


class SecurityHeadersMiddleware:
    """Adds CSP, Permissions-Policy and, for signed-in responses, ``Cache-Control: no-store``."""

    def __init__(self, get_response):
        self.get_response = get_response
        csp = getattr(settings, "CIVITAS_CSP", DEFAULT_CSP)
        report_uri = getattr(settings, "CIVITAS_CSP_REPORT_URI", "")
        self.csp = csp_header(csp, report_uri=report_uri)
        self.csp_name = (
            "Content-Security-Policy-Report-Only"
            if getattr(settings, "CIVITAS_CSP_REPORT_ONLY", False)
            else "Content-Security-Policy"
        )
        self.permissions = permissions_policy_header(
            getattr(settings, "CIVITAS_PERMISSIONS_POLICY", DEFAULT_PERMISSIONS_POLICY)
        )
        self.session_cookie = settings.SESSION_COOKIE_NAME

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault(self.csp_name, self.csp)
        response.headers.setdefault("Permissions-Policy", self.permissions)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-site")
        # A page answered to someone with a session may hold personal data: never keep it in a
        # shared or browser cache. Responses that chose their own caching (static files) keep it.
        if self.session_cookie in request.COOKIES and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "private, no-store"
        return response
