"""The finance officer's pages and the command line; the managers' dashboard."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from civitas.accounts.testing import sign_in_staff
from civitas.payments.files import validate_pain001
from civitas.payments.models import Payment, PaymentBatch, PaymentCycle
from tests.payments.conftest import PERIOD


@pytest.fixture
def scoped_finance(finance_officer, beneficiaries):
    from civitas.casework.demo import grant_demo_scopes

    grant_demo_scopes()
    return finance_officer


@pytest.mark.django_db
def test_a_finance_officer_runs_a_cycle_from_the_pages(scoped_finance, child_benefit, client):
    sign_in_staff(client, scoped_finance)
    response = client.post(
        reverse("payments:cycles"), {"program": child_benefit.pk, "period": PERIOD}
    )
    cycle = PaymentCycle.objects.get()
    assert response.url == reverse("payments:cycle", args=[cycle.pk])
    page = client.get(response.url).content.decode()
    assert "Approve the payments" in page
    client.post(reverse("payments:approve", args=[cycle.pk]))
    client.post(reverse("payments:issue", args=[cycle.pk]))
    batch = PaymentBatch.objects.filter(cycle=cycle, channel="bank").first()
    download = client.get(reverse("payments:batch_file", args=[batch.pk]))
    assert download.status_code == 200
    assert b"pain.001.001.09" in b"".join(download.streaming_content)

    payment = Payment.objects.filter(cycle=cycle).first()
    bad = io.StringIO()
    writer = csv.writer(bad)
    writer.writerow(["end_to_end_id", "status", "reason_code", "reason"])
    writer.writerow([payment.end_to_end_id, "paid", "", ""])
    writer.writerow(["CIV000000000999", "paid", "", ""])
    upload = SimpleUploadedFile("results.csv", bad.getvalue().encode(), content_type="text/csv")
    refused = client.post(reverse("payments:results", args=[cycle.pk]), {"results": upload})
    html = refused.content.decode()
    assert (
        refused.status_code == 200 and "no such payment" in html and "nothing was applied" in html
    )
    payment.refresh_from_db()
    assert payment.status == "sent"


@pytest.mark.django_db
def test_other_staff_cannot_reach_payments(scoped_finance, caseworker, child_benefit, client):
    sign_in_staff(client, caseworker)
    assert client.get(reverse("payments:cycles")).status_code == 404


@pytest.mark.django_db
def test_the_command_line_runs_a_whole_cycle_and_reruns_harmlessly(beneficiaries, tmp_path, capsys):
    out = tmp_path / "batches"
    call_command(
        "payments",
        "cycle",
        "--program",
        "food-allowance",
        "--period",
        PERIOD,
        "--approve",
        "--export",
        str(out),
    )
    first = capsys.readouterr().out
    assert "entitlements computed" in first and "approved:" in first and "exported:" in first
    files = sorted(out.iterdir())
    assert any(f.suffix == ".xml" for f in files) and any(f.suffix == ".csv" for f in files)
    assert all(validate_pain001(f) == [] for f in files if f.suffix == ".xml")
    before = {f.name: f.read_bytes() for f in files}
    call_command(
        "payments",
        "cycle",
        "--program",
        "food-allowance",
        "--period",
        PERIOD,
        "--approve",
        "--export",
        str(out),
    )
    second = capsys.readouterr().out
    assert "nothing recomputed" in second and "already approved" in second
    assert {f.name: f.read_bytes() for f in sorted(out.iterdir())} == before
    with pytest.raises(CommandError, match="no such programme"):
        call_command("payments", "cycle", "--program", "nope", "--period", PERIOD)
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("payments", "cycle", "--program", "food-allowance", "--period", "2026-3")


@pytest.mark.django_db
def test_the_dashboard_draws_charts_that_read_without_javascript(
    scoped_finance, child_benefit, client, citizen, caseworker
):
    from civitas.applications import services as applications
    from civitas.casework import services as casework

    application = applications.submit_application(
        applicant=citizen,
        program=child_benefit,
        idempotency_key="dash",
        answers={
            "children_count": "2",
            "household_income": "950.00",
            "bank_account": "CV12 3456 7890",
            "declaration": "yes",
        },
    ).application
    casework.decide(application=application, approved=False, reason="no", actor=caseworker)
    sign_in_staff(client, scoped_finance)
    html = client.get(reverse("payments:dashboard")).content.decode()
    for title in (
        "Applications received by month",
        "Backlog by region",
        "Average days from application to decision",
        "Approval rate by programme",
        "Payments made by programme",
    ):
        assert title in html
    assert "<svg" in html and 'role="img"' in html and "<desc" in html
    assert "Data: Approval rate by programme" in html and "0%" in html
    assert "<script>" not in html and "style=" not in html
