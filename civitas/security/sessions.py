"""Sessions end after a fixed time whatever the activity (the idle time-out is Django's own)."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout

STARTED = "_civitas_session_started"


class SessionLifetimeMiddleware:
    """Place after ``AuthenticationMiddleware``: signs out a session older than
    ``CIVITAS_SESSION_ABSOLUTE_SECONDS`` (default 12 hours)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            started = request.session.get(STARTED)
            if started is None:
                request.session[STARTED] = now
            elif now - int(started) > getattr(
                settings, "CIVITAS_SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60
            ):
                logout(request)
        return self.get_response(request)
