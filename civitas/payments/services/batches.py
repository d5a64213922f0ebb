"""Payment batches: approved payments (and failures due a retry) into files for the providers.

Issuing a batch is one transaction: the batch rows are created and their payments marked as sent.
The files are written after commit into private storage, kept there (they are what the bank was
given), and copied to an export folder on request. Re-running an export issues nothing new and
copies the same bytes again.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import polars as pl
from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civitas.audit import services as audit
from civitas.casework.errors import ActionRefused
from civitas.casework.models import PaymentChannel
from civitas.casework.models.enrolment import ACCOUNT_CONTEXT
from civitas.payments.files import (
    LINE_SCHEMA,
    Checkers,
    Debtor,
    check_file,
    write_mobile_csv,
    write_pain001,
)
from civitas.payments.lifecycles import BatchStatus, CycleStatus, PaymentStatus
from civitas.payments.models import Payment, PaymentBatch, PaymentCycle
from civitas.registry.bulk import read_frame
from civitas.security.bulk import decrypt_series

# ISO 20022 reasons that a new attempt cannot cure (the account is wrong, closed or blocked, or
# the beneficiary has died): these wait for new account details instead of being retried.
NOT_RETRYABLE = ("AC01", "AC04", "AC06", "AC13", "AG01", "BE01", "MD07", "RR01")

_CANDIDATES = (
    "SELECT id, CAST(amount AS REAL) FROM payments_payment WHERE channel = %s AND ("
    "(cycle_id = %s AND status = %s) OR "
    "(program_id = %s AND status = %s AND attempts < %s AND failure_code NOT IN ({codes}))"
    ") ORDER BY id"
)


def _candidate_sql(cycle: PaymentCycle, channel: str, *, between: bool) -> tuple[str, list]:
    codes = ", ".join(["%s"] * len(NOT_RETRYABLE))
    sql = _CANDIDATES.format(codes=codes)
    params = [
        channel,
        cycle.pk,
        PaymentStatus.PENDING,
        cycle.program_id,
        PaymentStatus.FAILED,
        settings.CIVITAS_PAYMENTS_MAX_ATTEMPTS,
        *NOT_RETRYABLE,
    ]
    if between:
        sql = sql.replace(" ORDER BY id", " AND id BETWEEN %s AND %s")
    return sql, params


@dataclass
class IssueOutcome:
    batches: list[PaymentBatch]
    payments: int


def issue_batches(*, cycle: PaymentCycle, actor, batch_size: int | None = None) -> IssueOutcome:
    """Put every payment waiting for a batch (this cycle's new ones, and the programme's failures
    that may be retried) into new batches, then write their files."""
    size = batch_size or settings.CIVITAS_PAYMENTS_BATCH_SIZE
    # Read what waits before taking the write lock (fast, outside the transaction); each update
    # below checks it touched exactly those rows, so a change in between rolls everything back.
    waiting = {}
    for channel in (PaymentChannel.BANK, PaymentChannel.MOBILE_MONEY):
        sql, params = _candidate_sql(cycle, channel, between=False)
        waiting[channel] = read_frame(sql, params, {"id": pl.Int64, "amount": pl.Float64})
    with transaction.atomic():
        locked = PaymentCycle.objects.select_for_update().get(pk=cycle.pk)
        if locked.status != CycleStatus.APPROVED:
            raise ActionRefused(_("Batches can only be issued for an approved cycle."))
        now = timezone.now()
        issued: list[PaymentBatch] = []
        total_payments = 0
        for channel in (PaymentChannel.BANK, PaymentChannel.MOBILE_MONEY):
            candidates = waiting[channel]
            if candidates.height == 0:
                continue
            number = (
                PaymentBatch.objects.filter(cycle=locked, channel=channel)
                .order_by("-number")
                .values_list("number", flat=True)
                .first()
                or 0
            )
            for start in range(0, candidates.height, size):
                part = candidates.slice(start, size)
                number += 1
                letter = "B" if channel == PaymentChannel.BANK else "M"
                message_id = f"CIV{locked.pk}-{locked.period}-{letter}{number}"
                batch = PaymentBatch.objects.create(
                    cycle=locked,
                    channel=channel,
                    number=number,
                    message_id=message_id,
                    status=BatchStatus.ISSUED,
                    created_at=now,
                    created_by=audit.actor_label(actor),
                    payments=part.height,
                    total=Decimal(str(round(float(part["amount"].sum()), 2))),
                    file_name=f"{message_id}.{'xml' if channel == PaymentChannel.BANK else 'csv'}",
                )
                lo, hi = int(part["id"][0]), int(part["id"][-1])
                update, update_params = _candidate_sql(locked, channel, between=True)
                update = update.split(" WHERE ", 1)[1]
                with connection.cursor() as cursor:
                    cursor.execute(  # the condition is our own constant text, values bound
                        "UPDATE payments_payment SET status = %s, batch_id = %s, "  # noqa: S608
                        f"attempts = attempts + 1 WHERE {update}",
                        [PaymentStatus.SENT, batch.pk, *update_params, lo, hi],
                    )
                    if cursor.rowcount != part.height:  # someone issued or changed them meanwhile
                        raise ActionRefused(
                            _("The payments changed while the batch was being made; try again.")
                        )
                issued.append(batch)
                total_payments += part.height
        if issued:
            audit.record(
                actor=actor,
                action="payments:batches:issued",
                subject=locked,
                after={
                    "batches": [b.message_id for b in issued],
                    "payments": total_payments,
                    "total": sum((b.total for b in issued), Decimal("0")),
                },
            )
    write_batch_files(issued, actor=actor)
    return IssueOutcome(issued, total_payments)


def storage_name(batch: PaymentBatch) -> str:
    return f"payments/{batch.cycle.program.slug}/{batch.cycle.period}/{batch.file_name}"


def _lines(batches: list[PaymentBatch]) -> dict[int, pl.DataFrame]:
    """Every payment line of ``batches``, read in one pass and split by batch."""
    if not batches:
        return {}
    marks = ", ".join(["%s"] * len(batches))
    frame = read_frame(
        "SELECT batch_id, id, attempts, CAST(ROUND(amount * 100) AS INTEGER), account, "  # noqa: S608
        f"creditor_name FROM payments_payment WHERE batch_id IN ({marks}) ORDER BY batch_id, id",
        [b.pk for b in batches],
        {"batch_id": pl.Int64, **LINE_SCHEMA},
    )
    # accounts are encrypted at rest: decrypted here, in one pass, only to be written to the file
    frame = frame.with_columns(decrypt_series(frame["account"], context=ACCOUNT_CONTEXT))
    return {
        key[0]: part.drop("batch_id")
        for key, part in frame.partition_by("batch_id", as_dict=True, maintain_order=True).items()
    }


POOL_FROM = 100_000  # payments to write before checking files in worker processes pays off


def write_batch_files(batches: list[PaymentBatch], *, actor, validate: bool = True) -> list[str]:
    """Write each batch's file into private storage (those not yet written), checking bank files
    against the pain.001 XSD. For big runs the checks go to two worker processes (lxml holds the
    Python lock while it validates) while this process writes the next files."""
    names: list[str] = [""] * len(batches)
    fresh = PaymentBatch.objects.select_related("cycle__program").in_bulk([b.pk for b in batches])
    batches = [fresh[b.pk] for b in batches]  # current rows, in the caller's order
    todo = [b for b in batches if not b.sha256]
    lines = _lines(todo)
    big = sum(b.payments for b in todo) >= POOL_FROM
    pool = Checkers(workers=2) if big else None
    try:
        checks: list[tuple] = []
        for index, batch in enumerate(batches):
            prepared = _render(batch, lines.pop(batch.pk, None))
            if isinstance(prepared, str):
                names[index] = prepared
                continue
            work = (prepared[0].channel == PaymentChannel.BANK and validate, prepared[1])
            checks.append((index, pool.submit(*work) if pool else check_file(*work), prepared))
        for index, outcome, (batch, temp) in checks:
            problems, digest = pool.result(outcome) if pool else outcome
            names[index] = _store(batch, temp, problems, digest, actor=actor)
    finally:
        if pool is not None:
            pool.close()
    return names


def write_batch_file(*, batch: PaymentBatch, actor, validate: bool = True) -> str:
    """Write one batch's file into private storage (if not already written); its storage name."""
    return write_batch_files([batch], actor=actor, validate=validate)[0]


def _render(batch: PaymentBatch, lines: pl.DataFrame | None) -> str | tuple[PaymentBatch, Path]:
    """The storage name of a file already written, or the batch and its new file in a temporary
    place."""
    name = storage_name(batch)
    storage = storages["default"]
    if batch.sha256:
        if not storage.exists(name):
            # never regenerate a file a provider may already hold: its payments may have moved on
            raise RuntimeError(
                f"{batch.file_name} was written before (sha256 {batch.sha256}) but is missing "
                "from private storage; restore it from backup"
            )
        return name
    cycle = batch.cycle
    remittance = f"{cycle.program.name} {cycle.period}"
    if lines is None:
        lines = pl.DataFrame(schema=LINE_SCHEMA)
    with tempfile.NamedTemporaryFile("wb", suffix=".tmp", delete=False) as out:
        temp = Path(out.name)
        if batch.channel == PaymentChannel.BANK:
            write_pain001(
                out,
                message_id=batch.message_id,
                created_at=batch.created_at,
                execution_date=timezone.localdate(batch.created_at),
                debtor=Debtor(
                    settings.CIVITAS_PAYMENTS_DEBTOR_NAME,
                    settings.CIVITAS_PAYMENTS_DEBTOR_IBAN.replace(" ", ""),
                    settings.CIVITAS_PAYMENTS_DEBTOR_BIC,
                ),
                currency=cycle.currency,
                remittance=remittance,
                lines=lines,
                total=batch.total,
            )
        else:
            write_mobile_csv(out, currency=cycle.currency, remittance=remittance, lines=lines)
    return batch, temp


def _store(batch: PaymentBatch, temp: Path, problems: list[str], digest: str, *, actor) -> str:
    storage = storages["default"]
    name = storage_name(batch)
    try:
        if problems:
            raise RuntimeError(f"{batch.file_name} is not valid pain.001: {problems[0]}")
        if storage.exists(name):
            storage.delete(name)
        with temp.open("rb") as handle:
            saved = storage.save(name, File(handle))
    finally:
        temp.unlink(missing_ok=True)
    with transaction.atomic():
        PaymentBatch.objects.filter(pk=batch.pk).update(sha256=digest)
        audit.record(
            actor=actor,
            action="payments:batch:written",
            subject=batch,
            after={"file": saved, "sha256": digest, "payments": batch.payments},
        )
    return saved


@dataclass
class ExportOutcome:
    issued: IssueOutcome
    files: list[Path]


def export_cycle(*, cycle: PaymentCycle, directory: Path, actor) -> ExportOutcome:
    """Issue what is waiting, make sure every batch file of the cycle exists, copy them all."""
    issued = issue_batches(cycle=cycle, actor=actor)
    directory.mkdir(parents=True, exist_ok=True)
    storage = storages["default"]
    files = []
    batches = list(PaymentBatch.objects.filter(cycle=cycle).select_related("cycle__program"))
    for batch, name in zip(batches, write_batch_files(batches, actor=actor), strict=True):
        target = directory / batch.file_name
        with storage.open(name, "rb") as source, target.open("wb") as copy:
            shutil.copyfileobj(source, copy, 1 << 20)
        files.append(target)
    return ExportOutcome(issued, files)


def payments_waiting(cycle: PaymentCycle) -> int:
    return Payment.objects.filter(cycle=cycle, status=PaymentStatus.PENDING).count()
