"""Statistics from operations reach the public side protected: no person-level identifier and no
small or recomputable cell, with the method recorded in the dataset's metadata."""

from __future__ import annotations

import csv
import io
import json
import random
from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow.parquet as pq
import pytest
from django.core.management import call_command

THRESHOLD = 10


@pytest.fixture
def operations(demo_country, citizen):
    """~180 applications by synthetic people: two busy programmes, a quiet one, two months."""
    from civitas.applications.models import Application
    from civitas.programs.models import Program
    from civitas.registry.models import Person

    demo_country.populate(households=70, seed=5)
    people = list(Person.objects.exclude(account__isnull=False).order_by("id")[:180])
    programmes = list(Program.objects.order_by("display_order"))
    busy, other, quiet = programmes[1], programmes[4], programmes[3]
    rng = random.Random(11)
    rows = []
    for i, person in enumerate(people):
        programme = quiet if i % 30 == 0 else (busy if i % 2 else other)
        status = rng.choices(
            ["approved", "rejected", "submitted", "under_review", "withdrawn"], [5, 3, 2, 1, 1]
        )[0]
        submitted = datetime(2026, 1 + i % 2, 1 + i % 27, 9, tzinfo=UTC)
        decided = (
            submitted + timedelta(days=rng.randint(2, 40))
            if status in {"approved", "rejected"}
            else None
        )
        rows.append(
            Application(
                reference=f"CIV-TEST-{i:05d}",
                applicant=citizen,
                person=person,
                program=programme,
                program_version=programme.version_in_force(),
                status=status,
                answers={"bank_account": f"CV99 {i:04d}"},
                idempotency_key=f"stats-{i}",
                submitted_at=submitted,
                decided_at=decided,
            )
        )
    Application.objects.bulk_create(rows)
    payments = _payments(people, busy, other, rng)
    return {"people": people, "applications": rows, "payments": payments}


def _payments(people, busy, other, rng):
    """Paid benefits for most of the people, two programmes, two months (test data, written
    directly: the payment cycle's own services are the payments capability's to test)."""
    from civitas.payments.models import Payment, PaymentCycle

    made = []
    for programme in (busy, other):
        for period in ("2026-01", "2026-02"):
            cycle = PaymentCycle.objects.create(
                program=programme,
                period=period,
                version=programme.version_in_force(),
                status="approved",
                currency="CVT",
                computed_at=datetime(2026, 3, 1, tzinfo=UTC),
                computed_by="test",
            )
            for i, person in enumerate(people):
                if (i % 2 == 1) == (programme == busy) and rng.random() < 0.8:
                    made.append(
                        Payment(
                            cycle=cycle,
                            entitlement_id=0,
                            person=person,
                            program=programme,
                            period=period,
                            amount=rng.choice([45, 60, 90, 120]),
                            channel="bank",
                            account=f"CV77 PAY {person.pk:06d}",
                            creditor_name=f"{person.given_name} {person.family_name}",
                            status="paid",
                        )
                    )
    Payment.objects.bulk_create(made)
    return made


def _public_files(folder):
    return [p for p in folder.rglob("*") if p.is_file()]


def _text_of(path) -> str:
    if path.suffix == ".parquet":
        return json.dumps(pq.read_table(path).to_pylist(), default=str)
    if path.suffix == ".duckdb":  # the datastore's native copy of a generation
        import duckdb

        with duckdb.connect(str(path), read_only=True) as copy:
            rows = copy.execute("SELECT * FROM rows").fetchall()
        return json.dumps(rows, default=str)
    return path.read_text(encoding="utf-8")


def _csv(folder, name: str) -> list[dict]:
    [path] = [p for p in _public_files(folder) if p.name == f"{name}.csv"]
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def _publish(django_capture_on_commit_callbacks, **options):
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("opendata", "publish-statistics", stdout=out, **options)
    return out.getvalue()


def test_no_identifier_or_small_cell_reaches_the_public_side(
    operations, opendata_folders, django_capture_on_commit_callbacks
):
    message = _publish(django_capture_on_commit_callbacks)
    assert "published 180 applications" in message
    published = _public_files(opendata_folders["public"])
    names = {p.name for p in published}
    for table in ("applications", "applicants", "decisions", "processing-times", "payments"):
        assert {f"{table}.csv", f"{table}.json", f"{table}.parquet"} <= names
    # nothing that points to a person, in any file on the public side or in the datastore
    secrets_ = set()
    for person in operations["people"]:
        secrets_ |= {person.national_id, f"{person.given_name} {person.family_name}"}
        secrets_.add(person.birth_date.isoformat())
    for application in operations["applications"]:
        secrets_ |= {application.reference, application.answers["bank_account"]}
    for payment in operations["payments"]:
        secrets_.add(payment.account)
    secrets_.add("amina@demo.civitas.example")
    for path in published + _public_files(opendata_folders["datastore"]):
        text = _text_of(path)
        leaked = [s for s in secrets_ if s in text]
        assert not leaked, f"{path.name} contains {leaked[:3]}"
    # no small cell: every published count is 0 or at least the threshold
    for table in ("applications", "applicants", "decisions"):
        rows = _csv(opendata_folders["public"], table)
        assert rows, table
        for row in rows:
            assert row["count"] == "" or int(row["count"]) == 0 or int(row["count"]) >= THRESHOLD, (
                row
            )
        assert any(row["count"] == "" for row in rows), f"{table}: this data must need suppression"
    payments = _csv(opendata_folders["public"], "payments")
    assert sum(1 for row in payments if row["payments"] and int(row["payments"]) >= THRESHOLD) > 3
    for row in payments:
        assert (
            row["payments"] == ""
            or int(row["payments"]) in (0,)
            or int(row["payments"]) >= THRESHOLD
        ), row
        if row["payments"] == "":
            assert row["amount"] == "", "an amount never shows where its count is hidden"


def _hidden_cube(rows: list[dict], dimensions: list[str]):
    """Rebuild a published table as the cube a reader would: figures, and which are hidden."""
    from civitas.opendata.disclosure.cube import TOTAL, Cube

    categories = [sorted({r[d] for r in rows if r[d] != TOTAL}) for d in dimensions]
    shape = tuple(len(c) + 1 for c in categories)
    counts = np.zeros(shape, dtype=np.float64)
    hidden = np.zeros(shape, dtype=bool)
    for row in rows:
        index = tuple(
            len(cats) if row[d] == TOTAL else cats.index(row[d])
            for d, cats in zip(dimensions, categories, strict=True)
        )
        if row["count"] == "":
            hidden[index] = True
        else:
            counts[index] = float(row["count"])
    return Cube("published", dimensions, categories, counts), hidden


def test_no_hidden_cell_can_be_recomputed_from_the_published_totals(
    operations, opendata_folders, django_capture_on_commit_callbacks
):
    from civitas.opendata.disclosure.protect import _exposed

    _publish(django_capture_on_commit_callbacks)
    folder = opendata_folders["public"]
    amounts, hidden_amounts = _hidden_cube(
        [{**r, "count": r["amount"]} for r in _csv(folder, "payments")],
        ["programme", "region", "month"],
    )
    assert _exposed([amounts], [hidden_amounts]) == [], "a hidden amount can be solved for"
    for table, dims in (
        ("applications", ["programme", "region", "month", "status"]),
        ("applicants", ["programme", "sex", "age_band", "status"]),
        ("decisions", ["programme", "decision_month", "outcome"]),
    ):
        cube, hidden = _hidden_cube(_csv(folder, table), dims)
        flat = hidden.reshape(-1)
        single = [line for line in cube.lines() if flat[line].sum() == 1]
        assert not single, f"{table}: a line with one hidden cell gives it away"
        assert _exposed([cube], [hidden]) == [], f"{table}: a hidden cell can be solved for"
        # and the published figures are the real ones where shown
        assert (cube.counts[~hidden] >= 0).all()


def test_method_is_recorded_and_a_rerun_publishes_nothing_new(
    operations, django_capture_on_commit_callbacks, client
):
    from civitas.opendata.models import Dataset, PublicationRun

    _publish(django_capture_on_commit_callbacks)
    dataset = Dataset.objects.get(name="benefits-statistics")
    assert dataset.disclosure_control["method"] == "suppression"
    assert dataset.disclosure_control["threshold"] == THRESHOLD
    assert "not published" in dataset.notes
    shown = client.get("/api/3/action/package_show", {"id": "benefits-statistics"}).json()["result"]
    assert shown["disclosure_control"]["threshold"] == THRESHOLD
    assert {"key": "disclosure_control", "value": dataset.disclosure_control["summary"]} in shown[
        "extras"
    ]
    assert not shown["private"] and shown["organization"]["name"] == "ministry-of-social-protection"
    versions = dataset.versions.count()
    again = _publish(django_capture_on_commit_callbacks)
    assert "nothing published" in again
    assert dataset.versions.count() == versions
    runs = PublicationRun.objects.filter(kind="statistics").order_by("started")
    assert list(runs.values_list("outcome", flat=True)) == [
        "published",
        "unchanged",
    ]


def test_rounding_method_rounds_every_figure(
    operations, opendata_folders, django_capture_on_commit_callbacks
):
    _publish(django_capture_on_commit_callbacks, method="rounding")
    for table in ("applications", "applicants", "decisions"):
        for row in _csv(opendata_folders["public"], table):
            if row["count"]:
                value = int(row["count"])
                assert value % 5 == 0, row
                assert value == 0 or value >= THRESHOLD, row
