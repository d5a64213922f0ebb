"""Documents encrypted at rest: each row says whether its file is encrypted, and with which key.

Files stored before this migration stay as they are (``encrypted`` false) and are still served;
``civitas security rotate-keys`` rewrites them encrypted, one file at a time."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0004_encrypt_answers"),
    ]

    operations = [
        migrations.AddField(
            model_name="document",
            name="encrypted",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="document",
            name="key_id",
            field=models.CharField(blank=True, default="", max_length=16),
        ),
    ]
