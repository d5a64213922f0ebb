"""The audit trail is written in the same transaction as the change, and tampering is detected."""

from __future__ import annotations

import itertools

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from civitas.audit import services as audit
from civitas.audit.models import AuditEvent


def _write(n: int) -> None:
    for i in range(n):
        with transaction.atomic():
            audit.record(
                actor="tester",
                action="tests:thing:changed",
                subject=("tests.thing", str(i)),
                before={"value": i},
                after={"value": i + 1, "note": "é ✓"},
            )


@pytest.mark.django_db(transaction=True)
def test_recording_outside_a_transaction_is_refused():
    with pytest.raises(audit.AuditOutsideTransaction):
        audit.record(actor=None, action="tests:thing:changed", subject=("tests.thing", "1"))


@pytest.mark.django_db
def test_a_rolled_back_write_leaves_no_audit_event():
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record(actor=None, action="tests:thing:changed", subject=("tests.thing", "1"))
        raise RuntimeError("the write failed")
    assert AuditEvent.objects.count() == 0
    assert audit.verify_chain().ok


@pytest.mark.django_db
def test_each_event_links_to_the_previous_one():
    _write(5)
    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(events))
    result = audit.verify_chain()
    assert result.ok and result.checked == 5


@pytest.mark.django_db
def test_a_changed_event_is_named_as_the_first_broken_link():
    _write(5)
    AuditEvent.objects.filter(seq=3).update(after={"value": 999})
    result = audit.verify_chain()
    assert not result.ok
    assert result.broken_seq == 3
    with pytest.raises(CommandError, match="broken at event #3"):
        call_command("audit", "verify")


@pytest.mark.django_db
def test_a_deleted_event_is_detected():
    _write(4)
    AuditEvent.objects.filter(seq=2).delete()
    result = audit.verify_chain()
    assert (result.ok, result.broken_seq) == (False, 2)


@pytest.mark.django_db
def test_a_removed_tail_is_detected():
    _write(4)
    AuditEvent.objects.filter(seq=4).delete()
    assert not audit.verify_chain().ok


@pytest.mark.django_db
def test_verify_command_reports_an_intact_chain(capsys):
    _write(3)
    call_command("audit", "verify")
    assert "3 events verified" in capsys.readouterr().out
