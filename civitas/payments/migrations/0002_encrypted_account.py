"""Payment accounts encrypted at rest, under the same associated data as the enrolment's account
(approval copies the ciphertext). Existing rows are encrypted in batches; going back decrypts."""

from django.db import migrations

import civitas.casework.models.enrolment
from civitas.security.migrating import as_text, encrypt_existing


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0002_decision_version_encrypted_account"),
        ("payments", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="payment",
            name="account",
            field=civitas.casework.models.enrolment.AccountField(max_length=40),
        ),
        encrypt_existing("payments", "Payment", {"account": as_text}),
    ]
