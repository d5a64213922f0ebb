"""Staff see only the cases in their scope; outside it, a case is the same 404 as a missing one.
The queue filters, sorts, pages and assigns (by hand, in bulk, round-robin)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from civitas.casework import selectors, services
from civitas.casework.lifecycles import TaskKind, TaskState
from civitas.casework.models import Case, Task
from civitas.registry.models import Office, Region
from tests.casework.conftest import program, submit


def _html_without_tokens(response, reference: str) -> str:
    html = response.content.decode().replace(reference, "REF")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


@pytest.mark.django_db
def test_a_caseworker_without_scope_sees_nothing(citizen, caseworker, staff_client, demo_country):
    application = submit(citizen)
    client = staff_client(caseworker)
    queue = client.get(reverse("casework:queue")).content.decode()
    assert application.reference not in queue
    assert client.get(reverse("casework:case", args=[application.reference])).status_code == 404


@pytest.mark.django_db
def test_out_of_scope_is_the_same_404_as_missing(citizen, caseworker, staff_client, scoped):
    application = submit(citizen)  # Amina lives in the capital district
    services.set_scope(
        user=caseworker,
        actor="tests",
        all_programmes=True,
        regions=[Region.objects.get(code="north")],
    )
    client = staff_client(caseworker)
    theirs = client.get(reverse("casework:case", args=[application.reference]))
    missing = client.get(reverse("casework:case", args=["CIV-XXXX-XXXX"]))
    assert theirs.status_code == missing.status_code == 404
    assert _html_without_tokens(theirs, application.reference) == _html_without_tokens(
        missing, "CIV-XXXX-XXXX"
    )
    assert application.reference not in client.get(reverse("casework:queue")).content.decode()

    services.set_scope(
        user=caseworker,
        actor="tests",
        programs=[program("child-benefit")],
        offices=[Office.objects.get(code="capital-office")],
    )
    client = staff_client(caseworker)
    assert client.get(reverse("casework:case", args=[application.reference])).status_code == 200
    services.set_scope(
        user=caseworker, actor="tests", programs=[program("old-age-pension")], whole_country=True
    )
    client = staff_client(caseworker)
    assert client.get(reverse("casework:case", args=[application.reference])).status_code == 404


@pytest.mark.django_db
def test_a_citizen_never_reaches_the_back_office(citizen, client, scoped):
    application = submit(citizen)
    client.force_login(citizen)
    assert client.get(reverse("casework:queue")).status_code == 404
    assert client.get(reverse("casework:case", args=[application.reference])).status_code == 404


@pytest.mark.django_db
def test_new_applications_are_taken_in_with_a_review_task_and_time_limit(
    citizen, caseworker, scoped
):
    application = submit(citizen)
    assert services.take_in_new_applications(actor=caseworker) == 1
    case = Case.objects.get(application=application)
    assert (case.region.code, case.office.code, case.household.reference) == (
        "capital",
        "capital-office",
        "H-DEMO-0001",
    )
    task = Task.objects.get(case=case)
    assert (task.kind, task.state, task.queue) == (TaskKind.REVIEW, TaskState.OPEN, "cases")
    working_days = application.program.decision_days
    assert task.due_at - task.created_at >= timedelta(days=working_days)
    assert services.take_in_new_applications(actor=caseworker) == 0, "idempotent"


@pytest.mark.django_db
def test_the_queue_filters_sorts_and_flags_overdue(citizen, other_citizen, caseworker, scoped):
    first = submit(citizen)
    second = submit(
        citizen,
        "food-allowance",
        {
            "household_size": "4",
            "household_income": "300",
            "bank_account": "CV12 3456 7890",
            "declaration": "yes",
        },
    )
    services.take_in_new_applications(actor=caseworker)
    Task.objects.filter(application=first).update(
        due_at=timezone.now() - timedelta(days=1), created_at=timezone.now() - timedelta(days=30)
    )
    page = selectors.queue_page(caseworker, selectors.QueueFilters())
    assert [t.application for t in page.tasks] == [first, second]
    assert page.tasks[0].is_overdue and not page.tasks[1].is_overdue
    newest = selectors.queue_page(caseworker, selectors.QueueFilters(sort="newest"))
    assert [t.application for t in newest.tasks] == [second, first]
    only_food = selectors.queue_page(
        caseworker, selectors.QueueFilters(program=program("food-allowance").pk)
    )
    assert [t.application for t in only_food.tasks] == [second]
    overdue = selectors.queue_page(caseworker, selectors.QueueFilters(overdue=True))
    assert [t.application for t in overdue.tasks] == [first]
    old = selectors.queue_page(caseworker, selectors.QueueFilters(older_than_days=10))
    assert [t.application for t in old.tasks] == [first]
    north = selectors.queue_page(
        caseworker, selectors.QueueFilters(region=Region.objects.get(code="north").pk)
    )
    assert north.tasks == []


@pytest.mark.django_db
def test_bulk_assignment_and_round_robin(citizen, caseworker, supervisor, staff_client, scoped):
    applications = [submit(citizen) for _ in range(4)]
    services.take_in_new_applications(actor=caseworker)
    tasks = list(Task.objects.filter(application__in=applications).order_by("pk"))

    client = staff_client(caseworker)
    response = client.post(
        reverse("casework:bulk"),
        {"action": "take", "tasks": [str(tasks[0].public_id), str(tasks[1].public_id)]},
    )
    assert response.status_code == 302
    assert set(Task.objects.filter(assignee=caseworker).values_list("pk", flat=True)) == {
        tasks[0].pk,
        tasks[1].pk,
    }
    refused = client.post(
        reverse("casework:bulk"),
        {"action": "give", "colleague": supervisor.pk, "tasks": [str(tasks[2].public_id)]},
    )
    assert refused.status_code == 302
    assert Task.objects.get(pk=tasks[2].pk).assignee is None, "only supervisors give tasks away"

    given = services.auto_assign(office=Office.objects.get(code="capital-office"), actor=supervisor)
    assert sum(given.values()) == 2
    assert set(given) == {caseworker.email, supervisor.email}, "shared in turn"
    assert not Task.objects.filter(application__in=applications, assignee=None).exists()


@pytest.mark.django_db
def test_the_queue_page_renders_without_javascript(citizen, caseworker, staff_client, scoped):
    application = submit(citizen)
    client = staff_client(caseworker)
    html = client.get(reverse("casework:queue") + "?sort=due&overdue=").content.decode()
    assert application.reference in html
    assert 'type="checkbox"' in html and "style=" not in html and "<script>" not in html
