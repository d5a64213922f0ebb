"""Small helpers shared by the participation views."""

from __future__ import annotations

import uuid

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render


def idempotency_key(request) -> str:
    """The key the form carried, or a fresh one for a new form."""
    if request.method == "POST":
        return (request.POST.get("idempotency_key") or "")[:100] or uuid.uuid4().hex
    return uuid.uuid4().hex


def require_sign_in(request):
    """A redirect to sign in (coming back here), or None when signed in."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return None


def int_or_404(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404("Not found") from None


def problem(request, message: str, back: str, *, status: int = 400):
    """A page that says what went wrong and how to go back; nothing was changed."""
    return render(
        request, "participation/problem.html", {"message": message, "back": back}, status=status
    )


_MADE = "participation-made"


def made_before(request):
    """A redirect to what the first sending of this same form made, if it was sent before (the
    form's idempotency key is remembered in the session), else None."""
    if request.method != "POST":
        return None
    url = request.session.get(_MADE, {}).get(request.POST.get("idempotency_key") or "")
    return redirect(url) if url else None


def remember_made(request, url: str) -> None:
    """Remember where this form's idempotency key led (the last few keys only)."""
    key = request.POST.get("idempotency_key") or ""
    if not key:
        return
    made = dict(list(request.session.get(_MADE, {}).items())[-19:])
    made[key] = url
    request.session[_MADE] = made
