import civitas.security.fields
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0003_encrypt_personal_data"),
    ]

    operations = [
        migrations.AlterField(
            model_name="person",
            name="national_id_hash",
            field=civitas.security.fields.HashIndexField(
                normalize="upper", source="national_id", unique=True
            ),
        ),
    ]
