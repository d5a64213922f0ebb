"""National ID, pregnancy, answers to application forms and authenticator secrets are encrypted
in the database: the raw columns hold no plaintext, the application reads them as before, and
national IDs are found through their keyed hash."""

from __future__ import annotations

import json
from datetime import date

import polars as pl
import pytest
from django.core.exceptions import FieldError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from civitas.accounts import totp
from civitas.accounts.models import TOTPDevice
from civitas.applications import services as applications
from civitas.programs.models import Program
from civitas.registry.frames import population_frames
from civitas.registry.models import Person
from civitas.registry.national_id import make_national_id
from civitas.security import crypto
from civitas.web.identity import match_person


def raw(sql: str, params: list) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def new_person(serial: int, **extra) -> Person:
    facts = {
        "national_id": make_national_id(serial),
        "given_name": "Leila",
        "family_name": "Mansour",
        "birth_date": date(1994, 5, 17),
        "sex": "female",
        **extra,
    }
    return Person.objects.create(**facts)


@pytest.mark.django_db
def test_the_registry_columns_hold_no_national_id_or_pregnancy_in_clear():
    number = make_national_id(123_456_789)
    person = new_person(123_456_789, pregnant=True)
    stored_id, digest, stored_flag = raw(
        "SELECT national_id, national_id_hash, pregnant FROM registry_person WHERE id = %s",
        [person.pk],
    )
    assert stored_id.startswith("enc1:") and number not in stored_id
    assert stored_flag.startswith("enc1:") and stored_flag not in ("1", "true", "t")
    assert number not in digest and digest.count("$") == 1
    again = Person.objects.get(pk=person.pk)
    assert (again.national_id, again.pregnant) == (number, True)


@pytest.mark.django_db
def test_a_national_id_is_found_by_its_keyed_hash_and_never_by_ciphertext():
    number = make_national_id(123_456_789)
    person = new_person(123_456_789)
    new_person(123_456_790)
    spaced = f" {number[:3]} {number[3:]} "
    assert list(Person.objects.with_national_id(spaced)) == [person]
    assert not Person.objects.with_national_id(make_national_id(5)).exists()
    with pytest.raises(FieldError):
        list(Person.objects.filter(national_id=number))


@pytest.mark.django_db
def test_two_people_cannot_share_a_national_id():
    from django.db import IntegrityError, transaction

    new_person(123_456_789)
    with pytest.raises(IntegrityError), transaction.atomic():
        new_person(123_456_789, given_name="Other")


@pytest.mark.django_db
def test_the_eid_match_finds_the_person_by_hash(demo_country):
    person = Person.objects.exclude(account=None).first()
    found = match_person(national_id=" ".join(person.national_id), claims={})
    assert found is not None and found.label == f"registry.person:{person.pk}"
    assert match_person(national_id=make_national_id(7), claims={}) is None


@pytest.mark.django_db
def test_answers_to_application_forms_are_encrypted(citizen):
    program = Program.objects.get(slug="maternity-care")
    answers = {"pregnant": True, "due_date": "2026-09-01", "monthly_income": "310.00"}
    draft = applications.start_draft(
        applicant=citizen, program=program, idempotency_key="enc-1", answers=answers
    ).application
    (stored,) = raw("SELECT answers FROM applications_application WHERE id = %s", [draft.pk])
    assert stored.startswith("enc1:")
    assert "due_date" not in stored and "2026-09-01" not in stored and "310" not in stored
    draft.refresh_from_db()
    assert draft.answers == answers


@pytest.mark.django_db
def test_authenticator_secrets_are_encrypted(citizen):
    secret = totp.new_secret()
    TOTPDevice.objects.create(user=citizen, secret=secret, confirmed_at=timezone.now())
    (stored,) = raw("SELECT secret FROM accounts_totpdevice WHERE user_id = %s", [citizen.pk])
    assert stored.startswith("enc1:") and secret not in stored
    assert TOTPDevice.objects.get(user=citizen).secret == secret


@pytest.mark.django_db(transaction=True)
def test_population_frames_decrypt_pregnancy_with_the_same_schema(demo_country):
    demo_country.load_geography()
    demo_country.populate(households=40, seed=11)
    persons, _households = population_frames()
    expected = dict(Person.objects.values_list("pk", "pregnant"))
    assert persons.schema["pregnant"] == pl.Boolean
    assert dict(zip(persons["person_id"], persons["pregnant"], strict=True)) == {
        pk: expected[pk] for pk in persons["person_id"]
    }
    assert any(expected.values()), "the synthetic population has pregnant women"


@pytest.mark.django_db(transaction=True)
def test_an_altered_ciphertext_stops_the_population_read(demo_country):
    demo_country.load_geography()
    demo_country.populate(households=3, seed=2)
    other = crypto.encrypt("1", context="registry.person.national_id")  # wrong column
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE registry_person SET pregnant = %s WHERE id = (SELECT MIN(id) FROM registry_person)",
            [other],
        )
    with pytest.raises(crypto.DecryptionError):
        population_frames()


BEFORE = [("registry", "0002_duplicateflag_householdidentifier_importbatch_and_more")]
AFTER = [("registry", "0004_national_id_hash_unique")]


def every_latest() -> list[tuple[str, str]]:
    """The newest migration of every app: where a test that went back must leave the database
    (naming one migration would leave out those added later, and the apps depending on them)."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_existing_rows_and_reverses():
    def migrate(targets):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(targets)

    number = make_national_id(424_242_424)
    migrate(BEFORE)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO registry_person (national_id, given_name, family_name, birth_date, "
                "sex, monthly_income, pregnant) VALUES (%s, 'Old', 'Row', '1990-01-01', "
                "'female', 0, %s)",
                [number, True],
            )
        migrate(AFTER)
        stored_id, digest, flag = raw(
            "SELECT national_id, national_id_hash, pregnant FROM registry_person "
            "WHERE given_name = 'Old'",
            [],
        )
        assert stored_id.startswith("enc1:") and number not in stored_id and digest
        assert flag.startswith("enc1:")
        person = Person.objects.with_national_id(number).get()
        assert (person.national_id, person.pregnant) == (number, True)
        migrate(BEFORE)  # back: plaintext again in the old columns
        stored_id, flag = raw(
            "SELECT national_id, pregnant FROM registry_person WHERE given_name = 'Old'", []
        )
        assert stored_id == number and flag in (True, 1)
    finally:
        migrate(every_latest())
    assert Person.objects.with_national_id(number).get().pregnant is True


@pytest.mark.django_db
def test_key_rotation_covers_the_registry_and_the_old_keys_can_go():
    from django.test import override_settings

    from civitas.security.rotation import rotate

    old = {
        "CIVITAS_FIELD_ENCRYPTION_KEYS": ["k1:" + "A" * 43],
        "CIVITAS_FIELD_HASH_KEYS": ["h1:" + "C" * 43],
    }
    new = {
        "CIVITAS_FIELD_ENCRYPTION_KEYS": ["k2:" + "B" * 43],
        "CIVITAS_FIELD_HASH_KEYS": ["h2:" + "D" * 43],
    }
    number = make_national_id(123_456_789)
    with override_settings(**old):
        person = new_person(123_456_789, pregnant=True)
    both = {k: new[k] + old[k] for k in new}
    with override_settings(**both):
        assert Person.objects.with_national_id(number).get() == person  # mid-rotation
        [stats] = rotate(targets=[Person])
        assert (stats.reencrypted, stats.rehashed) == (2, 1)
    with override_settings(**new):
        again = Person.objects.with_national_id(number).get()
        assert (again.national_id, again.pregnant) == (number, True)
        stored_id, digest = raw(
            "SELECT national_id, national_id_hash FROM registry_person WHERE id = %s", [person.pk]
        )
        assert stored_id.startswith("enc1:k2:") and digest.startswith("h2$")


@pytest.mark.django_db(transaction=True)
def test_answers_and_authenticator_secrets_migrate_both_ways(citizen):
    """Going back decrypts into the old columns (JSON, text); going forward encrypts again."""

    def migrate(targets):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(targets)

    answers = {"pregnant": True, "due_date": "2026-09-01"}
    draft = applications.start_draft(
        applicant=citizen,
        program=Program.objects.get(slug="maternity-care"),
        idempotency_key="migrate",
        answers=answers,
    ).application
    secret = totp.new_secret()
    TOTPDevice.objects.create(user=citizen, secret=secret, confirmed_at=timezone.now())
    migrate([("applications", "0003_fill_created_by"), ("accounts", "0002_mfa_and_eid")])
    try:
        (stored,) = raw("SELECT answers FROM applications_application WHERE id = %s", [draft.pk])
        assert (json.loads(stored) if isinstance(stored, str) else stored) == answers
        (stored,) = raw("SELECT secret FROM accounts_totpdevice WHERE user_id = %s", [citizen.pk])
        assert stored == secret
    finally:
        migrate(every_latest())  # whatever came after, in every app, for the tests that follow
    (stored,) = raw("SELECT answers FROM applications_application WHERE id = %s", [draft.pk])
    assert stored.startswith("enc1:") and "due_date" not in stored
    draft.refresh_from_db()
    assert draft.answers == answers
    assert TOTPDevice.objects.get(user=citizen).secret == secret
