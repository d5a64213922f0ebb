"""The case page and the decision: registry data, the rules' assessment with its references,
requests for information that pause the clock, reasons citing the rule, four-eyes, letters."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from civitas.applications import services as applications
from civitas.applications.lifecycle import Status, TransitionNotAllowed
from civitas.audit.models import AuditEvent
from civitas.audit.services import verify_chain
from civitas.casework import services
from civitas.casework.errors import ActionRefused
from civitas.casework.lifecycles import DecisionStatus, TaskKind, TaskState
from civitas.casework.models import Decision, EnrolledChild, Enrolment, Task
from tests.casework.conftest import submit

RULE = "Social Protection Act 2024, s.12"


@pytest.mark.django_db
def test_the_case_page_shows_registry_assessment_and_history(application, caseworker, staff_client):
    client = staff_client(caseworker)
    html = client.get(reverse("casework:case", args=[application.reference])).content.decode()
    assert "H-DEMO-0001" in html and "Leila" in html and "Yusuf" in html, "the household"
    assert "110" in html, "the rules' amount: two children at 55"
    assert "s.12" in html, "legal references from the explanation"
    assert f'<option value="{RULE}">' in html, "the rule can be cited in the decision"
    assert "applications:application:submitted" in html, "the history"


@pytest.mark.django_db
def test_approving_cites_the_rule_enrols_and_tells_the_applicant(
    application, caseworker, staff_client, django_capture_on_commit_callbacks
):
    client = staff_client(caseworker)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("casework:case", args=[application.reference]),
            {"outcome": "approve", "rule_reference": RULE, "reason": "Two children, low income."},
        )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.APPROVED
    assert f"Rule applied: {RULE}" in application.decision_reason
    decision = Decision.objects.get(application=application)
    assert (decision.status, decision.amount, decision.rule_reference) == (
        DecisionStatus.FINAL,
        110,
        RULE,
    )
    # the decision names the rules it was assessed with, in the row and in the trail
    assert decision.program_version_id == application.program_version_id
    made = AuditEvent.objects.get(action="casework:decision:made")
    assert made.after["program_version"] == application.program_version.number
    enrolment = Enrolment.objects.get(person=application.person, program=application.program)
    assert (enrolment.status, enrolment.payment_channel, enrolment.account) == (
        "active",
        "bank",
        "CV1234567890",
    )
    assert EnrolledChild.objects.filter(enrolment=enrolment).count() == 2
    assert not Task.objects.filter(application=application, queue="cases").exists()
    assert any("approved" in m.body for m in mail.outbox)
    assert verify_chain().ok


@pytest.mark.django_db
def test_requesting_information_pauses_the_clock(application, caseworker, citizen):
    services.take_in_new_applications(actor=caseworker)
    task = Task.objects.get(application=application)
    due = task.due_at
    services.request_information(
        application=application, actor=caseworker, message="Send the children's birth certificates."
    )
    task.refresh_from_db()
    application.refresh_from_db()
    assert (task.state, application.status) == (TaskState.WAITING, Status.INFORMATION_REQUESTED)
    Task.objects.filter(pk=task.pk).update(paused_at=timezone.now() - timedelta(days=4))

    applications.answer_information_request(
        application=application, actor=citizen, body="Attached, sorry for the delay."
    )
    services.take_in_new_applications(actor=caseworker)  # the queue catches up
    task.refresh_from_db()
    assert task.state == TaskState.OPEN
    assert timedelta(days=3, hours=23) < task.due_at - due < timedelta(days=4, hours=1)


@pytest.mark.django_db
def test_information_received_by_post_resumes_the_case(application, caseworker):
    services.request_information(application=application, actor=caseworker, message="Rent contract")
    with pytest.raises(ActionRefused):
        services.request_information(application=application, actor=caseworker, message="Again")
    services.information_received(application=application, actor=caseworker)
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW
    assert Task.objects.get(application=application, kind=TaskKind.REVIEW).state == TaskState.OPEN


@pytest.mark.django_db
def test_a_large_amount_needs_a_second_pair_of_eyes(
    application, caseworker, supervisor, second_supervisor, settings
):
    settings.CIVITAS_FOUR_EYES_AMOUNT = 100  # the case is worth 110 a month
    decision = services.decide(
        application=application,
        approved=True,
        reason="Meets the rules.",
        rule_reference=RULE,
        actor=supervisor,
    )
    assert decision.status == DecisionStatus.AWAITING_SECOND
    assert "above 100" in decision.needs_second_because
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW, "nothing final yet"
    assert Task.objects.get(application=application, queue="cases").kind == TaskKind.SECOND_APPROVAL
    assert not Enrolment.objects.exists()

    with pytest.raises(ActionRefused, match="someone else"):
        services.confirm_decision(decision=decision, actor=supervisor, agree=True)
    with pytest.raises(ActionRefused, match="supervisor"):
        services.confirm_decision(decision=decision, actor=caseworker, agree=True)

    services.confirm_decision(decision=decision, actor=second_supervisor, agree=True)
    decision.refresh_from_db()
    application.refresh_from_db()
    assert (decision.status, decision.second_by) == (DecisionStatus.FINAL, second_supervisor)
    assert application.status == Status.APPROVED
    assert Enrolment.objects.filter(person=application.person).exists()


@pytest.mark.django_db
def test_the_database_refuses_a_self_confirmed_decision(application, supervisor, settings):
    from django.db import IntegrityError, transaction

    settings.CIVITAS_FOUR_EYES_AMOUNT = 0
    decision = services.decide(
        application=application, approved=True, reason="ok", actor=supervisor
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.filter(pk=decision.pk).update(second_by=supervisor)


@pytest.mark.django_db
def test_whoever_entered_the_data_needs_a_second_approval(caseworker, citizen, second_supervisor):
    application = submit(citizen, created_by=caseworker, channel="assisted")
    decision = services.decide(
        application=application, approved=True, reason="ok", actor=caseworker
    )
    assert decision.status == DecisionStatus.AWAITING_SECOND
    assert "entered" in decision.needs_second_because
    returned = services.confirm_decision(
        decision=decision, actor=second_supervisor, agree=False, note="Check the rent first."
    )
    assert returned.status == DecisionStatus.RETURNED
    review = Task.objects.get(application=application, queue="cases")
    assert (review.kind, review.assignee) == (TaskKind.REVIEW, caseworker)


@pytest.mark.django_db
def test_a_rejection_never_needs_four_eyes(application, caseworker, settings):
    settings.CIVITAS_FOUR_EYES_AMOUNT = 0
    decision = services.decide(
        application=application,
        approved=False,
        reason="Income above the limit.",
        actor=caseworker,
    )
    assert decision.status == DecisionStatus.FINAL
    assert not Enrolment.objects.exists()


@pytest.mark.django_db
def test_approving_a_withdrawn_application_is_refused_with_the_reason(
    application, caseworker, citizen, staff_client
):
    applications.withdraw(application=application, actor=citizen)
    with pytest.raises(TransitionNotAllowed, match="withdrawn"):
        services.decide(application=application, approved=True, reason="ok", actor=caseworker)
    client = staff_client(caseworker)
    response = client.post(
        reverse("casework:case", args=[application.reference]),
        {"outcome": "approve", "reason": "ok"},
    )
    assert response.status_code == 200
    assert "withdrawn" in response.content.decode(), "the reason, never a 500"
    assert not Decision.objects.exists()


@pytest.mark.django_db
def test_a_second_enrolment_is_refused_and_the_decision_rolls_back(citizen, caseworker, scoped):
    first = submit(citizen)
    services.decide(application=first, approved=True, reason="ok", actor=caseworker)
    second = submit(citizen)
    with pytest.raises(ActionRefused, match="already enrolled"):
        services.decide(application=second, approved=True, reason="ok", actor=caseworker)
    second.refresh_from_db()
    assert second.status == Status.SUBMITTED, "the whole decision rolled back"
    assert Enrolment.objects.count() == 1


@pytest.mark.django_db
def test_the_decision_letter_speaks_the_applicants_language(
    application, caseworker, citizen, staff_client, client
):
    citizen.preferred_language = "fr"
    citizen.save(update_fields=["preferred_language"])
    services.decide(
        application=application,
        approved=True,
        reason="Deux enfants.",
        rule_reference=RULE,
        actor=caseworker,
    )
    client.force_login(citizen)
    html = client.get(reverse("redress:letter", args=[application.reference])).content.decode()
    assert 'lang="fr"' in html and "Deux enfants." in html and RULE in html
    month = timezone.localdate().month
    french = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ][month - 1]
    assert french in html, "dates in French"
    pdf = client.get(reverse("redress:letter_pdf", args=[application.reference]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")

    citizen.preferred_language = "ar"
    citizen.save(update_fields=["preferred_language"])
    html = client.get(reverse("redress:letter", args=[application.reference])).content.decode()
    assert 'dir="rtl"' in html

    staff = staff_client(caseworker)
    assert (
        staff.get(reverse("casework:letter_pdf", args=[application.reference])).status_code == 200
    )


@pytest.mark.django_db
def test_someone_elses_letter_is_a_404(application, caseworker, other_citizen, client):
    services.decide(application=application, approved=False, reason="no", actor=caseworker)
    client.force_login(other_citizen)
    assert client.get(reverse("redress:letter", args=[application.reference])).status_code == 404
    assert client.get(reverse("redress:appeal", args=[application.reference])).status_code == 404


@pytest.mark.django_db
def test_a_decision_without_a_chosen_rule_cites_the_rule_that_failed(citizen, caseworker, scoped):
    from tests.casework.conftest import VALID_CHILD_BENEFIT

    application = submit(citizen, answers={**VALID_CHILD_BENEFIT, "household_income": "5000"})
    decision = services.decide(
        application=application, approved=False, reason="Income too high.", actor=caseworker
    )
    assert decision.rule_reference == "Social Protection Act 2024, s.12(2)"
    application.refresh_from_db()
    assert "Rule applied: Social Protection Act 2024, s.12(2)" in application.decision_reason
