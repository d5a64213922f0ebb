"""Background work of the back office (database queue by default, see TASKS in settings)."""

from django_tasks import task

from civitas.casework.services import proactive


@task()
def run_proactive(run_id: int) -> str:
    return proactive.execute_run(run_id).status
