"""Assisted digital: a caseworker or a registered intermediary applies for someone, recorded as
made on their behalf, with the person's consent recorded."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from civitas.accounts.testing import sign_in_staff
from civitas.applications import services
from civitas.applications.models import Application, Consent
from civitas.audit.models import AuditEvent
from civitas.notify.models import Message
from civitas.registry.models import Person
from civitas.registry.national_id import make_national_id

FOOD = {
    "household_size": "4",
    "household_income": "950",
    "bank_account": "CV1",
    "declaration": "yes",
}


def omar() -> Person:
    return Person.objects.with_national_id(
        make_national_id(99_000_002)
    ).get()  # no account of his own


def find_and_start(client, person: Person, *, method="in_person", program="food-allowance"):
    found = client.post(
        reverse("applications:on_behalf"),
        {"national_id": person.national_id, "birth_date": person.birth_date.strftime("%d/%m/%Y")},
    )
    assert found.status_code == 302, found.content.decode()[:500]
    page = client.get(found.url).content.decode()
    assert person.full_name in page
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', page).group(1)
    return (
        client.post(
            found.url,
            {
                "program": program,
                "consent_method": method,
                "confirmed": "on",
                "idempotency_key": key,
            },
        ),
        found.url,
        key,
    )


def answer_and_send(client, response) -> Application:
    for _ in range(20):
        target = response.url
        if target.endswith("/registry/"):
            response = client.post(target, {"use_registry": "yes", "method": "in_person"})
        elif "/questions/" in target:
            response = client.post(target, FOOD)
        else:
            break
    reference = response.url.split("/")[2]
    sent = client.post(reverse("applications:check", args=[reference]))
    assert sent.status_code == 302, sent.content.decode()[:1000]
    return Application.objects.get(reference=reference)


@pytest.mark.django_db
def test_a_caseworker_applies_for_someone_with_their_consent_recorded(client, caseworker):
    sign_in_staff(client, caseworker)
    person = omar()
    response, start_url, key = find_and_start(client, person)
    application = answer_and_send(client, response)
    assert application.channel == "assisted"
    assert application.created_by == caseworker
    assert application.applicant is None and application.person == person
    assert application.status == "submitted"
    consents = Consent.objects.filter(person=person).order_by("purpose")
    assert [(c.purpose, c.method, c.recorded_by) for c in consents] == [
        ("assisted_application", "in_person", caseworker),
        ("prefill_from_registry", "in_person", caseworker),
    ]
    assert application.answers["household_size"] == 4, "once-only works for the helper too"
    created = AuditEvent.objects.get(action="applications:application:created")
    assert created.actor_id == caseworker.pk and created.after["channel"] == "assisted"
    # a person without an account: the helper hears about it, and can follow it
    message = Message.objects.get(reference=application.reference)
    assert message.recipient == caseworker and "made on the applicant's behalf" in message.body
    assert application.reference in client.get(reverse("applications:mine")).content.decode()
    # the same form sent twice makes one application
    again = client.post(
        start_url,
        {
            "program": "food-allowance",
            "consent_method": "in_person",
            "confirmed": "on",
            "idempotency_key": key,
        },
    )
    assert again.url.split("/")[2] == application.reference


@pytest.mark.django_db
def test_a_registered_intermediary_may_apply_and_the_person_sees_it(
    client, citizen, other_citizen, caseworker
):
    services.register_intermediary(
        actor=caseworker, user=other_citizen, organisation="Liberty Street Library"
    )
    client.force_login(other_citizen)
    _response, _url, _key = find_and_start(
        client, citizen.person, method="phone", program="child-benefit"
    )
    draft = Application.objects.get()
    assert draft.applicant == citizen and draft.created_by == other_citizen
    client.force_login(citizen)
    assert draft.reference in client.get(reverse("applications:mine")).content.decode()


@pytest.mark.django_db
def test_consent_must_be_confirmed(client, caseworker):
    sign_in_staff(client, caseworker)
    person = omar()
    found = client.post(
        reverse("applications:on_behalf"),
        {"national_id": person.national_id, "birth_date": person.birth_date.strftime("%d/%m/%Y")},
    )
    refused = client.post(found.url, {"program": "food-allowance", "consent_method": "in_person"})
    assert "Confirm that the person agrees" in refused.content.decode()
    assert not Application.objects.exists()


@pytest.mark.django_db
def test_a_wrong_date_of_birth_finds_nobody(client, caseworker):
    sign_in_staff(client, caseworker)
    response = client.post(
        reverse("applications:on_behalf"),
        {"national_id": omar().national_id, "birth_date": "01/01/1980"},
    )
    assert response.status_code == 200
    assert (
        "We could not find a person with this national ID number and date of birth"
        in response.content.decode()
    )


@pytest.mark.django_db
def test_an_ordinary_citizen_cannot_apply_for_others(client, citizen):
    client.force_login(citizen)
    assert client.get(reverse("applications:on_behalf")).status_code == 404
    with pytest.raises(Exception, match="caseworkers and registered intermediaries"):
        services.start_on_behalf(
            helper=citizen,
            person=omar(),
            program=Application._meta.get_field("program").related_model.objects.first(),
            idempotency_key="x",
            consent_method="in_person",
        )


@pytest.mark.django_db
def test_an_intermediary_is_registered_from_the_command_line(other_citizen):
    from io import StringIO

    from django.core.management import call_command

    from civitas.applications.selectors import can_apply_on_behalf

    out = StringIO()
    call_command(
        "intermediary", email=other_citizen.email, organisation="Community Centre", stdout=out
    )
    assert "may now apply on people's behalf" in out.getvalue()
    assert can_apply_on_behalf(other_citizen)
