"""Requests for correction in the back office: a caseworker whose scope covers the person's place
resolves them (corrected, or refused with the reason), the person is told and sees the outcome,
and the trail records it. Anyone else gets the same 404 as for a request that does not exist."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from civitas.accounts.models import User
from civitas.accounts.testing import sign_in_staff
from civitas.applications import services
from civitas.applications.models import CorrectionRequest, CorrectionStatus
from civitas.audit.models import AuditEvent
from civitas.casework.services import set_scope
from civitas.registry.models import Region

PASSWORD = "a-long-staff-password-1"


@pytest.fixture(scope="module", autouse=True)
def compiled_translations():
    """The person is told in their language: build the catalogs if needed."""
    from tests.web.conftest import compile_translations

    compile_translations()


@pytest.fixture
def request_from_amina(citizen):
    return services.request_correction(
        user=citizen, topic="household", details="Yusuf was born in 2021, not 2012."
    )


def staff(email: str, *, roles=("caseworker",), **scope) -> User:
    from civitas.accounts import services as accounts

    user = accounts.create_staff(
        email=email,
        password=PASSWORD,
        full_name=email.split("@")[0],
        roles=list(roles),
        actor="tests",
    )
    if scope:
        set_scope(user=user, actor="tests", all_programmes=True, **scope)
    return user


@pytest.fixture
def capital_caseworker(demo_country):
    return staff("capital@example.org", regions=[Region.objects.get(code="capital")])


@pytest.mark.django_db
def test_a_caseworker_in_scope_corrects_and_the_person_is_told(
    client, citizen, capital_caseworker, request_from_amina, django_capture_on_commit_callbacks
):
    sign_in_staff(client, capital_caseworker)
    queue = client.get(reverse("casework:corrections"))
    assert queue.status_code == 200
    assert "Yusuf was born in 2021" in queue.content.decode()
    url = reverse("casework:correction", args=[request_from_amina.pk])
    assert "Yusuf was born in 2021" in client.get(url).content.decode()

    refused = client.post(url, {"outcome": "corrected", "reason": "  "})
    assert "Enter what you changed, or why you did not change it" in refused.content.decode()
    assert CorrectionRequest.objects.get().status == CorrectionStatus.OPEN, "nothing saved"

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            url, {"outcome": "corrected", "reason": "Yusuf's date of birth is now 8 Feb 2021."}
        )
    assert done.status_code == 302 and done.url == reverse("casework:corrections")
    request = CorrectionRequest.objects.get()
    assert request.status == CorrectionStatus.RESOLVED and request.resolved_at
    event = AuditEvent.objects.get(action="applications:correction:resolved")
    assert event.after["outcome"] == "corrected"
    assert event.actor_id == capital_caseworker.pk
    (email,) = mail.outbox
    assert email.to == [citizen.email]
    assert email.subject == "We have corrected what we hold about you"
    assert "8 Feb 2021" in email.body
    assert (
        "Yusuf was born in 2021" not in client.get(reverse("casework:corrections")).content.decode()
    )

    client.force_login(citizen)
    mine = client.get(reverse("my:data")).content.decode()
    assert "Dealt with" in mine and "Yusuf&#x27;s date of birth is now 8 Feb 2021." in mine


@pytest.mark.django_db
def test_a_refusal_gives_the_reason_in_the_persons_language(
    client, citizen, capital_caseworker, request_from_amina, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=citizen.pk).update(preferred_language="fr")
    sign_in_staff(client, capital_caseworker)
    url = reverse("casework:correction", args=[request_from_amina.pk])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"outcome": "refused", "reason": "The birth certificate says 2012."})
    event = AuditEvent.objects.get(action="applications:correction:resolved")
    assert event.after["outcome"] == "refused"
    assert "The birth certificate says 2012." in mail.outbox[0].body
    assert mail.outbox[0].subject == "Nous n’avons pas fait la correction demandée"
    again = client.post(url, {"outcome": "corrected", "reason": "changed my mind"})
    assert again.status_code == 200, "a dealt-with request is not resolved twice"
    assert AuditEvent.objects.filter(action="applications:correction:resolved").count() == 1


@pytest.mark.django_db
def test_out_of_scope_staff_get_the_same_404_as_for_a_missing_request(
    client, demo_country, request_from_amina
):
    elsewhere = staff("east@example.org", regions=[Region.objects.exclude(code="capital").first()])
    sign_in_staff(client, elsewhere)
    url = reverse("casework:correction", args=[request_from_amina.pk])
    missing = reverse("casework:correction", args=[request_from_amina.pk + 1000])
    assert client.get(url).status_code == 404
    assert client.post(url, {"outcome": "corrected", "reason": "x"}).status_code == 404
    assert client.get(missing).status_code == 404
    assert "Yusuf" not in client.get(reverse("casework:corrections")).content.decode()
    assert CorrectionRequest.objects.get().status == CorrectionStatus.OPEN


@pytest.mark.django_db
def test_citizens_and_auditors_do_not_see_the_queue(
    client, citizen, demo_country, request_from_amina
):
    client.force_login(citizen)
    assert client.get(reverse("casework:corrections")).status_code == 404
    assert (
        client.get(reverse("casework:correction", args=[request_from_amina.pk])).status_code == 404
    )
    auditor = staff("auditor2@example.org", roles=("auditor",), whole_country=True)
    sign_in_staff(client, auditor)
    assert client.get(reverse("casework:corrections")).status_code == 404
