"""Background work of the studio (database queue by default, see TASKS in settings)."""

from django_tasks import task

from civitas.studio import services


@task()
def activate_due_versions() -> int:
    """Put due scheduled versions in force; enqueue daily (see ``civitas studio activate-due``)."""
    return len(services.activate_due(actor="scheduler"))
