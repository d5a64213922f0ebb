"""Every write to accounts goes through here, audited in the same transaction."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction

from civitas.accounts.models import Role, User
from civitas.audit import services as audit


@transaction.atomic
def create_citizen(*, email: str, password: str, full_name: str = "", actor=None) -> User:
    user = User.objects.create_user(email=email, password=password, full_name=full_name)
    audit.record(
        actor=actor or user,
        action="accounts:user:created",
        subject=user,
        after={"email": user.email, "kind": "citizen"},
    )
    return user


@transaction.atomic
def create_staff(
    *, email: str, password: str, full_name: str, roles: list[str], actor=None
) -> User:
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise ValueError(f"unknown role(s): {', '.join(sorted(unknown))}")
    user = User.objects.create_user(email=email, password=password, full_name=full_name)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    for role in roles:
        group, _ = Group.objects.get_or_create(name=role)
        user.groups.add(group)
    audit.record(
        actor=actor,
        action="accounts:user:created",
        subject=user,
        after={"email": user.email, "kind": "staff", "roles": sorted(roles)},
    )
    return user
