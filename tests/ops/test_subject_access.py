"""One document for the right of access: the person's own download (/my/data.json) and the
data-protection officer's export (/staff/privacy/) come from the same builder, so they agree; both
hold enrolments, entitlements and payments, with accounts masked. Administrators reach the
officer's pages from the staff navigation on every page."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from civitas.accounts import services as accounts
from civitas.accounts.models import User
from civitas.accounts.testing import sign_in_staff
from civitas.applications.selectors import masked_account, personal_data_of
from civitas.ops.subject_access import BENEFIT_SECTIONS, data_held
from civitas.programs.models import Program
from civitas.registry.models import Person
from tests.ops.test_privacy_pages import OMAR, decided, person_url, signed_in_as_dpo

ACCOUNT = "CV12 3456 7890"

# the keys each document had before the two were built by one function: none may go
CITIZEN_KEYS = {
    "generated_at",
    "account",
    "contact_preference",
    "registry",
    "applications",
    "messages",
    "consents",
    "correction_requests",
    "api_access",
    "activity",
}
STAFF_KEYS_WITHOUT_ACCOUNT = {
    "generated_at",
    "account",
    "registry",
    "applications",
    "messages",
    "consents",
    "registry_record",
}
REGISTRY_RECORD_KEYS = {"identifiers", "memberships", "enrolments", "entitlements", "payments"}


@pytest.fixture
def dpo_user(demo_country):
    return User.objects.get(email="admin@demo.civitas.example")


@pytest.fixture
def paid(client, citizen, caseworker):
    """The demo citizen: an approved application, an enrolment (since ended) and one paid cycle."""
    from civitas.casework import services as casework
    from civitas.payments import services as payments
    from civitas.registry.selectors import household_of

    application = decided(client, citizen, caseworker)
    person = citizen.person
    child_benefit = Program.objects.get(slug="child-benefit")
    enrolment = casework.enrol(
        person=person,
        household=household_of(person),
        program=child_benefit,
        source="demo",
        account=ACCOUNT,
        actor="tests",
    )
    period = timezone.localdate().strftime("%Y-%m")
    cycle = payments.compute_cycle(program=child_benefit, period=period, actor="tests").cycle
    payments.approve_cycle(cycle=cycle, actor="tests")
    casework.change_enrolment(enrolment=enrolment, target="ended", actor="tests", reason="moved")
    return application, child_benefit, period


def own_download(client, citizen) -> tuple[dict, str]:
    client.logout()
    client.force_login(citizen)
    response = client.get(reverse("my:data_json"))
    assert response.status_code == 200
    client.logout()
    return json.loads(response.content), response.content.decode()


def staff_export(client, dpo_user, person, reference="SAR-2026-9") -> tuple[dict, str]:
    dpo = signed_in_as_dpo(client, dpo_user)
    response = dpo.post(person_url("person_export", person), {"export-reason": reference})
    assert response.status_code == 200
    client.logout()
    return json.loads(response.content), response.content.decode()


@pytest.mark.django_db
def test_the_citizens_own_file_holds_enrolments_entitlements_and_payments(client, citizen, paid):
    _application, child_benefit, period = paid
    data, raw = own_download(client, citizen)

    assert data.keys() >= CITIZEN_KEYS, "keys are only ever added"
    [enrolled] = data["enrolments"]
    assert (enrolled["programme"], enrolled["status"]) == (child_benefit.name, "ended")
    assert enrolled["account"] == "****7890"
    [entitled] = data["entitlements"]
    assert (entitled["programme"], entitled["period"], entitled["eligible"]) == (
        child_benefit.name,
        period,
        True,
    )
    [payment] = data["payments"]
    assert (payment["period"], payment["amount"]) == (period, entitled["amount"])
    assert payment["account"] == "****7890"
    [application] = data["applications"]
    assert application["answers"]["bank_account"] == "****7890", "as typed, masked too"
    assert application["answers"]["children_count"] == 2, "other answers as they are"
    assert ACCOUNT not in raw and "34567890" not in raw, "the account is masked everywhere"


@pytest.mark.django_db
def test_an_account_without_a_registry_record_gets_the_sections_empty(client, other_citizen):
    data, _raw = own_download(client, other_citizen)
    assert data.keys() >= CITIZEN_KEYS
    assert data["registry"] == {"person": None, "household": None}
    assert all(data[name] == [] for name in BENEFIT_SECTIONS)


@pytest.mark.django_db
def test_the_staff_export_and_the_citizens_file_agree(client, citizen, dpo_user, paid):
    application, _program, _period = paid
    mine, _raw = own_download(client, citizen)
    office, raw = staff_export(client, dpo_user, citizen.person)

    # what both hold is the same, section by section (the export adds the request and the
    # registry record; "activity" moves on as the person uses the service)
    shared = CITIZEN_KEYS - {"generated_at", "activity"}
    assert shared <= office.keys()
    for name in sorted(shared):
        assert office[name] == mine[name], name
    assert any(a["reference"] == application.reference for a in office["applications"])

    # enrolments, entitlements and payments: at the top of the person's file, under
    # registry_record in the office's export (where it has always put them), never twice
    assert office["registry_record"].keys() == REGISTRY_RECORD_KEYS
    for name in BENEFIT_SECTIONS:
        assert mine[name], name
        assert office["registry_record"][name] == mine[name], name
        assert name not in office, f"{name} is given once, under registry_record"
    assert office["registry_record"]["payments"][0]["account"] == "****7890"
    assert ACCOUNT not in raw and "34567890" not in raw, "masked in the office's export too"


@pytest.mark.django_db
def test_a_person_without_an_account_keeps_the_export_keys(client, dpo_user):
    omar = Person.objects.with_national_id(OMAR).get()
    office, _raw = staff_export(client, dpo_user, omar, reference="SAR-10")
    assert office.keys() >= STAFF_KEYS_WITHOUT_ACCOUNT
    assert office["registry_record"].keys() == REGISTRY_RECORD_KEYS
    assert office["account"] is None and office["messages"] == []

    # the export is the one builder's document plus the office's registry record
    built = personal_data_of(person=omar)
    for name in ("account", "registry", "applications", "consents"):
        assert office[name] == built[name], name
    held = data_held(person=omar)
    assert held["registry_record"]["identifiers"] == office["registry_record"]["identifiers"]


@pytest.mark.django_db
def test_personal_data_of_needs_an_account_or_a_person():
    with pytest.raises(ValueError):
        personal_data_of()


@pytest.mark.parametrize(
    ("account", "shown"),
    [
        ("CV12 3456 7890", "****7890"),
        ("+250700123456", "****3456"),
        ("12345", "****2345"),
        ("1234", "****"),
        ("", ""),
    ],
)
def test_accounts_show_only_their_last_four_characters(account, shown):
    assert masked_account(account) == shown


# --- the staff navigation ---------------------------------------------------------------------------


def header_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    found = re.search(r"<header.*?</header>", response.content.decode(), re.S)
    assert found, "every page has the header"
    return found.group(0)


@pytest.mark.django_db
def test_administrators_reach_the_privacy_pages_from_the_staff_navigation(
    client, dpo_user, caseworker
):
    link = f'href="{reverse("privacy:find")}"'
    administrator = accounts.create_staff(
        email="second.admin@example.org",
        password="an-admin-pass-123",
        full_name="Second Administrator",
        roles=["administrator"],
    )
    assert not administrator.is_superuser and "administrator" in administrator.roles

    for user in (dpo_user, administrator):  # a superuser, and the role without being one
        sign_in_staff(client, user)
        for name in ("accounts:account", "payments:cycles"):
            assert link in header_of(client, reverse(name)), (user.email, name)
        client.logout()

    sign_in_staff(client, caseworker)
    assert link not in header_of(client, reverse("accounts:account"))
    assert link not in header_of(client, reverse("casework:queue"))
