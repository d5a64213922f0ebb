"""Demo staff scopes, for ``civitas demo load`` (never in a real deployment).

The demo caseworker, supervisor, finance officer and auditor work on every programme in the
whole country, sitting in the capital's office (so automatic assignment has someone to share
cases with).
"""

from __future__ import annotations

from civitas.accounts.models import User
from civitas.casework.models import StaffScope
from civitas.casework.services.scope import set_scope
from civitas.registry.models import Office

DEMO_SCOPED = [
    "caseworker@demo.civitas.example",
    "supervisor@demo.civitas.example",
    "finance@demo.civitas.example",
    "auditor@demo.civitas.example",
]
HOME_OFFICE = "capital-office"


def grant_demo_scopes(*, actor: str = "demo-loader") -> int:
    """Give the demo staff their scope; idempotent (people who have one keep it)."""
    office = Office.objects.filter(code=HOME_OFFICE).first()
    granted = 0
    for user in User.objects.filter(email__in=DEMO_SCOPED):
        if StaffScope.objects.filter(user=user).exists():
            continue
        set_scope(
            user=user,
            actor=actor,
            all_programmes=True,
            whole_country=True,
            home_office=office,
        )
        granted += 1
    return granted
