"""Proposals: citizens submit and support them once each; the support threshold opens an official
answer task; the status follows the answer."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from civitas.audit.models import AuditEvent
from civitas.participation.lifecycles import TransitionNotAllowed
from civitas.participation.models import AnswerTask, Proposal, Support
from civitas.participation.services import moderation
from civitas.participation.services import proposals as services
from tests.participation.helpers import assert_csp_friendly, main_of

pytestmark = pytest.mark.django_db


def _open_proposal(author, policy, *, threshold: int = 2) -> Proposal:
    proposal = services.submit_proposal(
        author=author,
        title="A bus line to the hospital",
        body="The hospital has no direct bus from the east of the city.",
        idempotency_key="bus",
    ).proposal
    assert proposal.status == "held", "a first post waits for a moderator"
    moderation.moderate(actor=policy, kind="proposal", object_id=proposal.pk, action="approve")
    Proposal.objects.filter(pk=proposal.pk).update(support_threshold=threshold)
    proposal.refresh_from_db()
    assert proposal.status == "open"
    return proposal


def test_a_citizen_submits_a_proposal_on_the_web(client, citizen, sign_in):
    sign_in(client, citizen)
    form = client.get(reverse("participation:proposal-new"))
    assert form.status_code == 200
    assert_csp_friendly(form)
    response = client.post(
        reverse("participation:proposal-new"),
        {
            "title": "Night buses",
            "body": "Buses every hour between midnight and 5 in the morning.",
            "region": "capital",
            "idempotency_key": "nb",
        },
    )
    proposal = Proposal.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"/proposals/{proposal.pk}/")
    assert (proposal.region.code, proposal.status) == ("capital", "held")
    assert "Night buses" in main_of(client.get(response.url)), "the author sees it held"
    client.logout()
    assert client.get(response.url).status_code == 404, "others do not, until it is reviewed"
    assert "Night buses" not in main_of(client.get(reverse("participation:proposals")))


def test_an_invalid_proposal_is_explained_and_kept(client, citizen, sign_in):
    sign_in(client, citizen)
    response = client.post(
        reverse("participation:proposal-new"),
        {"title": "", "body": "Short", "region": "", "idempotency_key": "x"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Enter a title for your proposal" in html and "Short" in html
    assert not Proposal.objects.exists()


def test_one_support_per_person_and_the_threshold_opens_an_answer_task(
    citizen, other_citizen, policy, make_resident, django_capture_on_commit_callbacks
):
    from civitas.registry import services as registry
    from civitas.registry.models import Person

    proposal = _open_proposal(citizen, policy, threshold=3)
    services.support(user=other_citizen, proposal=proposal)
    services.support(user=other_citizen, proposal=proposal)  # again: changes nothing
    proposal.refresh_from_db()
    assert proposal.support_count == 1

    # two accounts linked to the same registry person are one person
    resident = make_resident("north")
    twin = make_resident("north")
    person = Person.objects.get(account=resident)
    Person.objects.filter(account=twin).update(account=None)
    services.support(user=resident, proposal=proposal)
    registry.link_account(actor="test", person=person, user=twin)  # twin now maps to the person
    services.support(user=twin, proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.support_count == 2 and Support.objects.filter(person=person).count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        services.support(user=citizen, proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.status == "awaiting_answer"
    task = AnswerTask.objects.get(proposal=proposal)
    assert task.completed_at is None and task.due_on > task.opened_at.date()
    assert mail.outbox[-1].to == [citizen.email] and "reached" in mail.outbox[-1].subject


def test_the_official_answer_sets_the_status_and_tells_the_author(
    client, citizen, other_citizen, policy, sign_in, django_capture_on_commit_callbacks
):
    proposal = _open_proposal(citizen, policy, threshold=1)
    services.support(user=other_citizen, proposal=proposal)
    sign_in(client, policy)
    staff = main_of(client.get(reverse("participation:staff")))
    assert "A bus line to the hospital" in staff, "the answer task is in the staff list"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("participation:staff-answer", args=[proposal.pk]),
            {"outcome": "accepted", "text": "Line 12 will stop at the hospital from March."},
        )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "accepted" and proposal.answered_at is not None
    assert AnswerTask.objects.get(proposal=proposal).completed_by == policy
    assert "Line 12" in mail.outbox[-1].body and mail.outbox[-1].to == [citizen.email]
    page = main_of(client.get(reverse("participation:proposal", args=[proposal.pk])))
    assert "Official answer" in page and "Line 12" in page
    with pytest.raises(TransitionNotAllowed):
        services.answer(actor=policy, proposal=proposal, outcome="rejected", text="Changed mind.")
    proposal = services.answer(
        actor=policy, proposal=proposal, outcome="implemented", text="The stop is in service."
    )
    assert proposal.status == "implemented"
    assert AuditEvent.objects.filter(action="participation:proposal:answered").count() == 2


def test_supporting_and_answering_need_the_right_account(citizen, caseworker, policy):
    proposal = _open_proposal(citizen, policy)
    with pytest.raises(services.ProposalRefused, match="citizen account"):
        services.support(user=caseworker, proposal=proposal)
    with pytest.raises(PermissionDenied):
        services.answer(actor=citizen, proposal=proposal, outcome="accepted", text="I accept it!")
    with pytest.raises(services.ProposalRefused, match="citizen account"):
        services.submit_proposal(
            author=policy,
            title="Staff idea",
            body="Staff do not propose here.",
            idempotency_key="s",
        )


def test_supporting_through_the_page(client, citizen, other_citizen, policy, sign_in):
    proposal = _open_proposal(citizen, policy)
    sign_in(client, other_citizen)
    page = client.get(reverse("participation:proposal", args=[proposal.pk]))
    assert "Support this proposal" in main_of(page)
    assert_csp_friendly(page)
    client.post(reverse("participation:support", args=[proposal.pk]))
    proposal.refresh_from_db()
    assert proposal.support_count == 1
    assert "You support this proposal." in main_of(
        client.get(reverse("participation:proposal", args=[proposal.pk]))
    )
    client.post(reverse("participation:support", args=[proposal.pk]), {"action": "withdraw"})
    proposal.refresh_from_db()
    assert proposal.support_count == 0
