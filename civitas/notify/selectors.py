"""Reads of messages: a person sees only their own."""

from civitas.notify.models import ContactPreference, Message


def messages_for(user):
    """Every message sent to ``user``, by any channel, newest first (the portal's Messages page)."""
    return Message.objects.filter(recipient=user).order_by("-created_at", "-pk")


def contact_preference_of(user) -> ContactPreference | None:
    return ContactPreference.objects.filter(user=user).first()
