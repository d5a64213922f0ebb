"""Errors a person can read: the action is not allowed now, and why."""

from __future__ import annotations


class ActionRefused(Exception):
    """The action is not allowed in the current state or for this person; the message says why.

    Views show the message next to the form; it never becomes a 500.
    """
