"""Providers' results: which payments were paid and which failed, applied all or nothing."""

from __future__ import annotations

import csv
import hashlib
import io
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civitas.audit import services as audit
from civitas.payments.lifecycles import BatchStatus, PaymentStatus
from civitas.payments.models import Payment, PaymentBatch, ResultImport, payment_pk
from civitas.registry.problems import FileRefused, Problem

RESULT_COLUMNS = ("end_to_end_id", "status", "reason_code", "reason")
_CHUNK = 500


@dataclass
class ResultOutcome:
    record: ResultImport
    created: bool  # False: this exact file was imported before; nothing changed


def import_results(*, content: bytes, file_name: str, actor) -> ResultOutcome:
    """Apply a results file (CSV: end_to_end_id, status paid|failed, reason_code, reason).

    Every row is checked first; a file naming an unknown payment, or a result that contradicts
    what is recorded, is refused with a report by row and column, and nothing is applied.
    """
    digest = hashlib.sha256(content).hexdigest()
    previous = ResultImport.objects.filter(sha256=digest).first()
    if previous is not None:
        return ResultOutcome(previous, created=False)
    rows = _parse(content)
    problems: list[Problem] = []
    wanted: dict[int, tuple[int, str, str, str]] = {}
    for line, row in rows:
        pk = payment_pk(row.get("end_to_end_id", ""))
        status = (row.get("status") or "").strip().lower()
        code = (row.get("reason_code") or "").strip().upper()[:10]
        reason = (row.get("reason") or "").strip()[:200]
        if pk is None:
            problems.append(Problem(line, "end_to_end_id", _("not a Civitas payment identifier")))
            continue
        if pk in wanted:
            problems.append(
                Problem(
                    line,
                    "end_to_end_id",
                    _("the same payment appears on row %(row)s") % {"row": wanted[pk][0]},
                )
            )
            continue
        if status not in {PaymentStatus.PAID, PaymentStatus.FAILED}:
            problems.append(Problem(line, "status", _("must be paid or failed")))
            continue
        if status == PaymentStatus.FAILED and not (code or reason):
            problems.append(Problem(line, "reason_code", _("a failed payment needs a reason")))
            continue
        wanted[pk] = (line, status, code, reason)
    current: dict[int, tuple[str, int | None]] = {}
    ids = list(wanted)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        for pk, status, batch_id in Payment.objects.filter(pk__in=chunk).values_list(
            "pk", "status", "batch_id"
        ):
            current[pk] = (status, batch_id)
    to_paid: list[int] = []
    to_failed: dict[tuple[str, str], list[int]] = defaultdict(list)
    for pk, (line, status, code, reason) in wanted.items():
        if pk not in current:
            problems.append(Problem(line, "end_to_end_id", _("no such payment")))
            continue
        recorded, _batch = current[pk]
        if recorded == status:
            continue  # already recorded: reporting it again changes nothing
        if recorded == PaymentStatus.PENDING:
            problems.append(Problem(line, "end_to_end_id", _("this payment was never sent")))
        elif recorded == PaymentStatus.PAID:
            problems.append(Problem(line, "status", _("this payment is already recorded as paid")))
        elif recorded == PaymentStatus.FAILED:
            problems.append(
                Problem(line, "status", _("this payment is recorded as failed; wait for its retry"))
            )
        elif status == PaymentStatus.PAID:
            to_paid.append(pk)
        else:
            to_failed[(code, reason)].append(pk)
    if problems:
        raise FileRefused(problems, what=file_name)
    touched = {current[pk][1] for pk in to_paid} | {
        current[pk][1] for pks in to_failed.values() for pk in pks
    }
    now = timezone.now()
    with transaction.atomic():
        paid = _update(to_paid, "status = %s, paid_at = %s", [PaymentStatus.PAID, now])
        failed = 0
        for (code, reason), pks in to_failed.items():
            failed += _update(
                pks,
                "status = %s, failure_code = %s, failure_reason = %s",
                [PaymentStatus.FAILED, code, reason],
            )
        if paid != len(to_paid) or failed != sum(len(p) for p in to_failed.values()):
            raise RuntimeError("payments changed while the results were being applied")
        for batch in PaymentBatch.objects.select_for_update().filter(
            pk__in=[b for b in touched if b], status=BatchStatus.ISSUED
        ):
            open_left = Payment.objects.filter(batch=batch, status=PaymentStatus.SENT).exists()
            if not open_left:
                PaymentBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.RECONCILED)
        record = ResultImport.objects.create(
            sha256=digest,
            file_name=file_name[:255],
            imported_at=now,
            imported_by=audit.actor_label(actor),
            paid=paid,
            failed=failed,
        )
        audit.record(
            actor=actor,
            action="payments:results:imported",
            subject=record,
            after={"file": file_name, "sha256": digest, "paid": paid, "failed": failed},
        )
    return ResultOutcome(record, created=True)


def _parse(content: bytes) -> list[tuple[int, dict[str, str]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused([Problem(0, "", _("the file is not UTF-8 text"))]) from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in RESULT_COLUMNS[:2] if c not in header]
    if missing:
        raise FileRefused(
            [Problem(1, c, _("this column is missing from the header")) for c in missing]
        )
    reader.fieldnames = header
    rows = [(index + 2, row) for index, row in enumerate(reader)]
    if not rows:
        raise FileRefused([Problem(0, "", _("the file has no rows"))])
    return rows


def _update(pks: list[int], assignments: str, params: list) -> int:
    changed = 0
    with connection.cursor() as cursor:
        for start in range(0, len(pks), _CHUNK):
            chunk = pks[start : start + _CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(  # assignments are our own constant text, values bound
                f"UPDATE payments_payment SET {assignments} WHERE status = %s AND id IN ({marks})",  # noqa: S608
                [*params, PaymentStatus.SENT, *chunk],
            )
            changed += cursor.rowcount
    return changed
