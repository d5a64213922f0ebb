"""The public JSON API, ``/api/v1/``, with its OpenAPI 3 document at ``/api/v1/openapi.json``.

Built with django-ninja, so the document is generated from the code that answers. Each app that
offers endpoints exposes a ``router`` in its ``api.py``; to mount one, add a line to ``ROUTERS``.

Every error is JSON with a ``detail``: validation errors are 422 with the location of each field at
fault (``["body", "answers", "children_count"]``), a body that is too large is 413, one nested too
deeply or not JSON is 400, and an unexpected failure is a 500 that is logged and says nothing about
the code.
"""

from __future__ import annotations

import json
import logging
from importlib import import_module
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser

from civitas.applications.lifecycle import TransitionNotAllowed

logger = logging.getLogger(__name__)

MAX_JSON_BYTES = 256 * 1024  # documents go as multipart uploads, never inside JSON
MAX_JSON_DEPTH = 32

# (URL prefix under /api/v1/, module exposing `router`)
ROUTERS: list[tuple[str, str]] = [
    ("/programmes", "civitas.programs.api"),
    ("/applications", "civitas.applications.api"),
    # --- rules engine --------------------------------------------------------------------------
    # POST /api/v1/rules/{programme}/calculate   (OpenFisca-style /calculate on the version in force)
    # POST /api/v1/rules/{programme}/explain     (the same, with the explanation tree)
    ("/rules", "civitas.programs.rules_api"),
]


class BodyRefused(Exception):
    """A JSON body refused before validation (too large or nested too deeply)."""

    def __init__(self, status: int, message: str):
        self.status = status
        super().__init__(message)


def _depth(value: Any) -> int:
    """How deeply ``value`` nests (iteratively, so a hostile body cannot exhaust the stack)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in item.values())
        elif isinstance(item, list):
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in item)
    return deepest


class LimitedJSONParser(Parser):
    def parse_body(self, request):
        declared = request.META.get("CONTENT_LENGTH") or "0"
        if declared.isdigit() and int(declared) > MAX_JSON_BYTES:
            raise BodyRefused(
                413, f"The request body must be smaller than {MAX_JSON_BYTES // 1024} KB"
            )
        try:
            body = request.body
        except RequestDataTooBig:
            raise BodyRefused(413, "The request body is too large") from None
        if len(body) > MAX_JSON_BYTES:
            raise BodyRefused(
                413, f"The request body must be smaller than {MAX_JSON_BYTES // 1024} KB"
            )
        try:
            data = json.loads(body)
        except RecursionError:
            raise BodyRefused(
                400, f"The JSON is nested too deeply (at most {MAX_JSON_DEPTH} levels)"
            ) from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise BodyRefused(400, f"The body is not valid JSON: {exc}") from None
        if _depth(data) > MAX_JSON_DEPTH:
            raise BodyRefused(
                400, f"The JSON is nested too deeply (at most {MAX_JSON_DEPTH} levels)"
            )
        return data


class CivitasAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        from civitas.applications.models import SCOPES

        schemes = schema.setdefault("components", {}).setdefault("securitySchemes", {})
        for scheme in schemes.values():
            if scheme.get("scheme") == "bearer":
                scheme["description"] = (
                    "A personal access token (made on “Apps and API access”) or an OAuth 2 "
                    "access token. Either acts for one person, within its scopes."
                )
        schemes["OAuth2"] = {
            "type": "oauth2",
            "description": "Authorization code with PKCE (S256) for third-party apps.",
            "flows": {
                "authorizationCode": {
                    "authorizationUrl": "/oauth/authorize/",
                    "tokenUrl": "/oauth/token/",
                    "refreshUrl": "/oauth/token/",
                    "scopes": {name: str(text) for name, text in SCOPES.items()},
                }
            },
        }
        return schema


api = CivitasAPI(
    title="Civitas public API",
    version="1.0.0",
    description=(
        "Find programmes, check eligibility, apply and follow applications — for citizens' apps "
        "and partners acting with a person's permission. Authenticate with a bearer token (a "
        "personal access token, or OAuth 2 authorization code with PKCE at /oauth/authorize/ and "
        "/oauth/token/). Errors are JSON with a `detail`."
    ),
    urls_namespace="api-v1",
    docs_url=None,  # no documentation page: its scripts would come from a third-party host
    openapi_url="/openapi.json",
    parser=LimitedJSONParser(),
)

for prefix, module in ROUTERS:
    api.add_router(prefix, import_module(module).router)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    cause = exc.__cause__
    if isinstance(cause, BodyRefused):
        return api.create_response(request, {"detail": str(cause)}, status=cause.status)
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    response = api.create_response(
        request, {"detail": "Send a valid token: Authorization: Bearer <token>"}, status=401
    )
    response["WWW-Authenticate"] = 'Bearer realm="civitas"'
    return response


@api.exception_handler(NinjaValidationError)
def _invalid(request, exc: NinjaValidationError):
    errors = [
        {
            "loc": [str(part) for part in e.get("loc", [])],
            "msg": str(e.get("msg", "")),
            "type": str(e.get("type", "value_error")),
        }
        for e in exc.errors
    ]
    return api.create_response(request, {"detail": errors}, status=422)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"detail": "Not found"}, status=404)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return api.create_response(request, {"detail": "Not allowed"}, status=403)


@api.exception_handler(TransitionNotAllowed)
def _conflict(request, exc):
    return api.create_response(request, {"detail": str(exc)}, status=409)


@api.exception_handler(Exception)
def _unexpected(request, exc):
    logger.exception("API request %s %s failed", request.method, request.path)
    return api.create_response(
        request, {"detail": "Something went wrong on our side. Try again later."}, status=500
    )
