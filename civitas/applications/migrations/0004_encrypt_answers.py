"""Answers to application forms encrypted at rest (they hold health facts). Existing rows are
encrypted in place; reversible (the reverse casts the JSON text back)."""

import json

import civitas.security.fields
from django.db import migrations

from civitas.security.migrating import encrypt_existing


def as_json(raw):
    # PostgreSQL hands jsonb over as text once the column is text; SQLite always kept text
    return json.loads(raw) if isinstance(raw, str) else raw


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0003_fill_created_by"),
    ]

    operations = [
        migrations.AlterField(
            model_name="application",
            name="answers",
            field=civitas.security.fields.EncryptedJSONField(default=dict),
        ),
        encrypt_existing("applications", "Application", {"answers": as_json}),
    ]
