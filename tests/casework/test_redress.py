"""Appeals and complaints: their own queue, a different decider, outcomes recorded and told."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse

from civitas.casework import selectors, services
from civitas.casework.errors import ActionRefused
from civitas.casework.lifecycles import AppealStatus, GrievanceStatus, TaskKind
from civitas.casework.models import Appeal, Enrolment, Grievance, Task
from civitas.casework.models.cases import QUEUE_REDRESS


@pytest.fixture
def refused(application, caseworker):
    services.decide(
        application=application, approved=False, reason="Income above the limit.", actor=caseworker
    )
    return application


@pytest.mark.django_db
def test_a_citizen_appeals_and_someone_else_decides(
    refused,
    citizen,
    caseworker,
    supervisor,
    client,
    staff_client,
    django_capture_on_commit_callbacks,
):
    client.force_login(citizen)
    page = client.get(reverse("redress:appeal", args=[refused.reference])).content.decode()
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', page).group(1)
    form = {"grounds": "Our income dropped last month.", "idempotency_key": key}
    assert client.post(reverse("redress:appeal", args=[refused.reference]), form).status_code == 302
    client.post(reverse("redress:appeal", args=[refused.reference]), form)  # double click
    appeal = Appeal.objects.get()
    assert appeal.original_decider == caseworker

    queue = selectors.queue_page(supervisor, selectors.QueueFilters(queue=QUEUE_REDRESS))
    assert [t.appeal for t in queue.tasks] == [appeal]
    assert selectors.queue_page(supervisor, selectors.QueueFilters()).tasks == [], "own queue"

    with pytest.raises(ActionRefused, match="original decision"):
        services.decide_appeal(appeal=appeal, actor=caseworker, upheld=True, reason="I was wrong")

    staff = staff_client(supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            reverse("casework:appeal", args=[appeal.reference]),
            {"outcome": "upheld", "reason": "The new payslips show income below the limit."},
        )
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert (appeal.status, appeal.decided_by) == (AppealStatus.UPHELD, supervisor)
    assert Enrolment.objects.filter(person=refused.person, source="appeal").exists()
    assert any(appeal.reference in m.subject and "upheld" in m.body for m in mail.outbox)
    assert not Task.objects.filter(appeal=appeal, queue=QUEUE_REDRESS).exists()
    client.force_login(citizen)  # the staff client above is the same test client
    assert appeal.reference in client.get(reverse("redress:home")).content.decode()


@pytest.mark.django_db
def test_the_database_keeps_the_original_decider_off_the_appeal(refused, citizen, caseworker):
    appeal = services.lodge_appeal(
        application=refused, appellant=citizen, grounds="Wrong.", idempotency_key="k"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Appeal.objects.filter(pk=appeal.pk).update(decided_by=caseworker)


@pytest.mark.django_db
def test_nothing_to_appeal_before_a_decision(application, citizen):
    with pytest.raises(ActionRefused, match="no decision"):
        services.lodge_appeal(
            application=application, appellant=citizen, grounds="Too slow", idempotency_key="x"
        )


@pytest.mark.django_db
def test_a_complaint_is_answered_by_someone_it_is_not_about(
    refused, citizen, caseworker, supervisor, client, django_capture_on_commit_callbacks
):
    client.force_login(citizen)
    page = client.get(reverse("redress:complaint")).content.decode()
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', page).group(1)
    response = client.post(
        reverse("redress:complaint"),
        {
            "category": "conduct",
            "application": refused.reference,
            "description": "Nobody called me back.",
            "idempotency_key": key,
        },
    )
    assert response.status_code == 302
    grievance = Grievance.objects.get()
    assert (grievance.about_staff, grievance.application) == (caseworker, refused)
    assert Task.objects.get(grievance=grievance).kind == TaskKind.GRIEVANCE

    with pytest.raises(ActionRefused, match="about you"):
        services.answer_grievance(
            grievance=grievance, actor=caseworker, resolved=False, response="All fine."
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_grievance(
            grievance=grievance, actor=supervisor, resolved=True, response="We apologise."
        )
    grievance.refresh_from_db()
    assert grievance.status == GrievanceStatus.RESOLVED
    assert any("We apologise." in m.body for m in mail.outbox)


@pytest.mark.django_db
def test_a_complaint_about_someone_elses_application_is_refused(refused, other_citizen, client):
    client.force_login(other_citizen)
    page = client.get(reverse("redress:complaint")).content.decode()
    assert refused.reference not in page
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', page).group(1)
    response = client.post(
        reverse("redress:complaint"),
        {
            "category": "other",
            "application": refused.reference,
            "description": "x",
            "idempotency_key": key,
        },
    )
    assert response.status_code == 200, "not one of theirs: the choice is refused"
    assert not Grievance.objects.exists()
