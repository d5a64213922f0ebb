"""Background work of accounts (database queue by default, see TASKS in settings)."""

from django_tasks import task

from civitas.accounts import services


@task()
def send_password_reset(email: str, base_url: str) -> bool:
    return services.send_password_reset(email=email, base_url=base_url)
