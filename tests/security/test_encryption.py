"""Personal data encrypted at rest: what the database holds is unreadable without the keys,
searchable only through a keyed hash, and moves to a new key with one command."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from civitas.security import crypto
from civitas.security.fields import hashed_match
from civitas.security.rotation import rotate

OLD_KEY = "k2025:" + "A" * 43
NEW_KEY = "k2026:" + "B" * 43
OLD_HASH = "h2025:" + "C" * 43
NEW_HASH = "h2026:" + "D" * 43


def raw_row(model, pk) -> dict:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT national_id, national_id_hash, pregnant, health FROM {table} WHERE id = %s",  # noqa: S608 - our own table name
            [pk],
        )
        national_id, digest, pregnant, health = cursor.fetchone()
    return {"national_id": national_id, "hash": digest, "pregnant": pregnant, "health": health}


def test_the_database_holds_ciphertext_and_the_model_reads_plaintext(claimants):
    person = claimants.objects.create(
        national_id="CV-1234-5678",
        bank_account="CV12 3456 7890",
        pregnant=True,
        due_date=date(2026, 9, 1),
        health={"condition": "gestational diabetes"},
    )
    stored = raw_row(claimants, person.pk)
    assert stored["national_id"].startswith("enc1:")
    assert "1234" not in stored["national_id"]
    assert "diabetes" not in stored["health"]
    assert stored["pregnant"] not in ("1", "True", "true", 1)
    again = claimants.objects.get(pk=person.pk)
    assert (again.national_id, again.pregnant, again.due_date, again.health) == (
        "CV-1234-5678",
        True,
        date(2026, 9, 1),
        {"condition": "gestational diabetes"},
    )


def test_the_same_value_encrypts_differently_each_time():
    assert crypto.encrypt("CV1", context="x.y.z") != crypto.encrypt("CV1", context="x.y.z")


def test_search_by_keyed_hash_finds_the_row_whatever_the_spelling(claimants):
    person = claimants.objects.create(national_id="CV-1234-5678", bank_account="CV12 3456 7890")
    claimants.objects.create(national_id="CV-0000-0001")
    found = claimants.objects.filter(hashed_match(claimants, "national_id_hash", "cv-1234-5678 "))
    assert list(found) == [person]
    by_account = claimants.objects.filter(
        hashed_match(claimants, "bank_account_hash", "cv12-3456-7890")
    )
    assert list(by_account) == [person]
    assert not claimants.objects.filter(hashed_match(claimants, "national_id_hash", "CV-9"))


def test_filtering_on_ciphertext_is_refused(claimants):
    with pytest.raises(FieldError):
        list(claimants.objects.filter(national_id="CV-1234-5678"))
    with pytest.raises(FieldError):
        list(claimants.objects.filter(national_id__contains="1234"))
    assert claimants.objects.filter(due_date__isnull=True).count() == 0


def test_a_value_moved_to_another_column_or_altered_does_not_decrypt():
    token = crypto.encrypt("CV-1", context="registry.person.national_id")
    with pytest.raises(crypto.DecryptionError, match="belongs elsewhere"):
        crypto.decrypt(token, context="registry.person.bank_account")
    flipped = token[:-4] + ("AAAA" if token[-4:] != "AAAA" else "BBBB")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(flipped, context="registry.person.national_id")


def test_rotation_moves_every_value_to_the_new_keys_and_nothing_is_lost(claimants):
    with override_settings(
        CIVITAS_FIELD_ENCRYPTION_KEYS=[OLD_KEY], CIVITAS_FIELD_HASH_KEYS=[OLD_HASH]
    ):
        people = [
            claimants.objects.create(national_id=f"CV-{n:04d}", pregnant=n % 2 == 0)
            for n in range(7)
        ]
    with override_settings(
        CIVITAS_FIELD_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY],
        CIVITAS_FIELD_HASH_KEYS=[NEW_HASH, OLD_HASH],
    ):
        # mid-rotation, old and new values are all readable and searchable
        assert claimants.objects.get(pk=people[3].pk).national_id == "CV-0003"
        assert claimants.objects.filter(hashed_match(claimants, "national_id_hash", "cv-0003"))
        [stats] = rotate(targets=[claimants], batch_size=3)
        assert (stats.rows, stats.reencrypted, stats.rehashed) == (7, 14, 7)
        [again] = rotate(targets=[claimants], batch_size=3)
        assert (again.reencrypted, again.rehashed) == (0, 0), "a second run has nothing to do"
    with override_settings(
        CIVITAS_FIELD_ENCRYPTION_KEYS=[NEW_KEY], CIVITAS_FIELD_HASH_KEYS=[NEW_HASH]
    ):
        # the old keys are gone: everything still reads and is found
        for n, person in enumerate(people):
            fresh = claimants.objects.get(pk=person.pk)
            assert (fresh.national_id, fresh.pregnant) == (f"CV-{n:04d}", n % 2 == 0)
            assert raw_row(claimants, person.pk)["national_id"].startswith("enc1:k2026:")
        assert claimants.objects.filter(hashed_match(claimants, "national_id_hash", "CV-0006"))


def test_rotation_command_dry_run_changes_nothing(claimants, capsys):
    with override_settings(CIVITAS_FIELD_ENCRYPTION_KEYS=[OLD_KEY]):
        person = claimants.objects.create(national_id="CV-1")
    with override_settings(CIVITAS_FIELD_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
        call_command("security", "rotate-keys", "--dry-run")
        assert raw_row(claimants, person.pk)["national_id"].startswith("enc1:k2025:")
    out = capsys.readouterr().out
    assert "rows checked" in out or "no model" in out


def test_generate_key_prints_a_usable_key(capsys):
    call_command("security", "generate-key", "--kid", "2027a")
    line = capsys.readouterr().out.strip()
    ring = crypto.parse_keys([line], source="test")
    assert ring.active_id == "2027a" and len(ring.active) == 32


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("nokey", "must read <key id>:<base64 key>"),
        ("k1:c2hvcnQ=", "expected 32"),
        ("k1:%%%", "not valid base64"),
        ("bad id!:" + "A" * 43, "must read"),
    ],
)
def test_bad_keys_are_named_clearly(entry, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        crypto.parse_keys([entry], source="FIELD_ENCRYPTION_KEYS")


def test_production_never_derives_keys_from_the_secret_key():
    with (
        override_settings(CIVITAS_ENV="production", CIVITAS_FIELD_ENCRYPTION_KEYS=[]),
        pytest.raises(ImproperlyConfigured, match="production needs its own keys"),
    ):
        crypto.encrypt("x", context="a.b.c")


def test_keys_can_come_from_a_file_kept_by_a_key_service(tmp_path):
    key_file = tmp_path / "keys"
    key_file.write_text(f"{NEW_KEY}\n{OLD_KEY}\n")
    with override_settings(CIVITAS_FIELD_ENCRYPTION_KEYS_FILE=str(key_file)):
        assert crypto.encryption_keys().active_id == "k2026"
        token = crypto.encrypt("x", context="a.b.c")
    with override_settings(CIVITAS_FIELD_ENCRYPTION_KEYS=[NEW_KEY]):
        assert crypto.decrypt(token, context="a.b.c") == "x"
