"""The right to erasure, where the law allows: drafts and accounts go at once; records kept by law
stay until their period ends; afterwards the registry record goes or becomes a pseudonym. Each
erasure is in the audit trail, which never holds what was erased."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from civitas.accounts import totp
from civitas.accounts.models import TOTPDevice, User
from civitas.applications import services as applications
from civitas.applications.models import Application
from civitas.audit.models import AuditEvent
from civitas.ops.erasure import ErasureRefused, erase_account, erase_person
from civitas.programs.models import Program
from civitas.registry.models import Person
from civitas.registry.national_id import make_national_id
from tests.applications.conftest import VALID_CHILD_BENEFIT
from tests.applications.journeys import apply_online


def draft_for(user, key="erase-draft"):
    program = Program.objects.get(slug="maternity-care")
    return applications.start_draft(
        applicant=user,
        program=program,
        idempotency_key=key,
        answers={"pregnant": True, "due_date": "2026-09-01"},
    ).application


def decided(client, citizen, caseworker) -> Application:
    client.force_login(citizen)
    application = apply_online(client, "child-benefit", VALID_CHILD_BENEFIT, use_registry=True)
    applications.start_review(application=application, actor=caseworker)
    return applications.record_decision(
        application=application, approved=True, reason="Two children.", actor=caseworker
    )


def secrets_of(person: Person, user: User | None) -> set[str]:
    found = {person.national_id, person.given_name, person.family_name}
    if user is not None:
        found.add(user.email)
    return found


def last_event() -> AuditEvent:
    return AuditEvent.objects.order_by("-seq").first()


@pytest.mark.django_db
def test_a_person_with_nothing_kept_by_law_is_erased_with_their_account(
    citizen, django_capture_on_commit_callbacks
):
    person = citizen.person
    secrets = secrets_of(person, citizen)
    draft = draft_for(citizen)
    TOTPDevice.objects.create(user=citizen, secret=totp.new_secret(), confirmed_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        outcome = erase_person(person=person, actor="dpo", reason="DSR-2026-1")

    assert outcome.outcome == "erased" and outcome.kept == {}
    assert outcome.removed["drafts"] == 1 and outcome.removed["registry_records"] == 1
    assert not Person.objects.filter(pk=person.pk).exists()
    assert not Application.objects.filter(pk=draft.pk).exists()
    citizen.refresh_from_db()
    assert not citizen.is_active and citizen.email.endswith("@erased.invalid")
    assert citizen.full_name == "" and not citizen.has_usable_password()
    assert not TOTPDevice.objects.filter(user=citizen).exists()
    event = last_event()
    assert (event.action, event.subject_type, event.subject_id) == (
        "privacy:person:erased",
        "registry.person",
        str(person.pk),
    )
    logged = json.dumps([event.before, event.after, event.context, event.actor_label])
    assert not any(secret in logged for secret in secrets), "the audit holds no erased data"


@pytest.mark.django_db
def test_a_decided_application_keeps_the_record_until_its_period_ends(
    client, citizen, caseworker, settings
):
    application = decided(client, citizen, caseworker)
    person = citizen.person
    name = (person.given_name, person.family_name, person.national_id)
    draft = draft_for(citizen, key="another")

    outcome = erase_person(person=person, actor="dpo", reason="DSR-2026-2")

    assert outcome.outcome == "restricted"
    until = application.decided_at.date() + timedelta(days=3650)
    assert outcome.kept == {"applications": {"count": 1, "until": until.isoformat()}}
    kept = Person.objects.get(pk=person.pk)
    assert (kept.given_name, kept.family_name, kept.national_id) == name
    assert not Application.objects.filter(pk=draft.pk).exists()
    assert Application.objects.get(pk=application.pk).answers, "the decided file is kept whole"
    assert last_event().after["kept"]["applications"]["until"] == until.isoformat()


@pytest.mark.django_db
def test_once_the_period_has_run_the_record_becomes_a_pseudonym(
    client, citizen, caseworker, settings
):
    application = decided(client, citizen, caseworker)
    person = citizen.person
    secrets = secrets_of(person, citizen)
    settings.CIVITAS_LEGAL_RETENTION_DAYS = {"applications": 0}

    outcome = erase_person(person=person, actor="dpo", reason="DSR-2026-3")

    assert outcome.outcome == "pseudonymised" and outcome.kept == {}
    pseudonym = Person.objects.get(pk=person.pk)  # the decision still points at it
    assert secrets.isdisjoint(secrets_of(pseudonym, None))
    assert pseudonym.birth_date == person.birth_date.replace(month=1, day=1)
    assert pseudonym.pregnant is False and pseudonym.account is None
    assert not pseudonym.memberships.exists()
    assert Application.objects.get(pk=application.pk).answers == {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM registry_person WHERE id = %s", [person.pk])
        row = json.dumps(cursor.fetchone(), default=str)
    assert not any(secret in row for secret in secrets)


@pytest.mark.django_db
def test_an_application_being_decided_refuses_and_nothing_changes(client, citizen):
    client.force_login(citizen)
    apply_online(client, "child-benefit", VALID_CHILD_BENEFIT, use_registry=True)
    draft = draft_for(citizen)
    events = AuditEvent.objects.count()

    with pytest.raises(ErasureRefused, match="being decided"):
        erase_person(person=citizen.person, actor="dpo", reason="DSR-2026-4")

    assert Application.objects.filter(pk=draft.pk).exists()
    citizen.refresh_from_db()
    assert citizen.is_active and AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_staff_accounts_are_not_erased_and_a_reason_is_required(caseworker, other_citizen):
    with pytest.raises(ErasureRefused, match="Staff"):
        erase_account(user=caseworker, actor="dpo", reason="DSR-2026-5")
    with pytest.raises(ErasureRefused, match="reference"):
        erase_account(user=other_citizen, actor="dpo", reason="  ")


@pytest.mark.django_db
def test_an_account_without_a_registry_record_is_erased(other_citizen):
    draft_for(other_citizen)
    outcome = erase_account(user=other_citizen, actor="dpo", reason="DSR-2026-6")
    assert outcome.outcome == "account_erased" and outcome.removed["drafts"] == 1
    other_citizen.refresh_from_db()
    assert not other_citizen.is_active
    assert last_event().action == "privacy:account:erased"


@pytest.mark.django_db
def test_a_dry_run_reports_and_changes_nothing(citizen):
    draft = draft_for(citizen)
    events = AuditEvent.objects.count()
    outcome = erase_person(person=citizen.person, actor="dpo", reason="DSR-7", dry_run=True)
    assert outcome.outcome == "erased" and outcome.dry_run
    assert Application.objects.filter(pk=draft.pk).exists()
    assert Person.objects.filter(pk=citizen.person.pk).exists()
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_the_command_reads_the_national_id_from_stdin(demo_country, monkeypatch, capsys):
    number = make_national_id(99_000_002)  # Omar: a registry record without an account
    person = Person.objects.with_national_id(number).get()
    monkeypatch.setattr("sys.stdin", io.StringIO(number + "\n"))
    call_command("erase", "--national-id", "-", "--reason", "DSR-2026-8")
    out = capsys.readouterr().out
    assert "outcome: erased" in out and number not in out
    assert not Person.objects.filter(pk=person.pk).exists()
    with pytest.raises(CommandError, match="no such person"):
        call_command("erase", "--person", str(person.pk), "--reason", "DSR-2026-9")


@pytest.mark.django_db
def test_drafts_left_for_longer_than_their_period_are_purged(citizen, other_citizen):
    from civitas.ops.retention import purge

    old = draft_for(citizen, key="old")
    fresh = draft_for(other_citizen, key="fresh")
    Application.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=400))
    counts = purge()
    assert counts["stale_drafts"] == 1
    assert not Application.objects.filter(pk=old.pk).exists()
    assert Application.objects.filter(pk=fresh.pk).exists()
