"""Pre-assessment of an application with the rules engine (wired in when the engine lands)."""

from __future__ import annotations


def pre_assess(*, version, person_user, answers) -> dict | None:
    return None
