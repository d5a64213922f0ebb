"""Bank details are encrypted at rest (in the enrolment, in the payment) and only appear in clear
in the files given to the providers; an approval that would pay someone twice is refused whole,
with who and why; every payment can name the rules it was computed with."""

from __future__ import annotations

import csv
import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse

from civitas.accounts.testing import sign_in_staff
from civitas.audit.models import AuditEvent
from civitas.casework.errors import ActionRefused
from civitas.casework.lifecycles import EnrolmentStatus
from civitas.casework.models import Enrolment
from civitas.payments import services
from civitas.payments.lifecycles import CycleStatus, PaymentStatus
from civitas.payments.models import Entitlement, Payment, PaymentCycle
from tests.payments.conftest import PERIOD


def _raw(table: str) -> list[tuple[int, str]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, account FROM {table} ORDER BY id")  # noqa: S608 - our tables
        return cursor.fetchall()


@pytest.mark.django_db
def test_accounts_are_stored_encrypted_and_written_in_clear_only_to_the_files(
    beneficiaries, child_benefit, finance_officer, tmp_path
):
    cycle = services.compute_cycle(program=child_benefit, period=PERIOD, actor="tester").cycle
    services.approve_cycle(cycle=cycle, actor=finance_officer)
    export = services.export_cycle(cycle=cycle, directory=tmp_path / "out", actor=finance_officer)

    clear = dict(Enrolment.objects.values_list("pk", "account"))
    assert all(a.startswith(("CV", "+238")) for a in clear.values()), "the ORM reads plaintext"
    for table in ("casework_enrolment", "payments_payment"):
        rows = _raw(table)
        assert rows, table
        for _pk, stored in rows:
            assert stored.startswith("enc1:"), (table, stored)
            assert not any(plain in stored for plain in clear.values()), (table, stored)

    payments = {p.end_to_end_id: p.account for p in Payment.objects.filter(cycle=cycle)}
    written = {}
    for path in export.files:
        text = path.read_text()
        assert "enc1:" not in text, path.name
        if path.suffix == ".csv":
            written.update((r["end_to_end_id"], r["msisdn"]) for r in csv.DictReader(path.open()))
        else:
            for block in text.split("<CdtTrfTxInf>")[1:]:
                e2e = block.split("<EndToEndId>")[1].split("<")[0]
                written[e2e] = block.split("<IBAN>")[1].split("<")[0]
    assert written == payments, "every file line carries its payment's decrypted account"


@pytest.mark.django_db
def test_the_migration_encrypts_accounts_stored_in_clear(beneficiaries):
    """Rows written before the fields were encrypted: the data migrations encrypt them in place,
    and running them again changes nothing."""
    enrolment = Enrolment.objects.order_by("pk").first()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE casework_enrolment SET account = %s WHERE id = %s",
            ["CV99000000000000000000042", enrolment.pk],
        )
    step = importlib.import_module(
        "civitas.casework.migrations.0002_decision_version_encrypted_account"
    ).Migration.operations[-1]
    editor = SimpleNamespace(connection=connection)  # the step only uses the connection
    step.code(apps, editor)
    stored = dict(_raw("casework_enrolment"))[enrolment.pk]
    assert stored.startswith("enc1:") and "CV99" not in stored
    enrolment.refresh_from_db()
    assert enrolment.account == "CV99000000000000000000042"
    before = _raw("casework_enrolment")
    step.code(apps, editor)
    assert _raw("casework_enrolment") == before, "a re-run leaves encrypted values alone"


def _positive(cycle) -> Entitlement:
    return Entitlement.objects.filter(cycle=cycle, eligible=True, amount__gt=0).order_by("pk")[0]


@pytest.mark.django_db
def test_an_approval_that_would_pay_someone_twice_is_refused_whole(
    beneficiaries, child_benefit, finance_officer
):
    cycle = services.compute_cycle(program=child_benefit, period=PERIOD, actor="tester").cycle
    # something other than this cycle's approval has already paid one of its beneficiaries
    entitled = _positive(cycle)
    Payment.objects.create(
        cycle=cycle,
        entitlement=entitled,
        person_id=entitled.person_id,
        program=child_benefit,
        period=PERIOD,
        amount=entitled.amount,
        channel="bank",
        account="CV1234567890",
        creditor_name="paid elsewhere",
        status=PaymentStatus.SENT,
    )
    with pytest.raises(ActionRefused) as refused:
        services.approve_cycle(cycle=cycle, actor=finance_officer)
    message = str(refused.value)
    assert "Nothing was approved" in message and "paid twice" in message
    assert "already paid" in message and str(entitled.person_id) in message
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.COMPUTED
    assert Payment.objects.filter(cycle=cycle).count() == 1, "nothing written half-way"
    assert not AuditEvent.objects.filter(action="payments:cycle:approved").exists()


@pytest.mark.django_db
def test_the_approve_page_explains_a_refusal_instead_of_failing(
    beneficiaries, child_benefit, finance_officer, client
):
    from civitas.casework.demo import grant_demo_scopes

    grant_demo_scopes()
    cycle = services.compute_cycle(program=child_benefit, period=PERIOD, actor="tester").cycle
    entitled = _positive(cycle)
    Payment.objects.create(
        cycle=cycle,
        entitlement=entitled,
        person_id=entitled.person_id,
        program=child_benefit,
        period=PERIOD,
        amount=entitled.amount,
        channel="bank",
        account="CV1234567890",
        creditor_name="paid elsewhere",
        status=PaymentStatus.SENT,
    )
    sign_in_staff(client, finance_officer)
    response = client.post(reverse("payments:approve", args=[cycle.pk]))
    assert response.status_code == 200
    assert "would be paid twice" in response.content.decode()
    assert PaymentCycle.objects.get(pk=cycle.pk).status == CycleStatus.COMPUTED


@pytest.mark.django_db
def test_someone_enrolled_again_before_a_rerun_is_entitled_once(
    beneficiaries, child_benefit, finance_officer
):
    from civitas.casework.services.enrolment import change_enrolment, enrol

    first = services.compute_cycle(program=child_benefit, period=PERIOD, actor="tester")
    entitled = _positive(first.cycle)
    old = Enrolment.objects.get(pk=entitled.enrolment_id)
    change_enrolment(enrolment=old, target=EnrolmentStatus.ENDED, actor="tester", reason="moved")
    enrol(
        person=old.person,
        household=old.household,
        program=child_benefit,
        source="demo",
        account="CV5500000000000000000001",
        actor="tester",
    )
    rerun = services.compute_cycle(program=child_benefit, period=PERIOD, actor="tester")
    assert rerun.added == 0
    approval = services.approve_cycle(cycle=first.cycle, actor=finance_officer)
    assert approval.payments > 0
    assert Payment.objects.filter(person_id=old.person_id, program=child_benefit).count() == 1


@pytest.mark.django_db
def test_every_payment_names_the_rules_it_was_computed_with(
    beneficiaries, child_benefit, finance_officer
):
    version = child_benefit.version_in_force()
    cycle = services.compute_cycle(program=child_benefit, period=PERIOD, actor="tester").cycle
    services.approve_cycle(cycle=cycle, actor=finance_officer)
    assert cycle.version == version
    versions = set(Payment.objects.values_list("cycle__version", flat=True))
    assert versions == {version.pk}
    computed = AuditEvent.objects.get(action="payments:cycle:computed")
    assert computed.after["version"] == version.number


@pytest.mark.django_db
def test_completing_a_cycle_keeps_the_rules_it_was_computed_with(beneficiaries, child_benefit):
    from civitas.programs.models import ProgramVersion, VersionStatus

    first = services.compute_cycle(program=child_benefit, period=PERIOD, actor="tester")
    old = first.cycle.version
    Entitlement.objects.filter(cycle=first.cycle).order_by("-pk")[:1].get().delete()
    newer = ProgramVersion.objects.create(
        program=child_benefit,
        number=old.number + 1,
        status=VersionStatus.IN_FORCE,
        effective_from=old.effective_from,
        rules=old.rules,
        form=old.form,
        legal_basis=old.legal_basis,
    )
    assert child_benefit.version_in_force() == newer
    rerun = services.compute_cycle(program=child_benefit, period=PERIOD, actor="tester")
    assert rerun.added == 1 and rerun.cycle.version == old
    events = AuditEvent.objects.filter(action="payments:cycle:computed").order_by("pk")
    assert [e.after["version"] for e in events] == [old.number, old.number]
