from django.db import migrations


def _fill_created_by(apps, schema_editor):
    """Applications made before drafts existed were filled in and sent by their applicant."""
    Application = apps.get_model("applications", "Application")
    for application in Application.objects.filter(created_by__isnull=True).iterator():
        application.created_by_id = application.applicant_id
        application.created_at = application.submitted_at or application.created_at
        application.updated_at = application.created_at
        application.save(update_fields=["created_by", "created_at", "updated_at"])



class Migration(migrations.Migration):
    dependencies = [("applications", "0002_drafts_documents_consents_api_access")]

    operations = [migrations.RunPython(_fill_created_by, migrations.RunPython.noop)]
