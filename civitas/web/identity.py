"""Recognising a person from the national ID claim of an eID sign-in.

Accounts sit below the registry, so the eID callback in ``civitas.accounts`` reaches this function
through the ``OIDC_PERSON_MATCHER`` setting. It looks the number up in the registry and says which
account, if any, belongs to that person; it never looks at email addresses.
"""

from __future__ import annotations

from civitas.accounts.services import PersonMatch
from civitas.registry import services as registry
from civitas.registry.models import Person


def match_person(*, national_id: str, claims: dict) -> PersonMatch | None:
    number = "".join(national_id.split())
    if not number:
        return None
    person = Person.objects.select_for_update().with_national_id(number).first()
    if person is None:
        return None

    def link(user) -> None:
        if Person.objects.filter(account=user).exists():
            return  # this account already belongs to a person; never move it silently
        registry.link_account(actor=user, person=person, user=user)

    return PersonMatch(label=f"registry.person:{person.pk}", account=person.account, link=link)
