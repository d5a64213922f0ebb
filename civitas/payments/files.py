"""Payment batch files: ISO 20022 pain.001.001.09 for banks, CSV for mobile-money providers.

Each payment's XML element (or CSV row) is built by Polars string expressions over the batch's
rows, so a batch of 50,000 payments is formatted in native code; ``validate_pain001`` checks a
file against the XSD that sepaxml ships.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import BinaryIO

import polars as pl

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"
_IBAN = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Za-z0-9]{1,30}$")
_BIC = re.compile(r"^[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$")
_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})
# control characters are not allowed in XML 1.0 text
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True)
class Debtor:
    name: str
    account: str
    bic: str


def _text(value: str, limit: int) -> str:
    cleaned = _CONTROL.sub(" ", value or "").strip()[:limit] or "-"
    return cleaned.translate(_XML_ESCAPES)


def _account(account: str) -> str:
    if _IBAN.match(account):
        return f"<Id><IBAN>{account}</IBAN></Id>"
    return f"<Id><Othr><Id>{_text(account, 34)}</Id></Othr></Id>"


def _agent(bic: str) -> str:
    if bic and _BIC.match(bic):
        return f"<FinInstnId><BICFI>{bic}</BICFI></FinInstnId>"
    return "<FinInstnId><Othr><Id>NOTPROVIDED</Id></Othr></FinInstnId>"


# --- one row per payment, formatted by Polars (vectorised), never by a Python loop --------------
LINE_SCHEMA = {
    "id": pl.Int64,
    "attempts": pl.Int64,
    "cents": pl.Int64,
    "account": pl.Utf8,
    "name": pl.Utf8,
}


def _escaped(column: str, limit: int) -> pl.Expr:
    text = (
        pl.col(column)
        .fill_null("")
        .str.replace_all(_CONTROL.pattern, " ")
        .str.strip_chars()
        .str.slice(0, limit)
    )
    text = pl.when(text == "").then(pl.lit("-")).otherwise(text)
    for raw, escaped in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;")):
        text = text.str.replace_all(raw, escaped, literal=True)
    return text


def _amount() -> pl.Expr:
    return pl.concat_str(
        (pl.col("cents") // 100).cast(pl.Utf8),
        pl.lit("."),
        (pl.col("cents") % 100).cast(pl.Utf8).str.zfill(2),
    )


def end_to_end_ids() -> pl.Expr:
    return pl.concat_str(pl.lit("CIV"), pl.col("id").cast(pl.Utf8).str.zfill(12))


def _xml_lines(lines: pl.DataFrame, *, currency: str, remittance: str) -> pl.DataFrame:
    e2e = end_to_end_ids()
    account = (
        pl.when(pl.col("account").str.contains(_IBAN.pattern))
        .then(pl.concat_str(pl.lit("<Id><IBAN>"), pl.col("account"), pl.lit("</IBAN></Id>")))
        .otherwise(
            pl.concat_str(
                pl.lit("<Id><Othr><Id>"), _escaped("account", 34), pl.lit("</Id></Othr></Id>")
            )
        )
    )
    return lines.select(
        pl.concat_str(
            pl.lit("<CdtTrfTxInf><PmtId><InstrId>"),
            e2e,
            pl.lit("-"),
            pl.col("attempts").cast(pl.Utf8),
            pl.lit("</InstrId><EndToEndId>"),
            e2e,
            pl.lit(f'</EndToEndId></PmtId><Amt><InstdAmt Ccy="{currency}">'),
            _amount(),
            pl.lit("</InstdAmt></Amt><Cdtr><Nm>"),
            _escaped("name", 140),
            pl.lit("</Nm></Cdtr><CdtrAcct>"),
            account,
            pl.lit(
                f"</CdtrAcct><RmtInf><Ustrd>{_text(remittance, 140)}</Ustrd></RmtInf></CdtTrfTxInf>"
            ),
        ).alias("xml")
    )


def write_pain001(
    out: BinaryIO,
    *,
    message_id: str,
    created_at: datetime,
    execution_date: date,
    debtor: Debtor,
    currency: str,
    remittance: str,
    lines: pl.DataFrame,
    total: Decimal,
) -> None:
    """Write one Customer Credit Transfer Initiation with one payment information block."""
    created = created_at.replace(microsecond=0).isoformat()
    count = lines.height
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<Document xmlns="{NAMESPACE}"><CstmrCdtTrfInitn>'
        f"<GrpHdr><MsgId>{_text(message_id, 35)}</MsgId><CreDtTm>{created}</CreDtTm>"
        f"<NbOfTxs>{count}</NbOfTxs><CtrlSum>{total:.2f}</CtrlSum>"
        f"<InitgPty><Nm>{_text(debtor.name, 140)}</Nm></InitgPty></GrpHdr>"
        f"<PmtInf><PmtInfId>{_text(message_id, 35)}</PmtInfId><PmtMtd>TRF</PmtMtd>"
        f"<NbOfTxs>{count}</NbOfTxs><CtrlSum>{total:.2f}</CtrlSum>"
        f"<ReqdExctnDt><Dt>{execution_date.isoformat()}</Dt></ReqdExctnDt>"
        f"<Dbtr><Nm>{_text(debtor.name, 140)}</Nm></Dbtr>"
        f"<DbtrAcct>{_account(debtor.account)}</DbtrAcct>"
        f"<DbtrAgt>{_agent(debtor.bic)}</DbtrAgt><ChrgBr>SLEV</ChrgBr>\n"
    )
    out.write(head.encode("utf-8"))
    _xml_lines(lines, currency=currency, remittance=remittance).write_csv(
        out, include_header=False, quote_style="never"
    )
    out.write(b"</PmtInf></CstmrCdtTrfInitn></Document>\n")


MOBILE_COLUMNS = ["end_to_end_id", "msisdn", "name", "amount", "currency", "reference"]


def write_mobile_csv(out: BinaryIO, *, currency: str, remittance: str, lines: pl.DataFrame) -> None:
    lines.select(
        end_to_end_ids().alias("end_to_end_id"),
        pl.col("account").alias("msisdn"),
        pl.col("name").fill_null(""),
        _amount().alias("amount"),
        pl.lit(currency).alias("currency"),
        pl.lit(remittance).alias("reference"),
    ).write_csv(out, include_header=True)


def xsd_path() -> Path:
    import sepaxml

    return Path(sepaxml.__file__).parent / "schemas" / "pain.001.001.09.xsd"


@cache
def _schema():
    from lxml import etree

    return etree.XMLSchema(etree.parse(str(xsd_path())))


def validate_pain001(path: Path) -> list[str]:
    """Problems found checking ``path`` against the pain.001.001.09 XSD (empty: valid).

    Parsed whole (about ten times the file in memory: a batch of 50,000 payments is some 16 MB),
    which checks several times faster than lxml's streaming validation.
    """
    from lxml import etree

    parser = etree.XMLParser(huge_tree=True, resolve_entities=False, no_network=True)
    try:
        document = etree.parse(str(path), parser)
    except etree.XMLSyntaxError as exc:
        return [str(exc)]
    schema = _schema()
    if schema.validate(document):
        return []
    return [f"line {error.line}: {error.message}" for error in schema.error_log][:20]


def check_file(validate_xml: bool, path: Path) -> tuple[list[str], str]:
    """Problems (pain.001 XSD, when asked) and SHA-256 of a written batch file. Imports nothing of
    Django, so it can run in a worker process."""
    problems = validate_pain001(path) if validate_xml else []
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return problems, digest.hexdigest()


_CHECKER = r"""
import json, sys
from pathlib import Path
from civitas.payments.files import check_file
for line in sys.stdin:
    job = json.loads(line)
    problems, digest = check_file(job["xml"], Path(job["path"]))
    print(json.dumps({"problems": problems, "sha256": digest}), flush=True)
"""


class Checkers:
    """Worker processes that check written files (lxml holds Python's lock while validating, so
    threads would not run side by side). Jobs go round-robin; each worker answers in order."""

    def __init__(self, workers: int = 2):
        import subprocess
        import sys

        # our own fixed program, run with this interpreter
        self._workers = [
            subprocess.Popen(  # noqa: S603
                [sys.executable, "-c", _CHECKER],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            for _ in range(workers)
        ]
        self._sent = 0

    def submit(self, validate_xml: bool, path: Path) -> int:
        worker = self._workers[self._sent % len(self._workers)]
        worker.stdin.write(json.dumps({"xml": validate_xml, "path": str(path)}) + "\n")
        worker.stdin.flush()
        self._sent += 1
        return self._sent - 1

    def result(self, job: int) -> tuple[list[str], str]:
        """Results must be collected in the order the jobs were submitted."""
        line = self._workers[job % len(self._workers)].stdout.readline()
        if not line:
            raise RuntimeError("a file checker stopped unexpectedly")
        answer = json.loads(line)
        return answer["problems"], answer["sha256"]

    def close(self) -> None:
        for worker in self._workers:
            if worker.stdin:
                worker.stdin.close()
        for worker in self._workers:
            worker.wait(timeout=60)
