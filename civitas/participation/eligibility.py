"""Who may vote in a participatory budget: a resident of the district, old enough, in the registry.

A citizen account counts only once it is linked to a registry person (``Person.account``); the
person's household gives the district, their birth date the age on the budget's reference day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from civitas.participation.models import Budget, District
from civitas.participation.permissions import is_citizen
from civitas.registry.models import Person
from civitas.registry.selectors import household_of, person_for_account


@dataclass(frozen=True)
class Eligibility:
    person: Person | None
    district: District | None
    reason: str = ""  # why not, in plain words; empty when eligible

    @property
    def eligible(self) -> bool:
        return not self.reason


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def reference_day(budget: Budget) -> date:
    return budget.age_on or budget.voting_closes_on or timezone.localdate()


def check(user, budget: Budget) -> Eligibility:
    if not getattr(user, "is_authenticated", False):
        return Eligibility(None, None, _("Sign in to vote."))
    if not is_citizen(user):
        return Eligibility(None, None, _("Staff accounts cannot vote: use your citizen account."))
    person = person_for_account(user)
    if person is None:
        return Eligibility(
            None,
            None,
            _(
                "Your account is not linked to the population register, so we cannot check that "
                "you live in a district of this budget. Contact your local office to link it."
            ),
        )
    household = household_of(person)
    if household is None:
        return Eligibility(person, None, _("The population register has no home address for you."))
    district = budget.districts.select_related("region").filter(region=household.region).first()
    if district is None:
        return Eligibility(
            person,
            None,
            _("This budget has no projects for %(region)s, where you live.")
            % {"region": household.region.name},
        )
    day = reference_day(budget)
    if age_on(person.birth_date, day) < budget.minimum_age:
        return Eligibility(
            person,
            district,
            _("You must be at least %(age)s years old on %(day)s to vote.")
            % {"age": budget.minimum_age, "day": day.isoformat()},
        )
    return Eligibility(person, district)
