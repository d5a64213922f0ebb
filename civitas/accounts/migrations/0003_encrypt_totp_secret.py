"""The shared secret of authenticator apps encrypted at rest (existing rows encrypted in place;
reversible)."""

import civitas.security.fields
from django.db import migrations

from civitas.security.migrating import as_text, encrypt_existing


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_mfa_and_eid"),
    ]

    operations = [
        migrations.AlterField(
            model_name="totpdevice",
            name="secret",
            field=civitas.security.fields.EncryptedCharField(max_length=64),
        ),
        encrypt_existing("accounts", "TOTPDevice", {"secret": as_text}),
    ]
