"""Simulations run as a background task: a status with its lifecycle (queued → running → done |
failed), progress, times and a failure message. Simulations kept before this ran in the request
and finished there: they become ``done``, with their times taken from when they ran."""

import django.utils.timezone
from django.db import migrations, models
from django.db.models import F


def finished_before(apps, schema_editor):
    Simulation = apps.get_model("studio", "Simulation")
    Simulation.objects.update(
        status="done",
        phase="",
        households_done=F("households"),
        started_at=F("run_at"),
        finished_at=F("run_at"),
        updated_at=F("run_at"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("studio", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="simulation",
            name="status",
            field=models.CharField(
                choices=[
                    ("queued", "Queued"),
                    ("running", "Running"),
                    ("done", "Done"),
                    ("failed", "Failed"),
                ],
                default="queued",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="simulation",
            name="phase",
            field=models.CharField(blank=True, max_length=80),
        ),
        migrations.AddField(
            model_name="simulation",
            name="households_done",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="simulation",
            name="message",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="simulation",
            name="started_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="simulation",
            name="finished_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="simulation",
            name="updated_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.RunPython(finished_before, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="simulation",
            name="baseline",
            field=models.CharField(blank=True, max_length=80),
        ),
        migrations.AlterField(
            model_name="simulation",
            name="households",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AlterField(
            model_name="simulation",
            name="report",
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="simulation",
            name="seconds",
            field=models.FloatField(blank=True, null=True),
        ),
        migrations.AlterModelOptions(
            name="simulation",
            options={"ordering": ["-run_at", "-pk"]},
        ),
        migrations.AddConstraint(
            model_name="simulation",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["queued", "running"])),
                fields=("version",),
                name="studio_one_live_simulation_per_version",
            ),
        ),
    ]
