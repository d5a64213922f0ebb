"""Bulk import from CSV or Parquet: all or nothing, a report by row and column, source
identifiers kept, duplicates refused (same national ID) or flagged (similar name, same birth)."""

from __future__ import annotations

import csv
import io

import polars as pl
import pytest
from django.core.management import CommandError, call_command

from civitas.audit.models import AuditEvent
from civitas.registry.models import (
    DuplicateFlag,
    Household,
    HouseholdIdentifier,
    Membership,
    Person,
    PersonIdentifier,
)
from civitas.registry.national_id import make_national_id
from civitas.registry.problems import FileRefused
from civitas.registry.services import import_content

COLUMNS = [
    "household_ref",
    "person_ref",
    "national_id",
    "given_name",
    "family_name",
    "birth_date",
    "sex",
    "role",
    "region",
    "address",
    "monthly_rent",
    "monthly_income",
    "pregnant",
]


def rows() -> list[dict]:
    return [
        {
            "household_ref": "CEN-1",
            "person_ref": "P-1",
            "national_id": make_national_id(300_000_001),
            "given_name": "Nadia",
            "family_name": "Okafor",
            "birth_date": "1985-02-03",
            "sex": "female",
            "role": "adult",
            "region": "north",
            "address": "4 Mill Road",
            "monthly_rent": "300",
            "monthly_income": "820.50",
            "pregnant": "no",
        },
        {
            "household_ref": "CEN-1",
            "person_ref": "P-2",
            "national_id": make_national_id(300_000_002),
            "given_name": "Tomas",
            "family_name": "Okafor",
            "birth_date": "2016-09-30",
            "sex": "male",
            "role": "child",
            "region": "north",
            "address": "4 Mill Road",
            "monthly_rent": "300",
            "monthly_income": "",
            "pregnant": "",
        },
        {
            "household_ref": "CEN-2",
            "person_ref": "P-3",
            "national_id": make_national_id(300_000_003),
            "given_name": "Rosa",
            "family_name": "Costa",
            "birth_date": "1950-12-12",
            "sex": "female",
            "role": "adult",
            "region": "east",
            "address": "9 Olive Grove",
            "monthly_rent": "0",
            "monthly_income": "120",
            "pregnant": "no",
        },
    ]


def as_csv(data: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(data)
    return out.getvalue().encode()


@pytest.mark.django_db
def test_a_clean_file_is_imported_with_its_identifiers(demo_country):
    outcome = import_content(
        content=as_csv(rows()), file_name="census.csv", source="census-2025", actor="tests"
    )
    assert (outcome.created, outcome.batch.households, outcome.batch.persons) == (True, 2, 3)
    nadia = Person.objects.get(given_name="Nadia")
    assert PersonIdentifier.objects.get(person=nadia).value == "P-1"
    household = Membership.objects.get(person=nadia).household
    assert (household.region.code, household.monthly_rent) == ("north", 300)
    assert HouseholdIdentifier.objects.get(household=household).scheme == "census-2025"
    assert AuditEvent.objects.filter(action="registry:import:done").count() == 1

    again = import_content(
        content=as_csv(rows()), file_name="census.csv", source="census-2025", actor="tests"
    )
    assert again.created is False, "the same file twice changes nothing"
    assert Person.objects.filter(given_name="Nadia").count() == 1


@pytest.mark.django_db
def test_parquet_is_read_as_well(demo_country):
    buffer = io.BytesIO()
    pl.DataFrame(rows()).write_parquet(buffer)
    outcome = import_content(
        content=buffer.getvalue(), file_name="census.parquet", source="census-2025", actor="tests"
    )
    assert outcome.batch.persons == 3


@pytest.mark.django_db
def test_bad_rows_refuse_the_whole_file_with_a_report(demo_country):
    data = rows()
    data[0]["national_id"] = "1234567890"  # wrong check digit
    data[1]["birth_date"] = "30/09/2016"
    data[1]["address"] = "5 Mill Road"  # differs from the household's first row
    data[2]["region"] = "atlantis"
    data[2]["sex"] = "unknown"
    data.append(dict(data[2], person_ref="P-3"))  # the same source id twice
    with pytest.raises(FileRefused) as refused:
        import_content(content=as_csv(data), file_name="bad.csv", source="census", actor="tests")
    found = {(p.row, p.column) for p in refused.value.problems}
    assert {
        (2, "national_id"),
        (3, "birth_date"),
        (3, "address"),
        (4, "region"),
        (4, "sex"),
        (5, "person_ref"),
    } <= found
    assert refused.value.report_csv().startswith("row,column,reason")
    assert not Person.objects.filter(given_name__in=["Nadia", "Tomas", "Rosa"]).exists()
    assert not Household.objects.filter(reference__startswith="I").exists()


@pytest.mark.django_db
def test_a_missing_column_or_an_unreadable_file_is_explained(demo_country):
    with pytest.raises(FileRefused) as refused:
        import_content(
            content=b"household_ref,name\n1,x\n", file_name="x.csv", source="s", actor="t"
        )
    assert (1, "national_id") in {(p.row, p.column) for p in refused.value.problems}
    with pytest.raises(FileRefused, match="problem"):
        import_content(content=b"\x00\x01garbage", file_name="x.parquet", source="s", actor="t")


@pytest.mark.django_db
def test_someone_already_registered_is_a_duplicate_by_national_id(demo_country):
    import_content(content=as_csv(rows()[:1]), file_name="a.csv", source="census", actor="t")
    later = rows()[:1]
    later[0]["person_ref"] = "OTHER-1"
    later[0]["household_ref"] = "OTHER-H"
    with pytest.raises(FileRefused) as refused:
        import_content(content=as_csv(later), file_name="b.csv", source="other", actor="t")
    assert [(p.row, p.column) for p in refused.value.problems] == [(2, "national_id")]
    assert "already in the registry" in refused.value.problems[0].reason


@pytest.mark.django_db
def test_a_similar_name_with_the_same_birth_date_is_flagged(demo_country):
    import_content(content=as_csv(rows()), file_name="a.csv", source="census", actor="t")
    twin = [
        {
            **rows()[0],
            "household_ref": "X-1",
            "person_ref": "X-1",
            "national_id": make_national_id(300_000_099),
            "given_name": "Nadya",
        }
    ]
    outcome = import_content(content=as_csv(twin), file_name="b.csv", source="census", actor="t")
    assert outcome.flagged == 1
    flag = DuplicateFlag.objects.get()
    assert {flag.person.given_name, flag.other.given_name} == {"Nadia", "Nadya"}
    assert flag.rule == "name_birth" and flag.score >= 0.9


@pytest.mark.django_db
def test_the_command_line_reports_by_row_and_column(demo_country, tmp_path, capsys):
    good = tmp_path / "people.csv"
    good.write_bytes(as_csv(rows()))
    call_command("registry", "import", str(good), "--source", "census")
    assert "imported 2 households and 3 persons" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    data = rows()
    data[0]["birth_date"] = "yesterday"
    bad.write_bytes(as_csv(data))
    report = tmp_path / "report.csv"
    with pytest.raises(CommandError, match="refused, nothing imported"):
        call_command("registry", "import", str(bad), "--source", "census2", "--report", str(report))
    assert "2,birth_date" in report.read_text()
