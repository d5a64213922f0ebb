"""Values every page needs: the service name and the signed-in person's kind of account."""

from django.conf import settings


def site(request):
    user = getattr(request, "user", None)
    return {
        "site_name": settings.CIVITAS_SITE_NAME,
        "is_staff_user": bool(user and user.is_authenticated and user.is_staff),
    }
