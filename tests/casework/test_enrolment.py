"""One live enrolment per person and programme, and a child counted once in a child programme:
database constraints (partial unique indexes), not only checks."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from civitas.casework import services
from civitas.casework.errors import ActionRefused
from civitas.casework.lifecycles import EnrolmentStatus
from civitas.casework.models import EnrolledChild, Enrolment
from civitas.registry.models import Household, Person
from tests.casework.conftest import program


def _amina():
    person = Person.objects.get(given_name="Amina", family_name="Haddad")
    return person, Household.objects.get(reference="H-DEMO-0001")


@pytest.mark.django_db
def test_the_database_refuses_a_second_live_enrolment(scoped):
    person, household = _amina()
    child_benefit = program("child-benefit")
    first = services.enrol(
        person=person,
        household=household,
        program=child_benefit,
        source="demo",
        account="CV12 3456 7890",
        actor="tests",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(
            person=person,
            household=household,
            program=child_benefit,
            status="active",
            source="demo",
            started_on=date.today(),
            payment_channel="bank",
            account="X",
            created_at=timezone.now(),
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        EnrolledChild.objects.create(
            enrolment=first, child=first.children.first().child, program=child_benefit
        )
    services.change_enrolment(enrolment=first, target=EnrolmentStatus.ENDED, actor="t", reason="x")
    again = services.enrol(
        person=person,
        household=household,
        program=child_benefit,
        source="demo",
        account="CV12 3456 7890",
        actor="tests",
    )
    assert again.children.count() == 2, "ending frees the person and the children"


@pytest.mark.django_db
def test_a_child_already_counted_elsewhere_is_refused_with_a_name(scoped):
    person, household = _amina()
    partner = Person.objects.get(given_name="Omar", family_name="Haddad")
    child_benefit = program("child-benefit")
    services.enrol(
        person=person,
        household=household,
        program=child_benefit,
        source="demo",
        account="CV12 3456 7890",
        actor="tests",
    )
    with pytest.raises(ActionRefused, match="Leila Haddad"):
        services.enrol(
            person=partner,
            household=household,
            program=child_benefit,
            source="demo",
            account="+238 9123456",
            actor="tests",
        )
    pension = services.enrol(
        person=partner,
        household=household,
        program=program("old-age-pension"),
        source="demo",
        account="+238 9123456",
        actor="tests",
    )
    assert (pension.payment_channel, pension.account, pension.children.count()) == (
        "mobile_money",
        "+2389123456",
        0,
    )
