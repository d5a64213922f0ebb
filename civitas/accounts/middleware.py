"""The second-factor gate: a signed-in person who needs MFA reaches only the MFA pages until they
pass it in this session — staff always, citizens once they have set up an authenticator app.

It also covers sessions opened by other means than our sign-in page (the admin's login form,
``client.force_login`` in tests): whatever opened the session, the gate asks for the code.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from civitas.accounts import selectors
from civitas.accounts.sessions import mark_second_factor, second_factor

# pages a signed-in person can reach before passing the second factor
OPEN_VIEWS = frozenset(
    {
        "accounts:mfa_setup",
        "accounts:mfa_verify",
        "accounts:mfa_recovery",
        "accounts:logout",
        "accounts:session",
        "accounts:session_extend",
        "set_language",
    }
)


class SecondFactorGate:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or second_factor(request):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in OPEN_VIEWS:
            return None
        if not selectors.mfa_required(user):
            mark_second_factor(request, "none")
            return None
        target = (
            "accounts:mfa_verify" if selectors.has_authenticator(user) else "accounts:mfa_setup"
        )
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
