"""Template helpers for participation pages."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def public_name(user) -> str:
    """How a contributor is shown in public: first name and initial, never the email address.

    Staff are shown with their full name, as they speak for the government.
    """
    if user is None:
        return _("Former participant")
    name = (getattr(user, "full_name", "") or "").split()
    if user.is_staff:
        return " ".join(name) or _("Official")
    if not name:
        return _("A resident")
    initial = f" {name[-1][0]}." if len(name) > 1 else ""
    return f"{name[0]}{initial}"


@register.filter
def percent(value, total) -> str:
    try:
        return f"{100 * float(value) / float(total):.0f}%" if float(total) else "0%"
    except (TypeError, ValueError):
        return "–"


@register.filter
def lookup(mapping, key):
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""
