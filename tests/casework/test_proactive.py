"""Proactive enrolment: the whole registry through the vectorised rules, people who qualify and
have not applied are invited once, progress is written for the page and the command line."""

from __future__ import annotations

import polars as pl
import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from civitas.casework.eligibility import evaluate_frames
from civitas.casework.errors import ActionRefused
from civitas.casework.models import Invitation, ProactiveRun
from civitas.casework.services import proactive
from civitas.registry.frames import population_frames
from tests.casework.conftest import program, submit

PERIOD = "2026-03"


@pytest.fixture
def population(scoped):
    scoped.populate(households=40, seed=21)
    return scoped


@pytest.mark.django_db
def test_a_run_invites_who_qualifies_and_has_not_applied(
    population, supervisor, citizen, django_capture_on_commit_callbacks
):
    child_benefit = program("child-benefit")
    submit(citizen)  # Amina's household has applied: no invitation for it
    persons, households = population_frames()
    expected = evaluate_frames(
        child_benefit.version_in_force(), period=PERIOD, persons=persons, households=households
    ).filter(pl.col("eligible") & (pl.col("amount") > 0))

    with django_capture_on_commit_callbacks(execute=True):
        run = proactive.start_run(program=child_benefit, period=PERIOD, actor=supervisor)
    run.refresh_from_db()
    assert run.status == "done", run.message
    assert (run.households, run.processed) == (households.height, households.height)
    assert run.eligible == expected.height
    invited = set(Invitation.objects.filter(run=run).values_list("household_id", flat=True))
    amina = set(expected["household_id"].to_list()) - invited
    assert len(amina) == 1 and run.already_known == 1
    assert run.invited == len(invited) == expected.height - 1

    with django_capture_on_commit_callbacks(execute=True):
        again = proactive.start_run(program=child_benefit, period=PERIOD, actor=supervisor)
    again.refresh_from_db()
    assert (again.invited, again.already_known) == (0, expected.height), "invited once only"


@pytest.mark.django_db
def test_people_with_an_account_are_invited_by_email(
    population, supervisor, citizen, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = proactive.start_run(
            program=program("housing-allowance"), period=PERIOD, actor=supervisor
        )
    run.refresh_from_db()
    assert Invitation.objects.filter(run=run, by_email=True).exists()
    assert any("You may be able to get Housing allowance" in m.subject for m in mail.outbox)
    assert Invitation.objects.filter(run=run, by_email=False).count() == run.invited - 1


@pytest.mark.django_db
def test_only_supervisors_start_runs_and_one_at_a_time(population, caseworker, supervisor):
    with pytest.raises(ActionRefused, match="supervisor"):
        proactive.start_run(program=program("food-allowance"), period=PERIOD, actor=caseworker)
    proactive.start_run(program=program("food-allowance"), period=PERIOD, actor=supervisor)
    with pytest.raises(ActionRefused, match="already under way"):
        proactive.start_run(program=program("food-allowance"), period=PERIOD, actor=supervisor)
    with pytest.raises(ActionRefused, match="YYYY-MM"):
        proactive.start_run(program=program("maternity-care"), period="March", actor=supervisor)


@pytest.mark.django_db
def test_progress_shows_on_the_page_and_the_command_line(
    population, supervisor, staff_client, capsys
):
    call_command("enrolment", "proactive", "--program", "food-allowance", "--period", PERIOD)
    captured = capsys.readouterr()
    assert "Computing eligibility" in captured.err and "100%" in captured.err
    assert "invited" in captured.out
    run = ProactiveRun.objects.get()
    client = staff_client(supervisor)
    html = client.get(reverse("casework:proactive_run", args=[run.pk])).content.decode()
    assert "100%" in html and "<progress" in html
    queued = proactive.start_run(program=program("maternity-care"), period=PERIOD, actor=supervisor)
    response = client.get(reverse("casework:proactive_run", args=[queued.pk]))
    assert response["Refresh"] == "2", "refreshes itself while the run goes on, no JavaScript"
