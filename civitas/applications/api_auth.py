"""Authentication for the public API: a bearer token (a personal access token or an OAuth access
token) that acts for one person within its scopes. Other apps' routers use ``TokenAuth`` and
``require_scope`` too."""

from __future__ import annotations

from ninja.errors import HttpError
from ninja.security import HttpBearer

from civitas.applications import selectors, services
from civitas.applications.models import SCOPES, ApiToken


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str) -> ApiToken | None:
        found = selectors.token_from_bearer(token.strip())
        if found is None:
            return None
        services.touch_token(found)
        request.user = found.user  # audited writes name the person the token acts for
        return found


def require_scope(request, scope: str) -> ApiToken:
    """The request's token, if it carries ``scope``; a 403 naming the missing scope otherwise."""
    token: ApiToken = request.auth
    if scope not in token.scopes:
        raise HttpError(
            403, f"This token does not allow {scope} ({SCOPES[scope]}). Ask for that scope."
        )
    return token
