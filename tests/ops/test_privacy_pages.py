"""The data-protection officer's pages (/staff/privacy/): find a person or an account, see what an
erasure would do (a dry run that changes nothing but is itself audited), erase with the request's
reference, and download everything held (subject access, audited). Administrators only."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import formats, timezone

from civitas.accounts.models import User
from civitas.accounts.testing import sign_in_staff
from civitas.applications import services as applications
from civitas.applications.models import Application
from civitas.audit.models import AuditEvent
from civitas.programs.models import Program
from civitas.registry.models import Person
from civitas.registry.national_id import make_national_id
from tests.applications.conftest import VALID_CHILD_BENEFIT
from tests.applications.journeys import apply_online

OMAR = make_national_id(99_000_002)  # Amina's partner: in the registry, no account


@pytest.fixture
def dpo_user(demo_country):
    return User.objects.get(email="admin@demo.civitas.example")


def signed_in_as_dpo(client, dpo_user):
    """``client`` signed in as the demo administrator, second factor passed the real way."""
    client.logout()
    sign_in_staff(client, dpo_user)
    return client


@pytest.fixture
def dpo(client, dpo_user):
    return signed_in_as_dpo(client, dpo_user)


def draft_for(user, key="privacy-draft") -> Application:
    return applications.start_draft(
        applicant=user,
        program=Program.objects.get(slug="maternity-care"),
        idempotency_key=key,
        answers={"pregnant": True, "due_date": "2026-09-01"},
    ).application


def sent_by(client, citizen) -> Application:
    client.force_login(citizen)
    application = apply_online(client, "child-benefit", VALID_CHILD_BENEFIT, use_registry=True)
    client.logout()
    return application


def decided(client, citizen, caseworker) -> Application:
    application = sent_by(client, citizen)
    applications.start_review(application=application, actor=caseworker)
    return applications.record_decision(
        application=application, approved=True, reason="Two children.", actor=caseworker
    )


def events(action: str):
    return AuditEvent.objects.filter(action=action).order_by("seq")


def person_url(name: str, person: Person) -> str:
    return reverse(f"privacy:{name}", args=[person.pk])


# --- finding -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_person_is_found_by_national_id_and_an_account_by_email(dpo, citizen, other_citizen):
    find = reverse("privacy:find")
    assert dpo.get(find).status_code == 200

    response = dpo.post(find, {"national_id": f" {citizen.person.national_id} "})
    assert response.status_code == 302 and response.url == person_url("person", citizen.person)

    omar = Person.objects.with_national_id(OMAR).get()
    response = dpo.post(find, {"national_id": OMAR})
    assert response.url == person_url("person", omar)

    response = dpo.post(find, {"email": citizen.email.upper()})  # an account with a record
    assert response.url == person_url("person", citizen.person)
    response = dpo.post(find, {"email": other_citizen.email})  # an account without one
    assert response.url == reverse("privacy:account", args=[other_citizen.pk])


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({}, "Enter a national ID number or an email address"),
        ({"national_id": OMAR, "email": "a@example.org"}, "not both"),
        ({"national_id": "1234567890"}, "No person in the registry has this national ID"),
        ({"national_id": "x" * 500}, "at most 30 characters"),
        ({"email": "nobody@example.org"}, "No account has this email address"),
        ({"email": "'; DROP TABLE x; --"}, "No account has this email address"),
    ],
)
@pytest.mark.django_db
def test_bad_input_gives_a_form_error(dpo, data, error):
    response = dpo.post(reverse("privacy:find"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert error in page and "There is a problem" in page


# --- the dry run ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_dry_run_shows_the_legal_holds_and_changes_nothing(
    client, citizen, caseworker, dpo_user
):
    application = decided(client, citizen, caseworker)
    dpo = signed_in_as_dpo(client, dpo_user)
    draft = draft_for(citizen)
    person = citizen.person
    before = AuditEvent.objects.count()

    response = dpo.get(person_url("person", person))

    assert response.status_code == 200
    page = response.content.decode()
    until = application.decided_at.date() + timedelta(days=3650)
    assert "Kept by law" in page and "Sent applications" in page
    assert formats.date_format(until, "DATE_FORMAT") in page
    assert "Draft applications" in page and person.national_id in page
    assert 'action="' + person_url("person_erase", person) + '"' in page
    # nothing changed: the record, the account, the draft; only the look is in the trail
    assert Person.objects.filter(pk=person.pk).exists()
    assert Application.objects.filter(pk=draft.pk).exists()
    citizen.refresh_from_db()
    assert citizen.is_active and citizen.has_usable_password()
    assert AuditEvent.objects.count() == before + 1
    viewed = events("privacy:person:viewed").last()
    assert (viewed.actor_id, viewed.subject_id) == (dpo_user.pk, str(person.pk))
    assert viewed.after["would_be"] == "restricted"
    assert person.national_id not in json.dumps(viewed.after)
    assert not events("privacy:person:restricted").exists()


@pytest.mark.django_db
def test_an_open_application_gives_the_refusal_and_nothing_changes(client, citizen, dpo_user):
    application = sent_by(client, citizen)
    dpo = signed_in_as_dpo(client, dpo_user)
    person = citizen.person

    page = dpo.get(person_url("person", person)).content.decode()
    assert "An application of this person is being decided" in page
    assert 'action="' + person_url("person_erase", person) + '"' not in page
    assert events("privacy:person:viewed").last().after["would_be"] == "refused"

    response = dpo.post(person_url("person_erase", person), {"erase-reason": "DSR-2026-40"})
    assert response.status_code == 400
    assert "being decided: decide or withdraw it first" in response.content.decode()
    assert Person.objects.filter(pk=person.pk).exists()
    assert Application.objects.get(pk=application.pk).status == application.status
    citizen.refresh_from_db()
    assert citizen.is_active
    assert not AuditEvent.objects.filter(action__startswith="privacy:person:e").exists()
    assert not events("privacy:person:restricted").exists()


# --- erasing ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_erasing_with_a_reference_erases_audits_and_confirms(
    dpo, citizen, dpo_user, django_capture_on_commit_callbacks
):
    person = citizen.person
    draft = draft_for(citizen)

    with django_capture_on_commit_callbacks(execute=True):
        response = dpo.post(person_url("person_erase", person), {"erase-reason": "DSR-2026-41"})

    assert response.status_code == 302
    event = events("privacy:person:erased").get()
    assert response.url == reverse("privacy:done", args=[event.seq])
    assert (event.actor_id, event.subject_id) == (dpo_user.pk, str(person.pk))
    assert event.after["request"] == "DSR-2026-41"
    assert not Person.objects.filter(pk=person.pk).exists()
    assert not Application.objects.filter(pk=draft.pk).exists()
    citizen.refresh_from_db()
    assert not citizen.is_active and citizen.email.endswith("@erased.invalid")

    page = dpo.get(response.url).content.decode()
    assert "Erasure done" in page and "DSR-2026-41" in page
    assert "Registry record" in page and "Draft applications" in page
    assert dpo.get(person_url("person", person)).status_code == 404


@pytest.mark.django_db
def test_a_decided_application_restricts_and_the_confirmation_gives_the_end_date(
    client, citizen, caseworker, dpo_user
):
    application = decided(client, citizen, caseworker)
    dpo = signed_in_as_dpo(client, dpo_user)
    person = citizen.person

    response = dpo.post(person_url("person_erase", person), {"erase-reason": "DSR-2026-42"})

    event = events("privacy:person:restricted").get()
    assert response.url == reverse("privacy:done", args=[event.seq])
    assert Person.objects.get(pk=person.pk).national_id == person.national_id
    page = dpo.get(response.url).content.decode()
    until = application.decided_at.date() + timedelta(days=3650)
    assert "Erased where the law allows" in page
    assert formats.date_format(until, "DATE_FORMAT") in page


@pytest.mark.parametrize("reason", ["", "   "])
@pytest.mark.django_db
def test_erasing_without_a_reference_is_refused(dpo, citizen, reason):
    person = citizen.person
    response = dpo.post(person_url("person_erase", person), {"erase-reason": reason})
    assert response.status_code == 400
    assert "Enter the reference of the request" in response.content.decode()
    assert Person.objects.filter(pk=person.pk).exists()
    citizen.refresh_from_db()
    assert citizen.is_active
    assert not AuditEvent.objects.filter(action="privacy:person:erased").exists()


@pytest.mark.django_db
def test_an_account_without_a_registry_record_is_erased(dpo, other_citizen):
    draft_for(other_citizen)
    page = dpo.get(reverse("privacy:account", args=[other_citizen.pk])).content.decode()
    assert other_citizen.email in page and "Draft applications" in page

    response = dpo.post(
        reverse("privacy:account_erase", args=[other_citizen.pk]), {"erase-reason": "DSR-43"}
    )

    event = events("privacy:account:erased").get()
    assert response.url == reverse("privacy:done", args=[event.seq])
    other_citizen.refresh_from_db()
    assert not other_citizen.is_active
    assert "The account was closed" in dpo.get(response.url).content.decode()


@pytest.mark.django_db
def test_a_staff_account_is_refused_on_the_page(dpo, caseworker):
    page = dpo.get(reverse("privacy:account", args=[caseworker.pk])).content.decode()
    assert "Staff accounts are closed by the administrator" in page
    response = dpo.post(
        reverse("privacy:account_erase", args=[caseworker.pk]), {"erase-reason": "DSR-44"}
    )
    assert response.status_code == 400
    caseworker.refresh_from_db()
    assert caseworker.is_active


# --- access -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_access_export_holds_the_persons_data_and_is_audited(
    client, citizen, caseworker, dpo_user
):
    from civitas.casework import services as casework
    from civitas.notify.models import Message
    from civitas.payments import services as payments
    from civitas.registry.selectors import household_of

    application = decided(client, citizen, caseworker)
    dpo = signed_in_as_dpo(client, dpo_user)
    person = citizen.person
    child_benefit = Program.objects.get(slug="child-benefit")
    enrolment = casework.enrol(
        person=person,
        household=household_of(person),
        program=child_benefit,
        source="demo",
        account="CV12 3456 7890",
        actor="tests",
    )
    period = timezone.localdate().strftime("%Y-%m")
    cycle = payments.compute_cycle(program=child_benefit, period=period, actor="tests").cycle
    payments.approve_cycle(cycle=cycle, actor="tests")
    casework.change_enrolment(enrolment=enrolment, target="ended", actor="tests", reason="moved")
    Message.objects.create(
        recipient=citizen, address=citizen.email, subject="Your decision", body="Approved."
    )

    response = dpo.post(person_url("person_export", person), {"export-reason": "SAR-2026-7"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    assert person.national_id not in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["request"]["reference"] == "SAR-2026-7"
    assert data["registry"]["person"]["national_id"] == person.national_id
    assert data["account"]["email"] == citizen.email
    assert data["registry_record"]["memberships"][0]["role"] == "adult"
    sent = next(a for a in data["applications"] if a["reference"] == application.reference)
    assert sent["answers"] and sent["decision_reason"] == "Two children."
    enrolled = data["registry_record"]["enrolments"][0]
    assert (enrolled["programme"], enrolled["status"]) == (child_benefit.name, "ended")
    assert data["registry_record"]["entitlements"][0]["period"] == period
    assert [p["period"] for p in data["registry_record"]["payments"]] == [period]
    assert any(m["subject"] == "Your decision" for m in data["messages"])

    event = events("privacy:person:exported").get()
    assert data["request"]["audit_event"] == event.seq
    assert (event.actor_id, event.subject_id) == (dpo_user.pk, str(person.pk))
    assert event.after["request"] == "SAR-2026-7"
    assert event.after["records"]["payments"] == 1
    assert person.national_id not in json.dumps(event.after)


@pytest.mark.django_db
def test_a_person_without_an_account_is_exported_too(dpo):
    omar = Person.objects.with_national_id(OMAR).get()
    response = dpo.post(person_url("person_export", omar), {"export-reason": "SAR-8"})
    data = json.loads(response.content)
    assert data["account"] is None and data["registry"]["person"]["national_id"] == OMAR
    assert data["registry"]["household"]["other_members"], "Amina and the children, by name"
    assert events("privacy:person:exported").get().subject_id == str(omar.pk)


@pytest.mark.django_db
def test_an_export_without_a_reference_is_refused(dpo, citizen):
    response = dpo.post(person_url("person_export", citizen.person), {"export-reason": ""})
    assert response.status_code == 400
    assert "Enter the reference of the request" in response.content.decode()
    assert not events("privacy:person:exported").exists()


# --- who may ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_only_administrators_get_in_and_others_change_nothing(client, citizen):
    person = citizen.person
    get_urls = [reverse("privacy:find"), person_url("person", person)]
    post_urls = {
        person_url("person_erase", person): {"erase-reason": "DSR-1"},
        person_url("person_export", person): {"export-reason": "SAR-1"},
    }
    for email in ("caseworker", "supervisor", "auditor", "finance"):
        sign_in_staff(client, User.objects.get(email=f"{email}@demo.civitas.example"))
        for url in get_urls:
            assert client.get(url).status_code == 404, (email, url)
        for url, data in post_urls.items():
            assert client.post(url, data).status_code == 404, (email, url)
        client.logout()
    client.force_login(citizen)
    for url in get_urls:
        assert client.get(url).status_code == 404
    for url, data in post_urls.items():
        assert client.post(url, data).status_code == 404
    client.logout()
    assert client.get(get_urls[0]).status_code == 302  # to sign in
    assert Person.objects.filter(pk=person.pk).exists()
    assert not AuditEvent.objects.filter(action__startswith="privacy:").exists()


@pytest.mark.django_db
def test_the_work_queue_links_the_page_for_administrators_only(client, dpo_user, caseworker):
    from civitas.casework.demo import grant_demo_scopes

    grant_demo_scopes()
    sign_in_staff(client, caseworker)
    assert reverse("privacy:find") not in client.get(reverse("casework:queue")).content.decode()
    client.logout()
    sign_in_staff(client, dpo_user)
    response = client.get(reverse("casework:queue"))  # the demo administrator is a superuser
    assert reverse("privacy:find") in response.content.decode()
