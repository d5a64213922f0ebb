"""Applying one thing per page: save and return, once-only answers with consent, conditional
questions, the task list of a long form, and "check your answers" with change links."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse

from civitas.applications.models import Application, Consent
from civitas.audit.models import AuditEvent
from civitas.demo.catalogue import DEMO_PASSWORD
from tests.applications.conftest import VALID_CHILD_BENEFIT
from tests.applications.journeys import apply_online, send, start_online


def question_url(application, page: str) -> str:
    return reverse("applications:question", args=[application.reference, page])


@pytest.mark.django_db
def test_each_page_asks_one_thing_and_stays_light(client, citizen):
    client.force_login(citizen)
    draft = start_online(client, "child-benefit", {}, partial=True)
    response = client.get(question_url(draft, "children_count"))
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert '<label class="govuk-label govuk-label--l" for="id_children_count">' in html
    assert len(response.content) < 30 * 1024, "question pages stay under 30 KB"
    assert "<script>" not in html and 'style="' not in html


@pytest.mark.django_db
def test_an_expired_session_keeps_the_draft(client, citizen):
    client.force_login(citizen)
    draft = start_online(client, "child-benefit", {"children_count": "2"}, partial=True)
    client.logout()  # the session has gone
    page = question_url(draft, "household_income")
    assert client.get(page).url.startswith(reverse("accounts:login"))
    signed_in = client.post(
        f"{reverse('accounts:login')}?next={page}",
        {"username": citizen.email, "password": DEMO_PASSWORD, "next": page},
    )
    assert signed_in.status_code == 302 and signed_in.url == page
    mine = client.get(reverse("applications:mine")).content.decode()
    assert "Continue your application for Child benefit" in mine
    assert client.get(reverse("applications:apply", args=["child-benefit"])).url == page
    draft.refresh_from_db()
    assert draft.answers == {"children_count": 2}


@pytest.mark.django_db
def test_save_and_come_back_later(client, citizen):
    client.force_login(citizen)
    draft = start_online(client, "child-benefit", {}, partial=True)
    response = client.post(
        question_url(draft, "children_count"), {"children_count": "3", "later": "1"}
    )
    assert response.url == reverse("applications:mine")
    draft.refresh_from_db()
    assert draft.answers == {"children_count": 3}


@pytest.mark.django_db
def test_once_only_fills_in_what_the_registry_holds_with_consent(client, citizen):
    client.force_login(citizen)
    draft = start_online(client, "child-benefit", {}, use_registry=True, partial=True)
    draft.refresh_from_db()
    assert draft.answers == {"children_count": 2, "household_income": "950.00"}
    assert draft.prefilled == ["children_count", "household_income"]
    consent = Consent.objects.get()
    assert consent.purpose == "prefill_from_registry" and consent.user == citizen
    assert consent.person == citizen.person and consent.application == draft
    assert AuditEvent.objects.filter(action="applications:consent:given").exists()
    # the next question asked is the first the registry could not answer
    start = client.get(reverse("applications:detail", args=[draft.reference]))
    assert start.url == question_url(draft, "bank_account")
    start_online(client, "child-benefit", VALID_CHILD_BENEFIT)
    check = client.get(reverse("applications:check", args=[draft.reference])).content.decode()
    assert check.count("From the registry") == 2
    # changing a pre-filled answer makes it the person's own
    client.post(question_url(draft, "children_count") + "?return=check", {"children_count": "3"})
    draft.refresh_from_db()
    assert draft.prefilled == ["household_income"]


@pytest.mark.django_db
def test_declining_once_only_asks_every_question_and_records_no_consent(client, citizen):
    client.force_login(citizen)
    draft = start_online(client, "child-benefit", {}, use_registry=False, partial=True)
    assert draft.prefill_choice == "declined" and draft.answers == {}
    assert not Consent.objects.exists()


@pytest.mark.django_db
def test_conditional_questions_follow_the_answers_and_change_links_return(
    client, citizen, private_dir
):
    from tests.applications.conftest import png

    client.force_login(citizen)
    born = (date.today() - timedelta(days=40)).strftime("%d/%m/%Y")
    draft = start_online(
        client,
        "maternity-care",
        {"baby_born": "yes", "baby_birth_date": born, "bank_account": "CV1", "declaration": "yes"},
    )
    assert set(draft.answers) == {"baby_born", "baby_birth_date", "bank_account", "declaration"}
    check = client.get(reverse("applications:check", args=[draft.reference])).content.decode()
    assert "What is your baby&#x27;s date of birth?" in check
    assert check.count(">Change<") == 5  # four answers and the documents
    # change "born" to no: the due date is asked next, then back to the summary
    changed = client.post(question_url(draft, "baby_born") + "?return=check", {"baby_born": "no"})
    assert changed.url == question_url(draft, "due_date") + "?return=check"
    due = (date.today() + timedelta(days=60)).strftime("%d/%m/%Y")
    back = client.post(changed.url, {"due_date": due})
    assert back.url == reverse("applications:check", args=[draft.reference])
    client.post(
        reverse("applications:upload", args=[draft.reference, "pregnancy_or_birth_proof"]),
        {"document": _file("certificate.png", png())},
    )
    assert send(client, draft).status_code == 302
    draft.refresh_from_db()
    assert "baby_birth_date" not in draft.answers, (
        "an answer to a question no longer asked is dropped"
    )
    assert draft.pre_assessment["eligible"] is True
    assert draft.pre_assessment["amount"] == 90.0


def _file(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.mark.django_db
def test_a_long_form_starts_from_a_task_list(client, citizen):
    client.force_login(citizen)
    draft = start_online(client, "housing-allowance", {}, partial=True)
    task_list = client.get(reverse("applications:detail", args=[draft.reference])).content.decode()
    for title in ("Your home", "Your income", "How we pay you", "Declaration", "Upload documents"):
        assert title in task_list
    assert "Cannot start yet" in task_list
    answers = {
        "monthly_rent": "600",
        "household_income": "500",
        "bank_account": "CV1",
        "declaration": "yes",
    }
    # answering a section goes back to the task list
    done = client.post(question_url(draft, "monthly_rent"), answers)
    assert done.url == reverse("applications:detail", args=[draft.reference])
    start_online(client, "housing-allowance", answers)
    task_list = client.get(reverse("applications:detail", args=[draft.reference])).content.decode()
    assert "Cannot start yet" not in task_list
    assert reverse("applications:check", args=[draft.reference]) in task_list


@pytest.mark.django_db
def test_the_confirmation_and_the_email_carry_the_same_reference(
    client, citizen, django_capture_on_commit_callbacks
):
    client.force_login(citizen)
    draft = start_online(
        client,
        "food-allowance",
        {
            "household_size": "4",
            "household_income": "400",
            "bank_account": "CV1",
            "declaration": "yes",
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, draft)
    confirmation = client.get(response.url).content.decode()
    assert draft.reference in confirmation
    [email] = mail.outbox
    assert draft.reference in email.subject and draft.reference in email.body
    assert "We aim to decide by" in email.body
    # a second press of the button changes nothing and sends nothing
    with django_capture_on_commit_callbacks(execute=True):
        again = send(client, draft)
    assert again.url == response.url and len(mail.outbox) == 1


@pytest.mark.django_db
def test_each_of_the_five_programmes_can_be_applied_for(client, citizen, private_dir):
    from tests.applications.conftest import png

    client.force_login(citizen)
    due = (date.today() + timedelta(days=60)).strftime("%d/%m/%Y")
    answers = {
        "baby_born": "no",
        "due_date": due,
        "children_count": "2",
        "household_income": "950",
        "other_income": "0",
        "monthly_rent": "420",
        "household_size": "4",
        "bank_account": "CV12 3456 7890",
        "declaration": "yes",
    }
    for slug in (
        "maternity-care",
        "child-benefit",
        "old-age-pension",
        "housing-allowance",
        "food-allowance",
    ):
        draft = start_online(client, slug, answers)
        if slug == "maternity-care":
            client.post(
                reverse("applications:upload", args=[draft.reference, "pregnancy_or_birth_proof"]),
                {"document": _file("c.png", png())},
            )
        assert send(client, draft).status_code == 302, slug
    assert Application.objects.filter(status="submitted").count() == 5


@pytest.mark.django_db
def test_staff_apply_only_on_someones_behalf(client, caseworker):
    client.force_login(caseworker)
    assert client.get(reverse("applications:apply", args=["child-benefit"])).status_code in (
        302,
        404,
    )
    assert not Application.objects.exists()


@pytest.mark.django_db
def test_a_draft_is_not_anyone_elses(client, citizen, other_citizen):
    client.force_login(citizen)
    draft = start_online(client, "child-benefit", {"children_count": "2"}, partial=True)
    client.force_login(other_citizen)
    for url in (
        reverse("applications:detail", args=[draft.reference]),
        question_url(draft, "household_income"),
        reverse("applications:check", args=[draft.reference]),
        reverse("applications:documents", args=[draft.reference]),
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(question_url(draft, "household_income"), {"household_income": "1"}).status_code
        == 404
    )
    assert apply_online  # the same helper a person's own journey uses


@pytest.mark.django_db
def test_sending_in_one_step_is_one_audited_action_and_a_replay_changes_nothing(
    citizen, django_capture_on_commit_callbacks
):
    """The API and imports create and send at once: one transaction, one audit event for the
    application (born sent, with who, what and which answers — never their values), the acknowledgement queued only
    after commit; the same key again returns the same application and records nothing."""
    from civitas.applications import services
    from civitas.audit.services import verify_chain
    from civitas.programs.models import Program

    program = Program.objects.get(slug="child-benefit")
    answers = {"children_count": 2, "household_income": "950.00"}
    answers |= {"bank_account": "CV12 3456 7890", "declaration": True}
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        outcome = services.submit_application(
            applicant=citizen, program=program, answers=answers, idempotency_key="one-step"
        )
    assert outcome.created and outcome.application.status == "submitted"
    assert callbacks, "the acknowledgement is delivered after commit"
    [event] = AuditEvent.objects.filter(
        subject_type="applications.application", subject_id=str(outcome.application.pk)
    )
    assert event.action == "applications:application:submitted"
    assert event.after["reference"] == outcome.application.reference
    recorded = event.after["answers"]
    assert recorded["names"] == sorted(answers), "the trail names the answers given"
    assert "CV12" not in str(event.after) and "950" not in str(event.after), "but not their values"
    assert recorded["digest"] == services.answers_for_audit(outcome.application.answers)["digest"]
    assert event.after["person"] is not None, "the registry record it was made for"
    assert outcome.application.pre_assessment is not None, "the rules ran before the write"

    events = AuditEvent.objects.count()
    replay = services.submit_application(
        applicant=citizen, program=program, answers=answers, idempotency_key="one-step"
    )
    assert not replay.created and replay.application.pk == outcome.application.pk
    assert AuditEvent.objects.count() == events
    assert Application.objects.count() == 1
    assert verify_chain().ok
