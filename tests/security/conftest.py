"""A model with every encrypted and hashed field type, created for these tests only (not an
installed app); the real models are checked in tests/registry/test_personal_data.py."""

from __future__ import annotations

import pytest
from django.db import connection, models

from civitas.security.fields import (
    EncryptedBooleanField,
    EncryptedCharField,
    EncryptedDateField,
    EncryptedJSONField,
    HashIndexField,
)


class Claimant(models.Model):
    national_id = EncryptedCharField(max_length=20)
    national_id_hash = HashIndexField(source="national_id", normalize="upper", unique=True)
    bank_account = EncryptedCharField(max_length=40, blank=True, null=True)
    bank_account_hash = HashIndexField(source="bank_account", normalize="digits")
    pregnant = EncryptedBooleanField(default=False)
    due_date = EncryptedDateField(null=True)
    health = EncryptedJSONField(null=True)

    class Meta:
        app_label = "security_tests"

    def __str__(self) -> str:
        return f"claimant {self.pk}"


@pytest.fixture(scope="session")
def claimant_table(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), connection.schema_editor() as editor:
        editor.create_model(Claimant)
    yield Claimant
    with django_db_blocker.unblock(), connection.schema_editor() as editor:
        editor.delete_model(Claimant)


@pytest.fixture
def claimants(claimant_table, db):
    return claimant_table
