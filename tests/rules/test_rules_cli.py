"""`civitas rules ...`: the four commands, and one-line errors with exit code 2."""

from __future__ import annotations

import io
import json
from datetime import date

import polars as pl
import pytest

from civitas.rules.cli import main

from .conftest import DEMO, TEMPLATE


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def write_population(folder, fmt="csv"):
    persons = pl.DataFrame(
        {
            "person_id": [1, 2, 3],
            "household_id": [7, 7, 8],
            "role": ["adult", "child", "adult"],
            "birth": [date(1980, 1, 1), date(2014, 1, 1), date(1950, 6, 1)],
            "salary": [1000.0, 0.0, 0.0],
            "capital_returns": [0.0, 0.0, 50.0],
        }
    )
    households = pl.DataFrame(
        {
            "household_id": [7, 8],
            "rent": [500.0, 0.0],
            "accommodation_size": [60.0, 30.0],
            "housing_occupancy_status": ["tenant", "owner"],
            "postal_code": ["75001", "69002"],
        }
    )
    if fmt == "csv":
        persons.write_csv(folder / "persons.csv")
        households.write_csv(folder / "households.csv")
    else:
        persons.write_parquet(folder / "persons.parquet")
        households.write_parquet(folder / "households.parquet")


def test_evaluate_reads_csv_and_writes_parquet(tmp_path):
    write_population(tmp_path)
    code, _out, err = run(
        "rules",
        "evaluate",
        "--program",
        str(TEMPLATE),
        "--period",
        "2017-01",
        "--persons",
        str(tmp_path / "persons.csv"),
        "--households",
        str(tmp_path / "households.csv"),
        "--variables",
        "income_tax,disposable_income,housing_tax",
        "--output",
        str(tmp_path / "out"),
    )
    assert (code, err) == (0, "")
    persons = pl.read_parquet(tmp_path / "out" / "persons.parquet")
    households = pl.read_parquet(tmp_path / "out" / "households.parquet")
    assert persons.columns == ["person_id", "income_tax"]
    # the third person is of retirement age: the template's pension of 1 is taxed too
    assert persons["income_tax"].to_list() == pytest.approx([150.0, 0.0, (50 + 1) * 0.15])
    assert households.columns == ["household_id", "disposable_income", "housing_tax"]
    assert households["housing_tax"].to_list() == [600.0, 300.0]


def test_explain_prints_values_and_the_explanation(tmp_path):
    situation = {
        "persons": {"amy": {"birth": "1995-01-01", "sex": "female", "pregnant": {"2025-03": True}}},
        "households": {"h": {"adults": ["amy"]}},
    }
    (tmp_path / "s.json").write_text(json.dumps(situation))
    code, out, err = run(
        "explain",
        "--program",
        str(DEMO / "maternity-care"),
        "--period",
        "2025-03",
        "--situation",
        str(tmp_path / "s.json"),
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["values"] == {"eligible": {"h": True}, "amount": {"h": 90.0}}
    assert data["explanation"][0]["kind"] == "condition"


def test_simulate_compares_two_versions(tmp_path):
    write_population(tmp_path, fmt="parquet")
    reform = tmp_path / "reform"
    for path in TEMPLATE.rglob("*.yaml"):
        target = reform / path.relative_to(TEMPLATE)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(path.read_text().replace("value: 600.0\n", "value: 700.0\n"))
    code, out, err = run(
        "simulate",
        "--program",
        str(TEMPLATE),
        "--reform",
        str(reform),
        "--period",
        "2017-01",
        "--population",
        str(tmp_path),
        "--variable",
        "total_benefits",
        "--income",
        "salary",
        "--region",
        "postal_code",
        "--output",
        str(tmp_path / "r.json"),
    )
    assert code == 0, err
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["gainers"] == 2 and report["difference"] == 200.0
    assert "gain: 2" in out


def test_test_command_reports_passes_and_failures(tmp_path):
    code, out, _ = run("test", str(DEMO / "food-allowance"))
    assert code == 0 and out.strip() == "3 passed, 0 failed"
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "- name: wrong\n  period: 2025-01\n  input: {income: 0}\n  output: {amount: 1}\n"
    )
    # a test file outside a programme folder is run against the programme above it
    programme = tmp_path / "prog"
    for path in (DEMO / "food-allowance").rglob("*.yaml"):
        target = programme / path.relative_to(DEMO / "food-allowance")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(path.read_text())
    (programme / "tests" / "bad.yaml").write_text(bad.read_text())
    code, out, _ = run("test", str(programme / "tests" / "bad.yaml"))
    assert code == 1
    assert "FAIL" in out and "amount@2025-01" in out and "0 passed, 1 failed" in out


def test_test_command_finds_every_programme_below_a_folder(tmp_path):
    code, out, _ = run("test", str(DEMO))
    assert code == 0 and out.strip() == "22 passed, 0 failed"
    code, _out, err = run("test", str(tmp_path))
    assert code == 2 and "no programme.yaml in this folder or below" in err


def test_errors_are_one_line_with_exit_code_2(tmp_path):
    write_population(tmp_path)
    persons = pl.read_csv(tmp_path / "persons.csv").drop("salary")
    persons.write_csv(tmp_path / "persons.csv")
    cases = [
        (
            "evaluate",
            "--program",
            str(tmp_path / "nope"),
            "--period",
            "2017-01",
            "--persons",
            "a.csv",
            "--households",
            "b.csv",
            "--output",
            "o",
        ),
        (
            "evaluate",
            "--program",
            str(TEMPLATE),
            "--period",
            "2017-01",
            "--persons",
            str(tmp_path / "persons.csv"),
            "--households",
            str(tmp_path / "households.csv"),
            "--output",
            str(tmp_path / "o"),
        ),
        (
            "evaluate",
            "--program",
            str(TEMPLATE),
            "--period",
            "2017-13",
            "--persons",
            str(tmp_path / "persons.csv"),
            "--households",
            str(tmp_path / "households.csv"),
            "--output",
            str(tmp_path / "o"),
        ),
        (
            "explain",
            "--program",
            str(TEMPLATE),
            "--period",
            "2017-01",
            "--situation",
            str(tmp_path / "persons.csv"),
        ),
        ("frobnicate",),
        ("evaluate", "--program", str(TEMPLATE)),
    ]
    expected = [
        "not a programme folder",
        "missing input column: salary (persons)",
        "has month 13",
        "not valid JSON",
        "invalid choice",
        "required",
    ]
    for argv, needle in zip(cases, expected, strict=True):
        code, _out, err = run(*argv)
        assert code == 2, argv
        assert err.count("\n") == 1 and needle in err, err
        assert "Traceback" not in err
