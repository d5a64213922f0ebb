"""Reads of messages: a person sees only their own."""

from civitas.notify.models import Message


def messages_for(user):
    return Message.objects.filter(recipient=user).order_by("-created_at")
