"""The two eID pages: start (redirect to the provider) and callback (come back signed in).

The person-matching step needs the registry, which sits above accounts; it is reached through the
``OIDC_PERSON_MATCHER`` setting (by default ``civitas.web.identity.match_person``), so this module
imports nothing above its layer.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.contrib.auth import login
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from civitas.accounts import services
from civitas.accounts.oidc import client
from civitas.accounts.oidc.config import provider
from civitas.accounts.oidc.http import OIDCError
from civitas.accounts.sessions import mark_second_factor
from civitas.accounts.views import _safe_next, after_first_factor

logger = logging.getLogger(__name__)

FLOWS_KEY = "civitas.oidc.flows"
FLOW_LIFETIME_SECONDS = 600
MAX_FLOWS = 3  # sign-ins started in other tabs stay valid, up to this many


def _config_or_404():
    try:
        config = provider()
    except OIDCError as exc:
        logger.error("eID sign-in is misconfigured: %s", exc)
        config = None
    if config is None:
        raise Http404("eID sign-in is not configured")
    return config


def _refuse(request, config, reason: str, *, message: str = "", status: int = 400):
    logger.warning("eID sign-in refused: %s", reason)
    return render(
        request,
        "accounts/eid_error.html",
        {"eid": config, "message": message},
        status=status,
    )


def _redirect_uri(request, config) -> str:
    return config.redirect_uri or request.build_absolute_uri(reverse("accounts:eid_callback"))


def start(request):
    config = _config_or_404()
    redirect_uri = _redirect_uri(request, config)
    try:
        auth = client.authorization_request(
            config, redirect_uri=redirect_uri, ui_locales=get_language() or ""
        )
    except OIDCError as exc:
        return _refuse(request, config, str(exc), status=503)
    flows = {
        state: flow
        for state, flow in (request.session.get(FLOWS_KEY) or {}).items()
        if flow["started"] + FLOW_LIFETIME_SECONDS > time.time()
    }
    flows[auth.state] = {
        "nonce": auth.nonce,
        "verifier": auth.code_verifier,
        "redirect_uri": redirect_uri,
        "next": _safe_next(request),
        "user": request.user.pk if request.user.is_authenticated else None,
        "started": time.time(),
    }
    request.session[FLOWS_KEY] = dict(
        sorted(flows.items(), key=lambda item: item[1]["started"])[-MAX_FLOWS:]
    )
    return redirect(auth.url)


def callback(request):
    config = _config_or_404()
    flows = request.session.get(FLOWS_KEY) or {}
    flow = flows.pop(request.GET.get("state", ""), None)
    request.session[FLOWS_KEY] = flows  # a state is used once, whatever happens next
    if flow is None or flow["started"] + FLOW_LIFETIME_SECONDS < time.time():
        return _refuse(request, config, "unknown, used or expired state")
    if request.GET.get("error"):
        cancelled = request.GET["error"] in {"access_denied", "consent_required", "login_required"}
        message = _("You stopped signing in with the eID.") if cancelled else ""
        return _refuse(request, config, f"provider error {request.GET['error']}", message=message)
    if "iss" in request.GET and request.GET["iss"] != config.issuer:
        return _refuse(request, config, f"callback from issuer {request.GET['iss']!r}")
    code = request.GET.get("code", "")
    if not code:
        return _refuse(request, config, "no code in the callback")
    try:
        token_set = client.exchange_code(
            config, code=code, redirect_uri=flow["redirect_uri"], code_verifier=flow["verifier"]
        )
        id_claims = client.validate_id_token(config, token_set["id_token"], nonce=flow["nonce"])
        userinfo = client.fetch_userinfo(
            config, access_token=token_set.get("access_token", ""), subject=id_claims["sub"]
        )
    except OIDCError as exc:
        return _refuse(request, config, str(exc))
    claims = {**userinfo, **id_claims}  # the signed ID token wins where both say something
    national_id = client.claim(claims, config.national_id_claim) if config.national_id_claim else ""
    matcher = import_string(settings.OIDC_PERSON_MATCHER) if settings.OIDC_PERSON_MATCHER else None
    current = request.user if request.user.is_authenticated else None
    if current is not None and flow["user"] != current.pk:
        current = None  # the session changed hands since the start: do not link to it
    try:
        user = services.sign_in_with_eid(
            issuer=config.issuer,
            subject=str(id_claims["sub"]),
            claims=claims,
            national_id=national_id,
            matcher=matcher,
            current_user=current,
        )
    except services.EidRefused as exc:
        return _refuse(request, config, str(exc), message=str(exc))
    if current is None:
        # the eID vouched for the person: sign in through the first configured backend
        login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
    mark_second_factor(request, "eid")
    return after_first_factor(request, user, flow["next"])
