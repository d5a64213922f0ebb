"""Who is calling: the Information-Mediator-Client header names a registered client, and its
bearer token proves it. Every refusal is a ``systemError`` body, never a stack trace."""

from __future__ import annotations

import hashlib
import hmac
import uuid

from django.http import JsonResponse

from civitas.casework.models import ApiClient

HEADER = "Information-Mediator-Client"


def error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse(
        {
            "traceId": uuid.uuid4().hex,
            "code": code,
            "message": message,
            "localizedMessage": message,
        },
        status=status,
    )


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def authenticate(request) -> ApiClient | JsonResponse:
    member = request.headers.get(HEADER, "").strip()
    if not member:
        return error(400, "MISSING_IM_CLIENT", f"the {HEADER} header is required")
    if member.count("/") != 3 or any(not part for part in member.split("/")):
        return error(400, "BAD_IM_CLIENT", f"{HEADER} must be INSTANCE/CLASS/MEMBER/SUBSYSTEM")
    client = (
        ApiClient.objects.filter(im_client=member, active=True).select_related("acts_as").first()
    )
    given = request.headers.get("Authorization", "")
    token = given[7:].strip() if given.lower().startswith("bearer ") else ""
    if (
        client is None
        or not token
        or not hmac.compare_digest(client.token_sha256, token_digest(token))
    ):
        return error(401, "UNAUTHORIZED", "unknown client or wrong token")
    if not client.acts_as.is_active:
        return error(401, "UNAUTHORIZED", "the client's account is disabled")
    return client
