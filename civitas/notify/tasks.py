"""Background delivery of messages (database queue by default, see TASKS in settings)."""

from django_tasks import task

from civitas.notify import services


@task()
def deliver_message(message_id: int) -> str:
    return services.deliver(message_id).status
