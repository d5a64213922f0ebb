"""OAuth 2 for third-party apps: the page where a person allows (or refuses) an app, and the token
and revocation endpoints the app calls. Only the authorization code flow with PKCE is offered."""

from __future__ import annotations

import base64
import binascii
from urllib.parse import urlencode, urlsplit

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from civitas.applications import selectors, services
from civitas.applications.models import SCOPES
from civitas.applications.services.access import (
    OAuthError,
    authenticate_client,
    check_authorization_request,
)

PARAMS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
)
_UNSAFE_SCHEMES = {"javascript", "data", "vbscript", "file"}


class _AppRedirect(HttpResponseRedirect):
    """A redirect to a registered redirect URI, which may use an app's own scheme."""

    def __init__(self, url: str):
        scheme = urlsplit(url).scheme.lower()
        if scheme and scheme not in _UNSAFE_SCHEMES:
            self.allowed_schemes = [*self.allowed_schemes, scheme]
        super().__init__(url)


def _back_to_app(redirect_uri: str, **params) -> HttpResponseRedirect:
    separator = "&" if "?" in redirect_uri else "?"
    query = urlencode({k: v for k, v in params.items() if v})
    return _AppRedirect(f"{redirect_uri}{separator}{query}")


@never_cache
@login_required
def authorize(request):
    source = request.POST if request.method == "POST" else request.GET
    params = {name: source.get(name, "")[:500] for name in PARAMS}
    client = selectors.oauth_client(params["client_id"])
    # an unknown app or an unregistered redirect URI is never redirected to (RFC 6749, 4.1.2.1)
    if client is None or params["redirect_uri"] not in client.redirect_uri_list:
        return render(request, "applications/oauth_error.html", status=400)
    state = params["state"]
    if params["response_type"] != "code":
        return _back_to_app(params["redirect_uri"], error="unsupported_response_type", state=state)
    if request.user.is_staff:
        return _back_to_app(params["redirect_uri"], error="access_denied", state=state)
    scopes = [s for s in params["scope"].split() if s]
    try:
        check_authorization_request(
            client=client,
            redirect_uri=params["redirect_uri"],
            scopes=scopes,
            code_challenge=params["code_challenge"],
            method=params["code_challenge_method"],
        )
    except OAuthError as exc:
        return _back_to_app(
            params["redirect_uri"], error=exc.error, error_description=exc.description, state=state
        )
    if request.method == "POST":
        if request.POST.get("decision") != "allow":
            return _back_to_app(params["redirect_uri"], error="access_denied", state=state)
        code = services.authorize_client(
            user=request.user,
            client=client,
            redirect_uri=params["redirect_uri"],
            scopes=scopes,
            code_challenge=params["code_challenge"],
            code_challenge_method=params["code_challenge_method"],
        )
        return _back_to_app(params["redirect_uri"], code=code, state=state)
    return render(
        request,
        "applications/oauth_authorize.html",
        {
            "client": client,
            "params": params,
            "asked": [SCOPES[s] for s in scopes],
        },
    )


def _client_credentials(request) -> tuple[str, str]:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:].strip()).decode()
        except (binascii.Error, UnicodeDecodeError):
            return "", ""
        client_id, _, secret = decoded.partition(":")
        return client_id, secret
    return request.POST.get("client_id", ""), request.POST.get("client_secret", "")


def _json(payload: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(payload, status=status)
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


@csrf_exempt
@require_POST
def token(request):
    client_id, secret = _client_credentials(request)
    grant_type = request.POST.get("grant_type", "")
    try:
        if grant_type == "authorization_code":
            issued = services.exchange_code(
                client_id=client_id,
                client_secret=secret,
                code=request.POST.get("code", ""),
                redirect_uri=request.POST.get("redirect_uri", ""),
                code_verifier=request.POST.get("code_verifier", ""),
            )
        elif grant_type == "refresh_token":
            issued = services.refresh_access_token(
                client_id=client_id,
                client_secret=secret,
                refresh_token=request.POST.get("refresh_token", ""),
            )
        else:
            raise OAuthError("unsupported_grant_type", "use authorization_code or refresh_token")
    except OAuthError as exc:
        return _json({"error": exc.error, "error_description": exc.description}, status=exc.status)
    return _json(issued)


@csrf_exempt
@require_POST
def revoke(request):
    """RFC 7009: the app gives back a token it no longer needs (answers 200 either way)."""
    client_id, secret = _client_credentials(request)
    try:
        client = authenticate_client(client_id, secret)
    except OAuthError as exc:
        return _json({"error": exc.error, "error_description": exc.description}, status=exc.status)
    found = selectors.token_for_client(client=client, raw=request.POST.get("token", ""))
    if found is not None:
        services.revoke_token(token=found, actor=found.user)
    return _json({})
