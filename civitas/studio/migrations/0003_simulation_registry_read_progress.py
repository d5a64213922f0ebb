"""Progress while the registry is read, before the comparison starts: rows of work done and in
all (``registry.frames.population_frames``)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("studio", "0002_simulation_in_background"),
    ]

    operations = [
        migrations.AddField(
            model_name="simulation",
            name="read_done",
            field=models.PositiveBigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="simulation",
            name="read_total",
            field=models.PositiveBigIntegerField(default=0),
        ),
    ]
