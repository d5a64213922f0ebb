"""National ID and pregnancy encrypted at rest; national ID searchable by keyed hash.

The columns become text, then every existing row is encrypted with the active key and its hash
filled (in batches; a re-run continues). Reversible: going back decrypts into the old columns.
The unique constraint on the hash comes in 0004, once every row has one.
"""

import civitas.security.fields
from django.db import migrations

from civitas.security.migrating import as_bool, as_text, encrypt_existing


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0002_duplicateflag_householdidentifier_importbatch_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="national_id_hash",
            field=civitas.security.fields.HashIndexField(normalize="upper", source="national_id"),
        ),
        migrations.AlterField(
            model_name="person",
            name="national_id",
            field=civitas.security.fields.EncryptedCharField(max_length=20),
        ),
        migrations.AlterField(
            model_name="person",
            name="pregnant",
            field=civitas.security.fields.EncryptedBooleanField(default=False),
        ),
        encrypt_existing("registry", "Person", {"national_id": as_text, "pregnant": as_bool}),
    ]
