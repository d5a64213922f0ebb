"""A payment cycle end to end: entitlements by the rules, held, approved by a finance officer,
written as ISO 20022 pain.001 (valid against the XSD) and mobile-money CSV; never paid twice."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import IntegrityError, transaction

from civitas.audit.models import AuditEvent
from civitas.audit.services import verify_chain
from civitas.casework.errors import ActionRefused
from civitas.casework.models import Enrolment, PaymentChannel
from civitas.payments import services
from civitas.payments.files import validate_pain001
from civitas.payments.lifecycles import CycleStatus, PaymentStatus
from civitas.payments.models import Entitlement, Payment, PaymentBatch, PaymentCycle
from tests.payments.conftest import PERIOD


@pytest.mark.django_db
def test_the_demo_enrols_beneficiaries_in_every_programme(beneficiaries):
    assert set(beneficiaries) == {
        "maternity-care",
        "child-benefit",
        "old-age-pension",
        "housing-allowance",
        "food-allowance",
    }
    assert all(count > 0 for count in beneficiaries.values()), beneficiaries
    from civitas.payments.demo import enrol_demo_beneficiaries
    from tests.payments.conftest import TODAY

    assert set(enrol_demo_beneficiaries(today=TODAY).values()) == {0}, "idempotent"


@pytest.mark.django_db
def test_entitlements_match_the_rules_engine(beneficiaries, child_benefit):
    from civitas.casework.eligibility import evaluate_frames
    from civitas.registry.frames import population_frames

    outcome = services.compute_cycle(program=child_benefit, period=PERIOD, actor="tester")
    cycle = outcome.cycle
    assert outcome.created and cycle.status == CycleStatus.COMPUTED
    enrolled = Enrolment.objects.filter(program=child_benefit, status="active").count()
    assert outcome.added == cycle.beneficiaries == enrolled

    persons, households = population_frames()
    expected = evaluate_frames(
        child_benefit.version_in_force(), period=PERIOD, persons=persons, households=households
    )
    by_household = {h: a for h, e, a in expected.iter_rows() if e}
    stored = {
        e.household_id: float(e.amount)
        for e in Entitlement.objects.filter(cycle=cycle, eligible=True)
    }
    assert stored == {h: by_household[h] for h in stored}
    assert float(cycle.total_amount) == pytest.approx(sum(stored.values()))
    assert not Payment.objects.exists(), "nothing is paid before a finance officer approves"


@pytest.mark.django_db
def test_a_whole_cycle_writes_valid_files_and_pays_exactly_once(
    beneficiaries, child_benefit, finance_officer, tmp_path, caseworker
):
    cycle = services.compute_cycle(program=child_benefit, period=PERIOD, actor="tester").cycle

    with pytest.raises(ActionRefused, match="finance officer"):
        services.approve_cycle(cycle=cycle, actor=caseworker)

    approval = services.approve_cycle(cycle=cycle, actor=finance_officer)
    positive = Entitlement.objects.filter(cycle=cycle, eligible=True, amount__gt=0).count()
    assert approval.payments == positive > 0
    assert Payment.objects.filter(cycle=cycle, status=PaymentStatus.PENDING).count() == positive

    with pytest.raises(ActionRefused, match="approved"):
        services.approve_cycle(cycle=cycle, actor=finance_officer)

    export = services.export_cycle(cycle=cycle, directory=tmp_path / "out", actor=finance_officer)
    assert export.issued.payments == positive
    channels = {b.channel for b in PaymentBatch.objects.filter(cycle=cycle)}
    assert channels == {PaymentChannel.BANK, PaymentChannel.MOBILE_MONEY}
    xml_files = [f for f in export.files if f.suffix == ".xml"]
    csv_files = [f for f in export.files if f.suffix == ".csv"]
    assert xml_files and csv_files
    for path in xml_files:
        assert validate_pain001(path) == [], path.read_text()[:500]
    mobile = list(csv.DictReader(csv_files[0].open()))
    assert mobile[0]["end_to_end_id"].startswith("CIV") and mobile[0]["currency"] == "CVT"
    bank_count = Payment.objects.filter(cycle=cycle, channel=PaymentChannel.BANK).count()
    assert sum(path.read_text().count("<CdtTrfTxInf>") for path in xml_files) == bank_count

    before = {path.name: path.read_bytes() for path in export.files}
    again = services.export_cycle(cycle=cycle, directory=tmp_path / "out", actor=finance_officer)
    assert again.issued.payments == 0
    assert {path.name: path.read_bytes() for path in again.files} == before, "byte-identical"

    rerun = services.compute_cycle(program=child_benefit, period=PERIOD, actor="tester")
    assert (rerun.created, rerun.added) == (False, 0)
    assert Payment.objects.filter(cycle=cycle).count() == positive

    one = Payment.objects.filter(cycle=cycle).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(
            cycle=cycle,
            entitlement=one.entitlement,
            person=one.person,
            program=one.program,
            period=one.period,
            amount=one.amount,
            channel=one.channel,
            account=one.account,
            creditor_name="twice",
            status=PaymentStatus.PENDING,
        )
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "payments:cycle:computed",
        "payments:cycle:approved",
        "payments:batches:issued",
    } <= actions
    assert verify_chain().ok


def _results(rows: list[tuple[str, str, str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["end_to_end_id", "status", "reason_code", "reason"])
    writer.writerows(rows)
    return out.getvalue().encode()


@pytest.fixture
def exported(beneficiaries, child_benefit, finance_officer, tmp_path):
    cycle = services.compute_cycle(program=child_benefit, period=PERIOD, actor="tester").cycle
    services.approve_cycle(cycle=cycle, actor=finance_officer)
    services.export_cycle(cycle=cycle, directory=tmp_path / "out", actor=finance_officer)
    return cycle


@pytest.mark.django_db
def test_results_mark_payments_paid_or_failed_and_failures_are_retried(exported, finance_officer):
    payments = list(Payment.objects.filter(cycle=exported).order_by("pk"))
    failed, paid = payments[0], payments[1:]
    content = _results(
        [(failed.end_to_end_id, "failed", "AM04", "Insufficient funds at the provider")]
        + [(p.end_to_end_id, "paid", "", "") for p in paid]
    )
    outcome = services.import_results(
        content=content, file_name="results.csv", actor=finance_officer
    )
    assert (outcome.record.paid, outcome.record.failed) == (len(paid), 1)
    failed.refresh_from_db()
    assert (failed.status, failed.failure_code, failed.attempts) == ("failed", "AM04", 1)
    first_batch = failed.batch_id

    again = services.import_results(content=content, file_name="results.csv", actor=finance_officer)
    assert again.created is False, "the same file twice changes nothing"

    retry = services.issue_batches(cycle=exported, actor=finance_officer)
    assert retry.payments == 1
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("sent", 2)
    assert failed.batch_id != first_batch
    assert Payment.objects.filter(person=failed.person, program=failed.program).count() == 1


@pytest.mark.django_db
def test_a_results_file_naming_unknown_payments_is_refused_whole(exported, finance_officer):
    from civitas.registry.problems import FileRefused

    known = Payment.objects.filter(cycle=exported).first()
    content = _results(
        [
            (known.end_to_end_id, "paid", "", ""),
            ("CIV999999999999", "paid", "", ""),
            ("SOMEONE-ELSE", "failed", "AC01", ""),
            (known.end_to_end_id, "maybe", "", ""),
        ]
    )
    with pytest.raises(FileRefused) as refused:
        services.import_results(content=content, file_name="bad.csv", actor=finance_officer)
    problems = {(p.row, p.column) for p in refused.value.problems}
    assert (3, "end_to_end_id") in problems  # unknown payment
    assert (4, "end_to_end_id") in problems  # not one of our identifiers
    assert (5, "end_to_end_id") in problems  # the same payment twice
    assert "row,column,reason" in refused.value.report_csv()
    known.refresh_from_db()
    assert known.status == PaymentStatus.SENT, "nothing applied half-way"


@pytest.mark.django_db
def test_a_bad_period_is_refused_with_the_reason(beneficiaries, child_benefit):
    with pytest.raises(ActionRefused, match="YYYY-MM"):
        services.compute_cycle(program=child_benefit, period="2026-13", actor="tester")
    assert not PaymentCycle.objects.exists()


@pytest.mark.django_db
def test_people_enrolled_after_computing_are_added_by_a_rerun(beneficiaries, child_benefit):
    first = services.compute_cycle(program=child_benefit, period=PERIOD, actor="tester")
    Entitlement.objects.filter(cycle=first.cycle).order_by("-pk")[:1].get().delete()
    rerun = services.compute_cycle(program=child_benefit, period=PERIOD, actor="tester")
    assert rerun.added == 1
    assert Entitlement.objects.filter(cycle=first.cycle).count() == first.added
