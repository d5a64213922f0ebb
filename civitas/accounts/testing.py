"""Signing staff in from tests, the real way: the second factor is passed through the MFA pages.

``client.force_login(staff_user)`` opens a session, but the second-factor gate then sends every
back-office request to the MFA pages. Use ``sign_in_staff`` instead::

    from civitas.accounts.testing import sign_in_staff

    sign_in_staff(client, caseworker)                       # force_login + real MFA pages
    sign_in_staff(client, caseworker, password="…")         # the sign-in form + real MFA pages

A user without an authenticator app enrols one through the set-up page (reading the key from the
page, as a person would type it into their app); one who has an app types its current code. Codes
are computed with ``civitas.accounts.totp`` from the stored secret, never bypassed. The fixtures in
``tests/accounts/conftest.py`` (``staff_client``) wrap this.
"""

from __future__ import annotations

import re
import time

from django.urls import reverse

from civitas.accounts import totp
from civitas.accounts.models import TOTPDevice


def code_for(secret: str, *, after: int = -1) -> str:
    """A code the app would show now that the server has not seen yet (each code works once)."""
    step = max(totp.time_step(), after + 1)
    if step > totp.time_step() + 1:  # more than the clock-drift window ahead: wait for time
        time.sleep((step - 1) * totp.STEP_SECONDS - time.time() + 0.1)
    return totp.hotp(secret, step)


def sign_in_staff(client, user, *, password: str | None = None) -> None:
    """Sign ``user`` in on ``client`` and pass the second factor; raises AssertionError if any
    step fails."""
    if password is None:
        client.force_login(user)
    else:
        response = client.post(
            reverse("accounts:login"), {"username": user.email, "password": password}
        )
        assert response.status_code == 302, "the password was accepted"
    device = TOTPDevice.objects.filter(user=user).first()
    if device is None:
        page = client.get(reverse("accounts:mfa_setup")).content.decode()
        found = re.search(r'class="civitas-secret"[^>]*>([A-Z2-7 ]+)<', page)
        assert found, "the set-up page shows the key to type into the app"
        secret = found.group(1).replace(" ", "")
        response = client.post(reverse("accounts:mfa_setup"), {"code": totp.totp(secret)})
        assert response.status_code == 302, "the authenticator app was set up"
        client.get(response.url)  # the page that shows the recovery codes once
        return
    response = client.post(
        reverse("accounts:mfa_verify"),
        {"code": code_for(device.secret, after=device.last_used_step)},
    )
    assert response.status_code == 302, "the code from the app was accepted"
