"""`civitas rules simulate` with stored programme versions (SLUG@NUMBER, SLUG@current) as well
as folders: the Django command writes a stored version out and hands it to the engine's CLI."""

from __future__ import annotations

import json
from datetime import date

import polars as pl
import pytest

from civitas.programs.management.commands.rules import run, write_rules
from civitas.programs.models import Program, ProgramVersion

from .conftest import DEMO


def write_population(folder):
    pl.DataFrame(
        {
            "person_id": [1, 2, 3, 4, 5],
            "household_id": [1, 1, 1, 2, 2],
            "role": ["adult", "child", "child", "adult", "adult"],
            "birth": [
                date(1985, 1, 1),
                date(2015, 1, 1),
                date(2018, 1, 1),
                date(1970, 1, 1),
                date(1972, 1, 1),
            ],
            "income": [900.0, 0.0, 0.0, 700.0, 600.0],
            "sex": ["female", "male", "female", "male", "female"],
            "pregnant": [False] * 5,
        }
    ).write_parquet(folder / "persons.parquet")
    pl.DataFrame(
        {"household_id": [1, 2], "rent": [300.0, 0.0], "region": ["central", "north"]}
    ).write_parquet(folder / "households.parquet")


@pytest.fixture
def child_benefit_v2(demo_country):
    """A draft version 2 of child benefit that pays 70 instead of 55 per child from 2025."""
    program = Program.objects.get(slug="child-benefit")
    current = program.version_in_force()
    rules = dict(current.rules)
    name = "parameters/child_benefit.yaml"
    assert "value: 55" in rules[name]
    rules[name] = rules[name].replace("value: 55", "value: 70")
    return ProgramVersion.objects.create(
        program=program,
        number=current.number + 1,
        status="draft",
        effective_from=date(2026, 1, 1),
        rules=rules,
    )


def simulate(tmp_path, baseline, reform, capsys):
    report = tmp_path / "report.json"
    code = run(
        [
            "simulate",
            "--baseline",
            baseline,
            f"--reform={reform}",
            "--period",
            "2026-01",
            "--population",
            str(tmp_path),
            "--output",
            str(report),
        ]
    )
    captured = capsys.readouterr()
    return code, captured, json.loads(report.read_text()) if report.exists() else None


@pytest.mark.django_db
def test_simulate_compares_two_stored_versions(tmp_path, child_benefit_v2, capsys):
    write_population(tmp_path)
    code, captured, report = simulate(
        tmp_path, "child-benefit@current", f"child-benefit@{child_benefit_v2.number}", capsys
    )
    assert code == 0, captured.err
    # household 1: two children at 55 -> 70 each; household 2 has no children
    assert report["gainers"] == 1 and report["losers"] == 0
    assert report["baseline_total"] == 110.0 and report["reform_total"] == 140.0
    assert report["baseline"].startswith("child-benefit")
    assert "gain: 1" in captured.out


@pytest.mark.django_db
def test_a_stored_version_against_a_folder(tmp_path, child_benefit_v2, capsys):
    write_population(tmp_path)
    code, captured, report = simulate(
        tmp_path, str(DEMO / "child-benefit"), f"child-benefit@{child_benefit_v2.number}", capsys
    )
    assert code == 0, captured.err
    assert report["difference"] == 30.0


@pytest.mark.django_db
def test_unknown_versions_are_one_line_errors(tmp_path, child_benefit_v2, capsys):
    write_population(tmp_path)
    code, captured, report = simulate(tmp_path, "child-benefit@current", "child-benefit@99", capsys)
    assert code == 2 and report is None
    assert captured.err.strip() == "error: child-benefit has no version 99 (versions: 1, 2)"
    code, captured, _ = simulate(tmp_path, "no-such-programme@1", "child-benefit@1", capsys)
    assert code == 2 and "no programme 'no-such-programme'" in captured.err
    # neither a folder nor a stored version: the engine's CLI says so
    code, captured, _ = simulate(tmp_path, "child-benefit@1", "not-a-folder", capsys)
    assert code == 2 and "reform version 'not-a-folder' is not a folder" in captured.err


def test_stored_rules_cannot_write_outside_their_folder(tmp_path):
    with pytest.raises(Exception, match="unsafe file name"):
        write_rules({"../escape.yaml": "x: 1"}, tmp_path / "version")
    assert not (tmp_path / "escape.yaml").exists()
    write_rules({"variables/a.yaml": "a: {}"}, tmp_path / "version")
    assert (tmp_path / "version" / "variables" / "a.yaml").read_text() == "a: {}"
