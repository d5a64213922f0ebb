"""Who may do what in e-participation. One place, so views, services and selectors agree."""

from __future__ import annotations

from civitas.accounts.models import Role

# Staff who prepare consultations, budgets, surveys and conversations and answer proposals.
MANAGER_ROLES = (Role.POLICY_AUTHOR, Role.APPROVER, Role.ADMINISTRATOR)
# A staff group that may moderate without managing (create it in the admin to use it).
MODERATOR_GROUP = "moderator"


def is_citizen(user) -> bool:
    """Signed in with a citizen account: staff take part in their official capacity only."""
    return bool(getattr(user, "is_authenticated", False)) and not user.is_staff


def can_manage(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return any(user.has_role(role) for role in MANAGER_ROLES)


def can_moderate(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return can_manage(user) or user.has_role(MODERATOR_GROUP)
