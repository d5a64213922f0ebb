"""Background work of the studio (database queue by default, see TASKS in settings)."""

from django_tasks import task

from civitas.studio import services


@task()
def activate_due_versions() -> int:
    """Put due scheduled versions in force; enqueue daily (see ``civitas studio activate-due``)."""
    return len(services.activate_due(actor="scheduler"))


@task()
def run_simulation(simulation_id: int) -> str:
    """Run a queued simulation over the registry, writing its progress on the row
    (``services.execute_simulation``); returns its final status."""
    run = services.execute_simulation(simulation_id)
    return run.status if run is not None else "missing"


@task()
def publish_consultation(consultation_id: int, simulation_id: int, user_id: int) -> str:
    """Attach the impact to a consultation opened from the studio and open it to the public
    (``services.publish_consultation``); returns the consultation's phase."""
    from django.contrib.auth import get_user_model

    from civitas.participation.models import Consultation
    from civitas.studio.models import Simulation

    consultation = Consultation.objects.get(pk=consultation_id)
    simulation = Simulation.objects.select_related("version").get(pk=simulation_id)
    actor = get_user_model().objects.get(pk=user_id)
    done = services.publish_consultation(
        actor=actor, consultation=consultation, simulation=simulation
    )
    return done.phase
