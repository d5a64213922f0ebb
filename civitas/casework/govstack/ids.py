"""Stable identifiers the GovStack API shows for Civitas objects."""

from __future__ import annotations

import uuid

NAMESPACE = uuid.UUID("2c2dd07e-85e0-4b57-9900-5289b00844a0")


def service_id(program) -> str:
    return str(uuid.uuid5(NAMESPACE, f"service:{program.slug}"))


def eform_id(version) -> str:
    return str(uuid.uuid5(NAMESPACE, f"eform:{version.program.slug}:{version.number}"))


def user_id(user) -> str:
    return str(uuid.uuid5(NAMESPACE, f"user:{user.pk}")) if user is not None else ""
