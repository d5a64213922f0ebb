"""From a simulation to a public consultation: a policy author opens it on the draft from the
simulation's page; the public sees the consultation, its document and the impact figures; it is
audited; nobody else can open one, and a stale simulation is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from civitas.accounts.testing import sign_in_staff
from civitas.audit.models import AuditEvent
from civitas.participation.models import Consultation
from civitas.studio import services
from civitas.studio.errors import StudioRefused


@pytest.fixture
def simulated(demo_country, author, flood_draft, simulate_now):
    demo_country.populate(households=60, seed=5)
    run = simulate_now(
        actor=author, version=flood_draft, period=flood_draft.effective_from.strftime("%Y-%m")
    )
    assert run.status == "done", run.message
    return run


def test_an_author_opens_a_public_consultation_with_the_simulated_impact(
    client, author, flood_draft, simulated, django_capture_on_commit_callbacks
):
    sign_in_staff(client, author)
    version_page = client.get(reverse("studio:version", args=[flood_draft.pk])).content.decode()
    consult_url = reverse("studio:consult", args=[simulated.pk])
    assert consult_url in version_page
    form = client.get(consult_url)
    assert form.status_code == 200
    assert "Have your say: Flood relief, version 1" in form.content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the queue runs the impact
        response = client.post(
            consult_url,
            {
                "title": "Have your say: flood relief",
                "summary": "A payment to households in the flooded regions.",
                "closes_on": (timezone.localdate() + timedelta(days=21)).isoformat(),
            },
        )
    assert response.status_code == 302 and response["Location"] == consult_url
    waiting = client.get(consult_url).content.decode()
    assert "Its impact is being computed over the registry" in waiting
    consultation = Consultation.objects.get(program_version=flood_draft)
    assert consultation.phase == "consultation"
    assert reverse("participation:consultation", args=[consultation.slug]) in waiting

    client.logout()  # what the public sees
    public = client.get(reverse("participation:index")).content.decode()
    assert "Have your say: flood relief" in public
    page = client.get(reverse("participation:consultation", args=[consultation.slug]))
    assert page.status_code == 200
    document = client.get(
        reverse("participation:document", args=[consultation.slug, "the-draft"])
    ).content.decode()
    report = simulated.report
    assert f"{report['gainers']:,}" in document and f"{simulated.households:,}" in document
    impact = client.get(reverse("participation:impact", args=[consultation.slug]))
    assert impact.status_code == 200
    run = consultation.impact_runs.get()
    assert run.households == simulated.households
    assert run.result["period"] == simulated.period
    assert run.result["summary"]["gainers"] == report["gainers"]
    assert run.result["summary"]["change_total"] == pytest.approx(report["difference"], abs=0.01)
    body = impact.content.decode()
    assert f"{report['gainers']:,}" in body or str(report["gainers"]) in body

    opened = AuditEvent.objects.get(action="studio:consultation:opened")
    assert opened.actor_label == author.email and opened.after["simulation"] == simulated.pk
    assert AuditEvent.objects.filter(action="participation:impact:computed").count() == 1


def test_opening_again_returns_the_same_consultation(author, simulated):
    closes = timezone.localdate() + timedelta(days=10)
    first = services.open_consultation(
        actor=author, simulation=simulated, title="T", summary="S", closes_on=closes
    )
    second = services.open_consultation(
        actor=author, simulation=simulated, title="T", summary="S", closes_on=closes
    )
    assert first.pk == second.pk and Consultation.objects.count() == 1


def test_a_stale_simulation_is_refused_and_what_was_typed_stays(client, author, simulated):
    version = simulated.version
    services.save_details(
        actor=author,
        version=version,
        revision=version.studio.revision,
        effective_from=version.effective_from,
        legal_basis="Flood Emergency Decree 2026, art. 3",
        language="en",
        texts=version.studio.texts["en"],
    )
    sign_in_staff(client, author)
    response = client.post(
        reverse("studio:consult", args=[simulated.pk]),
        {
            "title": "My carefully chosen title",
            "summary": "A summary",
            "closes_on": (timezone.localdate() + timedelta(days=21)).isoformat(),
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "run the simulation again" in body and "My carefully chosen title" in body
    assert not Consultation.objects.exists()


def test_people_without_the_role_cannot_open_one(client, caseworker, author, simulated):
    sign_in_staff(client, caseworker)
    assert client.get(reverse("studio:consult", args=[simulated.pk])).status_code == 404
    assert client.post(reverse("studio:consult", args=[simulated.pk]), {}).status_code == 404
    with pytest.raises(StudioRefused):
        services.open_consultation(
            actor=caseworker,
            simulation=simulated,
            title="T",
            summary="S",
            closes_on=timezone.localdate() + timedelta(days=5),
        )
    assert not Consultation.objects.exists()


def test_the_public_sees_nothing_until_the_impact_is_attached(
    client, author, simulated, django_capture_on_commit_callbacks
):
    closes = timezone.localdate() + timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        consultation = services.open_consultation(
            actor=author, simulation=simulated, title="T", summary="S", closes_on=closes
        )
    assert len(queued) == 1, "the impact is computed after commit, by the queue"
    public = reverse("participation:consultation", args=[consultation.slug])
    assert client.get(public).status_code == 404
    for callback in queued:
        callback()
    consultation.refresh_from_db()
    assert consultation.phase == "consultation" and consultation.impact_runs.count() == 1
    assert client.get(public).status_code == 200


def test_when_the_impact_cannot_be_computed_it_stays_unpublished_with_the_reason(author, simulated):
    from civitas.programs.models import ProgramVersion

    closes = timezone.localdate() + timedelta(days=10)
    consultation = services.open_consultation(
        actor=author, simulation=simulated, title="T", summary="S", closes_on=closes
    )
    ProgramVersion.objects.filter(pk=simulated.version_id).update(
        rules={"programme.yaml": "name: [broken"}
    )
    simulated.version.refresh_from_db()
    done = services.publish_consultation(
        actor=author, consultation=consultation, simulation=simulated
    )
    assert done.phase == "draft" and not done.impact_runs.exists()
    failed = AuditEvent.objects.get(action="studio:consultation:failed")
    assert "cannot be loaded" in failed.after["reason"]
