"""Decisions name the programme version they were assessed with; bank details encrypted at rest.

Existing decisions take their application's version (the one the assessment always used). Existing
enrolments have their account encrypted in batches (a re-run continues where it stopped); going
back decrypts them.
"""

import django.db.models.deletion
from django.db import migrations

import civitas.casework.models.enrolment
from civitas.security.migrating import as_text, encrypt_existing


def versions_from_applications(apps, schema_editor):
    Decision = apps.get_model("casework", "Decision")
    Application = apps.get_model("applications", "Application")
    Decision.objects.filter(program_version__isnull=True).update(
        program_version_id=Application.objects.filter(
            pk=django.db.models.OuterRef("application_id")
        ).values("program_version_id")[:1]
    )
    if schema_editor.connection.vendor == "postgresql":
        # fire the foreign-key checks now: PostgreSQL will not alter a table with checks pending
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0001_initial"),
        ("programs", "0002_program_decision_days"),
    ]

    operations = [
        migrations.AddField(
            model_name="decision",
            name="program_version",
            field=django.db.models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="programs.programversion",
            ),
        ),
        migrations.RunPython(versions_from_applications, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="decision",
            name="program_version",
            field=django.db.models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="programs.programversion",
            ),
        ),
        migrations.AlterField(
            model_name="enrolment",
            name="account",
            field=civitas.casework.models.enrolment.AccountField(max_length=40),
        ),
        encrypt_existing("casework", "Enrolment", {"account": as_text}),
    ]
