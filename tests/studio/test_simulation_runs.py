"""The simulation runs as a background task: pressing the button queues it (audited), the worker
runs it (queued → running → done | failed) writing its progress, the version page follows it, a
failure shows a message and a way to try again, only one runs per version at a time, and only a
finished simulation of the current revision can be put to consultation."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest
from django.urls import reverse
from django.utils import timezone

from civitas import rules
from civitas.accounts.testing import sign_in_staff
from civitas.audit.models import AuditEvent
from civitas.participation.models import Consultation
from civitas.studio import services, simulation
from civitas.studio.emergency import flat_payment, top_up
from civitas.studio.errors import StudioRefused
from civitas.studio.models import Simulation, SimulationStatus


@pytest.fixture
def month(flood_draft):
    return flood_draft.effective_from.strftime("%Y-%m")


@pytest.fixture
def populated(demo_country):
    demo_country.populate(households=40, seed=7)
    return demo_country


def _running(version, user, *, households=1000, done=250) -> Simulation:
    now = timezone.now()
    return Simulation.objects.create(
        version=version,
        revision=version.studio.revision,
        period=version.effective_from.strftime("%Y-%m"),
        status=SimulationStatus.RUNNING,
        phase="Comparing the draft with the baseline",
        households=households,
        households_done=done,
        run_by=user,
        run_at=now,
        started_at=now,
        updated_at=now,
    )


# --- the lifecycle ---------------------------------------------------------------------------------
def test_pressing_queues_it_audited_and_the_worker_runs_it_after_commit(
    populated, author, flood_draft, month, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        run, started = services.start_simulation(actor=author, version=flood_draft, period=month)
    assert started and run.status == SimulationStatus.QUEUED and run.report is None
    assert len(queued) == 1, "the task is enqueued after commit"
    event = AuditEvent.objects.get(action="studio:simulation:queued")
    assert event.actor_label == author.email and event.after["period"] == month

    for callback in queued:  # the immediate backend runs the task here
        callback()
    run.refresh_from_db()
    assert run.status == SimulationStatus.DONE, run.message
    assert run.households >= 40 and run.households_done == run.households
    assert run.report["households"] == run.households and run.report["reform_total"] > 0
    assert run.started_at and run.finished_at and run.started_at <= run.finished_at
    assert run.seconds is not None and run.baseline == simulation.NO_PROGRAMME
    moves = list(
        AuditEvent.objects.filter(action__startswith="studio:simulation:")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert moves == [
        "studio:simulation:queued",
        "studio:simulation:running",
        "studio:simulation:done",
    ]


def test_only_the_allowed_moves_are_made(author, flood_draft, month):
    run, _started = services.start_simulation(actor=author, version=flood_draft, period=month)
    with pytest.raises(StudioRefused, match="queued, so it cannot become done"):
        services._move(run, SimulationStatus.DONE)
    services._move(run, SimulationStatus.RUNNING)
    with pytest.raises(StudioRefused, match="running, so it cannot become queued"):
        services._move(run, SimulationStatus.QUEUED)
    services._move(run, SimulationStatus.FAILED, message="stopped")
    for target in SimulationStatus.values:
        with pytest.raises(StudioRefused):
            services._move(run, target)  # failed is final
    run.refresh_from_db()
    assert run.status == SimulationStatus.FAILED


def test_the_queue_delivering_twice_runs_it_once(
    populated, author, flood_draft, month, simulate_now
):
    run = simulate_now(actor=author, version=flood_draft, period=month)
    assert run.status == SimulationStatus.DONE
    again = services.execute_simulation(run.pk)
    assert again.status == SimulationStatus.DONE and again.finished_at == run.finished_at
    assert AuditEvent.objects.filter(action="studio:simulation:running").count() == 1
    assert services.execute_simulation(run.pk + 999) is None


def test_the_rules_simulated_are_those_of_when_it_starts(
    populated, author, flood_draft, month, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        run, _started = services.start_simulation(actor=author, version=flood_draft, period=month)
    queued_at = run.revision
    services.save_details(  # saved while the simulation waits for the worker
        actor=author,
        version=flood_draft,
        revision=queued_at,
        effective_from=flood_draft.effective_from,
        legal_basis="Flood Emergency Decree 2026, art. 3",
        language="en",
        texts=flood_draft.studio.texts["en"],
    )
    for callback in queued:
        callback()
    run.refresh_from_db()
    assert run.status == SimulationStatus.DONE and run.revision == queued_at + 1


# --- progress --------------------------------------------------------------------------------------
def _watch(monkeypatch) -> list[tuple]:
    """Each progress write, with the row as the page reads it just after."""
    seen: list[tuple] = []
    write = services._progress

    def watched(run, **fields):
        write(run, **fields)
        row = Simulation.objects.get(pk=run.pk)
        seen.append(
            (
                row.status,
                row.phase,
                row.read_done,
                row.read_total,
                row.households_done,
                row.households,
                row.percent,
                row.reading,
            )
        )

    monkeypatch.setattr(services, "_progress", watched)
    return seen


def test_progress_is_written_as_it_goes(
    populated, author, flood_draft, month, monkeypatch, simulate_now
):
    """While the registry is read (its rows as they come, then its encrypted cells as they are
    decrypted), then while the engine compares (after each of its blocks)."""
    from civitas.registry import bulk, frames

    monkeypatch.setattr(services, "PROGRESS_EVERY", 0)
    monkeypatch.setattr(bulk, "FETCH_ROWS", 10)  # the test's transaction: the plain cursor
    monkeypatch.setattr(frames, "DECRYPT_ROWS", 10)
    seen = _watch(monkeypatch)
    run = simulate_now(actor=author, version=flood_draft, period=month)
    assert run.status == SimulationStatus.DONE
    assert all(status == SimulationStatus.RUNNING for status, *_ in seen)

    reading = [row for row in seen if row[1] == "Reading the registry"]
    comparing = [row for row in seen if row[1] == "Comparing the draft with the baseline"]
    assert seen == reading + comparing, "the registry is read, then compared"
    assert len(reading) >= 10, reading  # fetches of 10 rows, slices of 10 persons
    read = [row[2] for row in reading]
    assert read == sorted(set(read)) and read[-1] == reading[-1][3] == run.read_total
    assert run.read_done == run.read_total > 2 * run.households
    assert all(row[7] for row in reading[:-1]) and not reading[-1][7]
    percents = [row[6] for row in reading[:-1]]
    assert percents == sorted(percents) and percents[-1] < 100

    total = run.households
    done = [row[4] for row in comparing]
    assert done[0] == 0 and done[-1] == total and done == sorted(set(done))
    assert len(done) >= 3  # (0, n), after the baseline's block, after the reform's
    assert all(row[5] == total and not row[7] for row in comparing)


@pytest.mark.django_db(transaction=True)
def test_the_worker_writes_progress_while_the_reader_process_reads(
    demo_country, author, flood_draft, month, monkeypatch
):
    """As the worker runs it, outside any transaction: the registry is read by the reader
    process (its own connection) while the progress is written on the worker's."""
    from civitas.registry import bulk, frames

    demo_country.populate(households=40, seed=7)
    monkeypatch.setattr(services, "PROGRESS_EVERY", 0)
    monkeypatch.setattr(bulk, "REPORT_EVERY", 1)
    monkeypatch.setattr(frames, "DECRYPT_ROWS", 10)
    assert bulk._adbc_usable()
    seen = _watch(monkeypatch)
    run, started = services.start_simulation(actor=author, version=flood_draft, period=month)
    run.refresh_from_db()  # queued, then run by the immediate backend once queued
    assert started and run.status == SimulationStatus.DONE, run.message
    reading = [row for row in seen if row[1] == "Reading the registry"]
    assert len(reading) >= 5 and reading[-1][2] == reading[-1][3] == run.read_total
    assert seen[-1][4] == run.households


def test_progress_is_written_at_most_so_often_but_always_at_each_end(
    populated, author, flood_draft, month, monkeypatch, simulate_now
):
    from civitas.registry import bulk, frames

    monkeypatch.setattr(services, "PROGRESS_EVERY", 3600)
    monkeypatch.setattr(bulk, "FETCH_ROWS", 10)
    monkeypatch.setattr(frames, "DECRYPT_ROWS", 10)
    seen = _watch(monkeypatch)
    run = simulate_now(actor=author, version=flood_draft, period=month)
    assert run.status == SimulationStatus.DONE
    work, n = run.read_total, run.households
    assert [(row[2], row[3], row[4]) for row in seen] == [
        (seen[0][2], work, 0),  # the first rows read
        (work, work, 0),  # the registry read
        (work, work, 0),  # the comparison starts
        (work, work, n),  # and ends
    ]
    assert seen[0][2] < work


def _population(households: int, seed: int):
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 5, households)
    household_id = np.repeat(np.arange(1, households + 1) * 3, sizes)  # ids with gaps
    n = len(household_id)
    start = np.repeat(np.cumsum(sizes) - sizes, sizes)
    adult = (np.arange(n) - start) < 1
    persons = pl.DataFrame(
        {
            "person_id": np.arange(1, n + 1),
            "household_id": household_id,
            "role": np.where(adult, "adult", "child"),
            "birth": [date(1980, 1, 1) if a else date(2019, 6, 1) for a in adult],
            "sex": np.where(rng.random(n) < 0.5, "female", "male"),
            "income": np.where(adult, np.round(rng.lognormal(6.0, 0.8, n), 2), 0.0),
            "pregnant": np.zeros(n, dtype=bool),
        }
    )
    regions = np.array(["capital", "north", "south", "east", "west"])
    frame = pl.DataFrame(
        {
            "household_id": np.arange(1, households + 1) * 3,
            "rent": rng.integers(0, 60, households) * 5.0,
            "region": regions[rng.integers(0, 5, households)],
        }
    )
    return simulation.prepare(persons, frame)


@pytest.mark.parametrize("shuffle", [False, True])
def test_with_progress_the_report_is_the_one_without(demo_country, shuffle):
    """The engine reports progress from inside one run over the whole population: the report is
    exactly the one of a run without progress."""
    from civitas.programs.models import Program

    persons, households = _population(20_000, seed=3)  # blocks of about 30,000 persons
    if shuffle:  # not in the registry's order
        persons = persons.sample(fraction=1.0, shuffle=True, seed=1)
        households = households.sample(fraction=1.0, shuffle=True, seed=2)
    base = Program.objects.get(slug="child-benefit").version_in_force().rules
    start = date(2030, 1, 1)
    cases = [
        (
            simulation.nothing(),
            flat_payment(slug="x", label="X", start=start, end=start, reference="r"),
        ),
        (
            rules.load_from_mapping(base),
            top_up(base=base, start=start, end=start, reference="r"),
        ),
    ]
    for baseline, files in cases:
        reform = rules.load_from_mapping(files)
        plain = simulation.compare(baseline, reform, "2030-01", persons, households)
        calls = []
        told = simulation.compare(
            baseline,
            reform,
            "2030-01",
            persons,
            households,
            progress=lambda done, total, calls=calls: calls.append((done, total)),
        )
        assert told == plain
        assert plain == rules.simulate(baseline, reform, "2030-01", persons, households).to_dict()
        assert calls[0] == (0, 20_000) and calls[-1] == (20_000, 20_000)
        assert len(calls) >= 5, calls  # two blocks or more per version
        assert [d for d, _t in calls] == sorted({d for d, _t in calls})


# --- the version page ------------------------------------------------------------------------------
def test_the_page_shows_progress_while_it_runs_and_refreshes_for_who_asked(
    client, author, approver, flood_draft
):
    _running(flood_draft, author, households=1000, done=250)
    sign_in_staff(client, author)
    url = reverse("studio:version", args=[flood_draft.pk])
    response = client.get(url)
    page = response.content.decode()
    assert "25% — 250 of 1,000 households compared" in page
    assert '<progress id="simulation-progress" max="100" value="25">' in page
    assert "Comparing the draft with the baseline" in page and "Running" in page
    assert response["Refresh"] == f"3; url={url}#simulation"
    assert "This page refreshes itself" in page
    assert "Run the simulation</button>" not in page  # one at a time
    assert "Download the table" not in page and "public consultation" not in page
    assert "<script>" not in page and 'style="' not in page

    client.logout()
    sign_in_staff(client, approver)  # someone else: no refresh under a review being typed
    response = client.get(url)
    assert "Refresh" not in response and "25% — 250 of 1,000" in response.content.decode()
    assert "Reload the page to follow its progress" in response.content.decode()


def test_the_page_shows_how_much_of_the_registry_is_read(client, author, flood_draft):
    run = _running(flood_draft, author, households=1000, done=0)
    Simulation.objects.filter(pk=run.pk).update(
        phase="Reading the registry", read_done=1200, read_total=3000
    )
    sign_in_staff(client, author)
    page = client.get(reverse("studio:version", args=[flood_draft.pk])).content.decode()
    assert "Reading the registry" in page and "40% of the registry read" in page
    assert '<progress id="simulation-progress" max="100" value="40">' in page
    assert "households compared" not in page

    Simulation.objects.filter(pk=run.pk).update(read_done=3000)  # read; nothing compared yet
    page = client.get(reverse("studio:version", args=[flood_draft.pk])).content.decode()
    assert "0% — 0 of 1,000 households compared" in page


def test_a_queued_simulation_shows_it_waits_for_the_worker(client, author, flood_draft, month):
    services.start_simulation(actor=author, version=flood_draft, period=month)
    sign_in_staff(client, author)
    page = client.get(reverse("studio:version", args=[flood_draft.pk])).content.decode()
    assert "Queued" in page and "Waiting for the worker" in page


def test_a_failure_shows_a_message_and_a_way_to_try_again(
    client, populated, author, flood_draft, month, monkeypatch, simulate_now
):
    import civitas.registry.frames as frames

    persons, households = frames.population_frames()
    monkeypatch.setattr(
        frames, "population_frames", lambda **_: (persons.clear(), households.clear())
    )
    run = simulate_now(actor=author, version=flood_draft, period=month)
    assert run.status == SimulationStatus.FAILED and run.report is None
    assert run.message == "The registry holds no households to simulate."
    assert run.finished_at is not None
    failed = AuditEvent.objects.get(action="studio:simulation:failed")
    assert failed.after["message"] == run.message

    sign_in_staff(client, author)
    response = client.get(reverse("studio:version", args=[flood_draft.pk]))
    page = response.content.decode()
    assert "Refresh" not in response
    assert f"The simulation for {month} did not finish" in page and run.message in page
    assert "Try again</button>" in page and f'value="{month}"' in page
    assert client.get(reverse("studio:simulation_csv", args=[run.pk])).status_code == 404

    monkeypatch.undo()  # the registry is back: trying again runs a new simulation to the end
    again = simulate_now(actor=author, version=flood_draft, period=month)
    assert again.pk != run.pk and again.status == SimulationStatus.DONE


def test_an_unexpected_error_is_told_in_words_and_the_details_go_to_the_log(
    client, populated, author, flood_draft, month, monkeypatch, simulate_now, caplog
):
    def broken(*args, **kwargs):
        raise RuntimeError("internal detail at 0xdeadbeef")

    monkeypatch.setattr(simulation, "compare", broken)
    run = simulate_now(actor=author, version=flood_draft, period=month)
    assert run.status == SimulationStatus.FAILED
    assert "unexpected error" in run.message and f"simulation {run.pk}" in run.message
    assert "0xdeadbeef" not in run.message
    assert any("0xdeadbeef" in (r.exc_text or str(r.exc_info)) for r in caplog.records)
    sign_in_staff(client, author)
    page = client.get(reverse("studio:version", args=[flood_draft.pk])).content.decode()
    assert "unexpected error" in page
    assert "0xdeadbeef" not in page and "Traceback" not in page


# --- one at a time ---------------------------------------------------------------------------------
def test_a_second_press_shows_the_one_under_way_instead_of_starting_another(
    client, author, second_author, flood_draft, month
):
    sign_in_staff(client, author)
    url = reverse("studio:simulate", args=[flood_draft.pk])
    first = client.post(url, {"period": month})
    assert first.status_code == 302 and first["Location"].endswith("#simulation")
    assert flood_draft.simulations.get().status == SimulationStatus.QUEUED
    page = client.post(url, {"period": month}, follow=True).content.decode()
    assert "already under way" in page
    assert flood_draft.simulations.count() == 1
    assert AuditEvent.objects.filter(action="studio:simulation:queued").count() == 1

    live = flood_draft.simulations.get()
    run, started = services.start_simulation(actor=second_author, version=flood_draft, period=month)
    assert (run.pk, started) == (live.pk, False)


def test_a_simulation_the_worker_lost_is_replaced_on_the_next_press(
    client, author, flood_draft, month
):
    lost = _running(flood_draft, author)
    Simulation.objects.filter(pk=lost.pk).update(updated_at=timezone.now() - timedelta(hours=2))
    sign_in_staff(client, author)
    page = client.get(reverse("studio:version", args=[flood_draft.pk]))
    assert "Refresh" not in page and "it may have stopped" in page.content.decode()

    run, started = services.start_simulation(actor=author, version=flood_draft, period=month)
    assert started and run.pk != lost.pk and run.status == SimulationStatus.QUEUED
    lost.refresh_from_db()
    assert lost.status == SimulationStatus.FAILED and "worker stopped" in lost.message


def test_rules_that_do_not_load_are_refused_before_queueing(author, flood_draft, month):
    from civitas.programs.models import ProgramVersion

    ProgramVersion.objects.filter(pk=flood_draft.pk).update(rules={"programme.yaml": "name: ["})
    flood_draft.refresh_from_db()
    with pytest.raises(StudioRefused, match="do not load"):
        services.start_simulation(actor=author, version=flood_draft, period=month)
    with pytest.raises(StudioRefused, match="YYYY-MM"):
        services.start_simulation(actor=author, version=flood_draft, period="June")
    assert not Simulation.objects.exists()


def test_people_without_a_studio_role_cannot_start_one(caseworker, flood_draft, month):
    with pytest.raises(StudioRefused):
        services.start_simulation(actor=caseworker, version=flood_draft, period=month)
    assert not Simulation.objects.exists()


# --- what needs a finished simulation ------------------------------------------------------------
@pytest.mark.parametrize("status", [SimulationStatus.RUNNING, SimulationStatus.FAILED])
def test_a_consultation_needs_a_finished_simulation(client, author, flood_draft, status):
    run = _running(flood_draft, author)
    if status == SimulationStatus.FAILED:
        services._move(run, SimulationStatus.FAILED, message="stopped")
    closes = timezone.localdate() + timedelta(days=10)
    with pytest.raises(StudioRefused, match="has not finished"):
        services.open_consultation(
            actor=author, simulation=run, title="T", summary="S", closes_on=closes
        )
    sign_in_staff(client, author)
    consult = reverse("studio:consult", args=[run.pk])
    for response in (
        client.get(consult),
        client.post(consult, {"title": "T", "summary": "S", "closes_on": closes.isoformat()}),
    ):
        assert response.status_code == 302
        assert response["Location"].endswith("#simulation")
    assert client.get(reverse("studio:simulation_csv", args=[run.pk])).status_code == 404
    page = client.get(reverse("studio:version", args=[flood_draft.pk])).content.decode()
    assert consult not in page
    assert not Consultation.objects.exists()


def test_a_finished_simulation_of_an_older_revision_is_not_offered_for_consultation(
    client, populated, author, flood_draft, month, simulate_now
):
    run = simulate_now(actor=author, version=flood_draft, period=month)
    consult = reverse("studio:consult", args=[run.pk])
    sign_in_staff(client, author)
    url = reverse("studio:version", args=[flood_draft.pk])
    assert consult in client.get(url).content.decode()
    services.save_details(
        actor=author,
        version=flood_draft,
        revision=flood_draft.studio.revision,
        effective_from=flood_draft.effective_from,
        legal_basis="Flood Emergency Decree 2026, art. 3",
        language="en",
        texts=flood_draft.studio.texts["en"],
    )
    page = client.get(url).content.decode()
    assert consult not in page and "Run the simulation again before opening" in page
