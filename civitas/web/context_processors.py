"""Values every page needs: the service name, the kind of account signed in, and the session."""

from django.conf import settings

from civitas.accounts.sessions import second_factor


def site(request):
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    # signed in with a password but not yet through the second factor: only the MFA pages work
    pending = signed_in and hasattr(request, "session") and not second_factor(request)
    return {
        "site_name": settings.CIVITAS_SITE_NAME,
        "is_staff_user": signed_in and user.is_staff,
        "second_factor_pending": pending,
        "session_minutes": settings.SESSION_COOKIE_AGE // 60,
        "session_seconds": settings.SESSION_COOKIE_AGE,
    }
