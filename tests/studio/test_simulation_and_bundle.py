"""Simulation over the registry, and programmes as folders (export, import, ``rules test``)."""

from __future__ import annotations

import json
from datetime import date

import polars as pl
from django.core.management import call_command
from django.urls import reverse

from civitas import rules
from civitas.accounts.testing import sign_in_staff
from civitas.audit.models import AuditEvent
from civitas.programs.models import Program, VersionStatus
from civitas.studio import services, simulation
from civitas.studio.emergency import flat_payment


def test_compare_counts_gainers_and_cost_by_region_against_no_programme():
    programme = rules.load_from_mapping(
        flat_payment(
            slug="x", label="X", start=date(2030, 1, 1), end=date(2030, 3, 31), reference="r"
        )
    )
    persons = pl.DataFrame(
        {
            "person_id": [1, 2, 3],
            "household_id": [1, 1, 2],
            "role": ["adult", "child", "adult"],
            "birth": [date(1980, 1, 1), date(2020, 1, 1), date(1970, 1, 1)],
            "sex": ["female", "male", "male"],
            "income": [300.0, 0.0, 200.0],
            "pregnant": [False, False, False],
        }
    )
    households = pl.DataFrame(
        {"household_id": [1, 2], "rent": [0.0, 0.0], "region": ["north", "capital"]}
    )
    report = simulation.compare(
        simulation.nothing(), programme, "2030-02", *simulation.prepare(persons, households)
    )
    assert (report["gainers"], report["losers"], report["unchanged"]) == (1, 0, 1)
    assert report["reform_total"] == 140.0
    regions = {g["group"]: g["difference"] for g in report["by_region"]}
    assert regions == {"central": 0.0, "north": 140.0}


def test_a_simulation_over_the_registry_is_kept_with_a_chart_and_a_csv(
    client, demo_country, author, flood_draft, simulate_now
):
    demo_country.populate(households=40, seed=3)
    run = simulate_now(
        actor=author, version=flood_draft, period=flood_draft.effective_from.strftime("%Y-%m")
    )
    assert run.status == "done", run.message
    assert run.baseline == simulation.NO_PROGRAMME and run.households >= 40
    assert run.report["reform_total"] > 0 and run.report["losers"] == 0
    assert AuditEvent.objects.filter(action="studio:simulation:done").exists()
    sign_in_staff(client, author)
    page = client.get(reverse("studio:version", args=[flood_draft.pk])).content.decode()
    assert "<svg" in page and "By income decile" in page
    csv = client.get(reverse("studio:simulation_csv", args=[run.pk]))
    lines = csv.content.decode().splitlines()
    assert lines[0].startswith("view,group,households") and len(lines) == 1 + 10 + len(
        run.report["by_region"]
    )


def test_export_then_import_under_a_new_name_and_run_the_exported_tests(
    tmp_path, demo_country, capsys
):
    target = tmp_path / "child-benefit"
    call_command("programmes", "export", "child-benefit", str(target))
    meta = json.loads((target / "programme.json").read_text())
    assert meta["slug"] == "child-benefit" and (target / "rules" / "programme.yaml").is_file()
    outcomes = rules.run_path(target)
    assert outcomes and all(o.passed for o in outcomes)
    call_command("programmes", "import", str(target), "--as", "child-benefit-copy")
    copy = Program.objects.get(slug="child-benefit-copy")
    [draft] = copy.versions.all()
    assert draft.status == VersionStatus.DRAFT and not copy.is_published
    assert draft.rules == Program.objects.get(slug="child-benefit").version_in_force().rules


def test_an_import_whose_rules_do_not_load_changes_nothing(tmp_path, demo_country):
    import pytest
    from django.core.management.base import CommandError

    target = tmp_path / "broken"
    call_command("programmes", "export", "child-benefit", str(target))
    (target / "rules" / "variables" / "child_benefit.yaml").write_text("amount: [\n")
    before = Program.objects.count()
    with pytest.raises(CommandError, match=r"child_benefit\.yaml"):
        call_command("programmes", "import", str(target), "--as", "broken-copy")
    assert Program.objects.count() == before


def test_activate_due_command_puts_a_scheduled_version_in_force_on_its_date(
    flood_draft, author, approver, start, capsys
):
    services.submit_for_review(actor=author, version=flood_draft)
    assert services.approve(actor=approver, version=flood_draft) == VersionStatus.SCHEDULED
    call_command("studio", "activate-due", "--date", start.isoformat())
    assert "flood-relief v1: in force" in capsys.readouterr().out
    assert Program.objects.get(slug="flood-relief").version_in_force().pk == flood_draft.pk
