"""The CKAN Action API endpoint: ``/api/3/action/<name>`` and ``/api/action/<name>``.

Reproduces CKAN's contract (``ckan/views/api.py``): GET (read actions only) and POST alike, the
``{"help", "success", "result"}`` envelope, and errors as ``{"__type", "message"}`` with CKAN's
status codes: Not Found Error 404, Authorization Error 403, Validation Error 409, Search Query
Error 400; an unknown action or unreadable request is a 400 with a "Bad request" message. No stack
trace ever reaches the caller.

Write actions need an API token in the ``Authorization`` header (``X-CKAN-API-Key`` is accepted
too, as CKAN does); browsers' sessions never authorise a write here, so the endpoint needs no CSRF
token.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from civitas.opendata import selectors, services
from civitas.opendata.ckan.actions import ACTIONS
from civitas.opendata.ckan.context import Context
from civitas.opendata.errors import NotAuthorized, NotFound, SearchQueryError, ValidationError
from civitas.opendata.sites import site_url

log = logging.getLogger(__name__)

CONTENT_TYPE = "application/json;charset=utf-8"
MAX_JSON_BYTES = 64 * 1024 * 1024


def _respond(status: int, body: Any) -> HttpResponse:
    return HttpResponse(
        json.dumps(body, ensure_ascii=False, default=str), status=status, content_type=CONTENT_TYPE
    )


def _bad_request(message: str) -> HttpResponse:
    return _respond(400, f"Bad request: {message}")


class BadRequest(Exception):
    pass


def _mixed(querydict) -> dict:
    return {key: values[0] if len(values) == 1 else values for key, values in querydict.lists()}


def _request_data(request: HttpRequest, *, get_allowed: bool) -> tuple[dict, dict]:
    if request.method == "GET":
        if not get_allowed:
            raise BadRequest("JSON Error: Invalid request. Please use POST method for your request")
        return _mixed(request.GET), {}
    if request.method != "POST":
        raise BadRequest("JSON Error: Invalid request. Please use the POST method")
    content_type = (request.content_type or "").lower()
    if content_type.startswith("multipart/form-data"):
        return _mixed(request.POST), {key: request.FILES[key] for key in request.FILES}
    if content_type == "application/x-www-form-urlencoded":
        form = _mixed(request.POST)
        values = list(form.values())
        if len(values) == 1 and values[0] in ("", "1"):
            # CKAN's convention for JSON posted as a form key
            return _json(next(iter(form)).encode()), {}
        return form, {}
    raw = request.read(MAX_JSON_BYTES + 1)
    if len(raw) > MAX_JSON_BYTES:
        raise BadRequest("JSON Error: the request body is larger than 64 MB")
    if not raw.strip():
        return {}, {}
    return _json(raw), {}


def _json(raw: bytes) -> dict:
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(f"JSON Error: Error decoding JSON data. Error: {exc}") from None
    if not isinstance(data, dict):
        raise BadRequest(
            f"JSON Error: Request data JSON decoded to {type(data).__name__} but it needs to be a dictionary."
        )
    return data


def _credentials(request: HttpRequest) -> str:
    raw = request.headers.get("Authorization") or request.headers.get("X-CKAN-API-Key") or ""
    raw = raw.strip()
    if raw.lower().startswith("bearer "):
        raw = raw[7:].strip()
    return raw


@csrf_exempt
def action(request: HttpRequest, name: str, ver: int = 3) -> HttpResponse:
    site = site_url(request)
    function = ACTIONS.get(name)
    if function is None:
        return _bad_request(f"Action name not known: {name}")
    envelope: dict[str, Any] = {"help": f"{site}/api/{ver}/action/help_show?name={name}"}
    try:
        data, uploads = _request_data(request, get_allowed=function.side_effect_free)
    except BadRequest as exc:
        return _bad_request(str(exc))
    data.pop("callback", None)  # JSONP is not offered
    raw_token = _credentials(request)
    access = selectors.ANONYMOUS
    try:
        if raw_token:
            token = selectors.token_for(raw_token)
            if token is None:
                raise NotAuthorized("the API token is not valid (unknown, expired or revoked)")
            services.note_token_use(token)
            access = selectors.access_for(token.user)
        elif function.side_effect_free and request.user.is_authenticated:
            access = selectors.access_for(request.user)
        ctx = Context(
            access=access,
            site=site,
            idempotency_key=request.headers.get("Idempotency-Key", "")[:100],
            files=uploads,
            api_version=ver,
        )
        result = function(ctx, data)
    except NotAuthorized as exc:
        message = f"Access denied: {exc}" if str(exc) else "Access denied"
        envelope.update(success=False, error={"__type": "Authorization Error", "message": message})
        return _respond(403, envelope)
    except NotFound as exc:
        message = f"Not found: {exc}" if str(exc) else "Not found"
        envelope.update(success=False, error={"__type": "Not Found Error", "message": message})
        return _respond(404, envelope)
    except ValidationError as exc:
        error = dict(exc.errors)
        error["__type"] = "Validation Error"
        envelope.update(success=False, error=error)
        return _respond(409, envelope)
    except SearchQueryError as exc:
        message = str(exc)
        if not message.startswith("Search Query is invalid"):
            message = f"Search Query is invalid: {message}"
        envelope.update(success=False, error={"__type": "Search Query Error", "message": message})
        return _respond(400, envelope)
    except Exception:
        log.exception("CKAN API action %s failed", name)
        envelope.update(
            success=False,
            error={"__type": "Internal Server Error", "message": "Internal Server Error"},
        )
        return _respond(500, envelope)
    envelope.update(success=True, result=result)
    return _respond(200, envelope)


def api_version(request: HttpRequest, ver: int = 3) -> HttpResponse:
    return _respond(200, {"version": ver})
