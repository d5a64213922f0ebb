"""Importing people and households from a CSV or Parquet file, all or nothing.

One row per person. Every row and column is checked before anything is written; a file with a
bad row is refused with a report (row, column, reason). The identifiers the source gives persons
and households are kept (``PersonIdentifier``/``HouseholdIdentifier`` under the source's scheme).
People already in the registry under the same national ID are refused; people who look like
someone already there (similar name, same birth date) are imported and flagged for review.
Re-importing the same file changes nothing (its SHA-256 is remembered).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civitas.audit import services as audit
from civitas.registry.dedup import Someone, similar_pairs
from civitas.registry.models import (
    DuplicateFlag,
    DuplicateRule,
    Household,
    HouseholdIdentifier,
    ImportBatch,
    MemberRole,
    Membership,
    Person,
    PersonIdentifier,
    Region,
    Sex,
)
from civitas.registry.national_id import is_valid_national_id
from civitas.registry.problems import FileRefused, Problem

REQUIRED = [
    "household_ref",
    "person_ref",
    "national_id",
    "given_name",
    "family_name",
    "birth_date",
    "sex",
    "role",
    "region",
]
OPTIONAL = ["address", "monthly_rent", "monthly_income", "pregnant"]
HOUSEHOLD_COLUMNS = ["address", "region", "monthly_rent"]
TRUE = {"yes", "true", "1", "y"}
FALSE = {"no", "false", "0", "n", ""}
MAX_PROBLEMS = 10_000
LOOKUP_CHUNK = 500


@dataclass
class ImportOutcome:
    batch: ImportBatch
    created: bool  # False: this file was imported before, nothing changed
    flagged: int = 0


def read_table(content: bytes, file_name: str) -> pl.DataFrame:
    """Every column as text, whatever the format."""
    try:
        if file_name.lower().endswith(".parquet"):
            frame = pl.read_parquet(io.BytesIO(content))
            return frame.select(pl.all().cast(pl.Utf8))
        return pl.read_csv(io.BytesIO(content), infer_schema=False, encoding="utf8")
    except Exception as exc:  # the reader's own message says what is wrong with the file
        raise FileRefused([Problem(0, "", f"the file cannot be read: {exc}")]) from None


def import_file(*, path: Path, source: str, actor) -> ImportOutcome:
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise FileRefused([Problem(0, "", f"the file cannot be read: {exc.strerror}")]) from None
    return import_content(content=content, file_name=path.name, source=source, actor=actor)


def import_content(*, content: bytes, file_name: str, source: str, actor) -> ImportOutcome:
    source = (source or "").strip()
    if not source:
        raise FileRefused([Problem(0, "", _("name the source of the identifiers (--source)"))])
    digest = hashlib.sha256(content).hexdigest()
    previous = ImportBatch.objects.filter(sha256=digest).first()
    if previous is not None:
        return ImportOutcome(previous, created=False)
    table = read_table(content, file_name)
    rows = _check(table, source)
    return _write(rows, digest=digest, file_name=file_name, source=source, actor=actor)


class _Problems(list):
    def add(self, row: int, column: str, reason: str) -> None:
        if len(self) < MAX_PROBLEMS:
            self.append(Problem(row, column, reason))


def _check(table: pl.DataFrame, source: str) -> list[dict]:
    problems = _Problems()
    missing = [c for c in REQUIRED if c not in table.columns]
    if missing:
        raise FileRefused(
            [Problem(1, c, _("this column is missing from the header")) for c in missing]
        )
    if table.height == 0:
        raise FileRefused([Problem(0, "", _("the file has no rows"))])
    for column in OPTIONAL:
        if column not in table.columns:
            table = table.with_columns(pl.lit(None, dtype=pl.Utf8).alias(column))
    regions = dict(Region.objects.values_list("code", "pk"))
    today = date.today()
    rows: list[dict] = []
    seen_ids: dict[str, int] = {}
    seen_refs: dict[str, int] = {}
    households: dict[str, dict] = {}
    for index, raw in enumerate(table.iter_rows(named=True)):
        line = index + 2  # the header is row 1
        values = {k: (v or "").strip() for k, v in raw.items() if k in REQUIRED + OPTIONAL}
        for column in REQUIRED:
            if not values[column]:
                problems.add(line, column, _("is empty"))
        nid = values["national_id"].replace(" ", "")
        if nid and not is_valid_national_id(nid):
            problems.add(line, "national_id", _("is not a valid national ID (check digit)"))
        if nid in seen_ids:
            problems.add(line, "national_id", _("also on row %(row)s") % {"row": seen_ids[nid]})
        elif nid:
            seen_ids[nid] = line
        ref = values["person_ref"]
        if ref in seen_refs:
            problems.add(line, "person_ref", _("also on row %(row)s") % {"row": seen_refs[ref]})
        elif ref:
            seen_refs[ref] = line
        birth = None
        if values["birth_date"]:
            try:
                birth = date.fromisoformat(values["birth_date"])
            except ValueError:
                problems.add(line, "birth_date", _("is not a date written YYYY-MM-DD"))
            else:
                if birth > today or birth.year < 1880:
                    problems.add(line, "birth_date", _("is not a possible date of birth"))
        if values["sex"] and values["sex"].lower() not in Sex.values:
            problems.add(line, "sex", _("must be female or male"))
        if values["role"] and values["role"].lower() not in MemberRole.values:
            problems.add(line, "role", _("must be adult or child"))
        if values["region"] and values["region"] not in regions:
            problems.add(line, "region", _("is not a known region code"))
        income = _amount(values["monthly_income"], line, "monthly_income", problems)
        rent = _amount(values["monthly_rent"], line, "monthly_rent", problems)
        pregnant = values["pregnant"].lower()
        if pregnant not in TRUE | FALSE:
            problems.add(line, "pregnant", _("must be yes or no"))
        household_ref = values["household_ref"]
        facts = {"address": values["address"], "region": values["region"], "monthly_rent": rent}
        known = households.get(household_ref)
        if known is None:
            households[household_ref] = {**facts, "row": line, "adults": 0}
        else:
            for column in HOUSEHOLD_COLUMNS:
                if facts[column] != known[column]:
                    problems.add(
                        line,
                        column,
                        _("differs from row %(row)s of the same household") % {"row": known["row"]},
                    )
        if values["role"].lower() == MemberRole.ADULT:
            households[household_ref]["adults"] += 1
        rows.append(
            {
                "line": line,
                "household_ref": household_ref,
                "person_ref": ref,
                "national_id": nid,
                "given_name": values["given_name"][:100],
                "family_name": values["family_name"][:100],
                "birth_date": birth,
                "sex": values["sex"].lower(),
                "role": values["role"].lower(),
                "region_id": regions.get(values["region"]),
                "address": values["address"][:200],
                "monthly_rent": rent or Decimal(0),
                "monthly_income": income or Decimal(0),
                "pregnant": pregnant in TRUE,
            }
        )
    for ref, household in households.items():
        if household["adults"] == 0:
            problems.add(
                household["row"], "role", _("household %(ref)s has no adult") % {"ref": ref}
            )
    _check_against_registry(rows, source, problems)
    if problems:
        raise FileRefused(list(problems))
    return rows


def _amount(text: str, line: int, column: str, problems: _Problems) -> Decimal | None:
    if not text:
        return None
    try:
        value = Decimal(text.replace(",", ""))
    except ArithmeticError:
        problems.add(line, column, _("is not a number"))
        return None
    if value < 0 or value >= Decimal("1e10") or not value.is_finite():
        problems.add(line, column, _("must be 0 or more"))
        return None
    return value.quantize(Decimal("0.01"))


def _check_against_registry(rows: list[dict], source: str, problems: _Problems) -> None:
    """The same national ID, person or household identifier already in the registry: refused."""
    # national IDs are stored encrypted: look them up by keyed hash, every row's hashes at once
    hash_field = Person._meta.get_field("national_id_hash")
    by_hash = {
        digest: r["line"]
        for r in rows
        if r["national_id"]
        for digest in hash_field.candidates(r["national_id"])
    }
    digests = list(by_hash)
    for start in range(0, len(digests), LOOKUP_CHUNK):
        for digest, household in Person.objects.filter(
            national_id_hash__in=digests[start : start + LOOKUP_CHUNK]
        ).values_list("national_id_hash", "memberships__household__reference"):
            problems.add(
                by_hash[digest],
                "national_id",
                _("already in the registry (household %(ref)s): a duplicate")
                % {"ref": household or "-"},
            )
    by_ref = {r["person_ref"]: r["line"] for r in rows if r["person_ref"]}
    refs = list(by_ref)
    for start in range(0, len(refs), LOOKUP_CHUNK):
        for value in PersonIdentifier.objects.filter(
            scheme=source, value__in=refs[start : start + LOOKUP_CHUNK]
        ).values_list("value", flat=True):
            problems.add(by_ref[value], "person_ref", _("already imported from this source"))
    first_row = {}
    for r in rows:
        first_row.setdefault(r["household_ref"], r["line"])
    household_refs = list(first_row)
    for start in range(0, len(household_refs), LOOKUP_CHUNK):
        for value in HouseholdIdentifier.objects.filter(
            scheme=source, value__in=household_refs[start : start + LOOKUP_CHUNK]
        ).values_list("value", flat=True):
            problems.add(first_row[value], "household_ref", _("already imported from this source"))


@transaction.atomic
def _write(rows: list[dict], *, digest: str, file_name: str, source: str, actor) -> ImportOutcome:
    households_seen: dict[str, int] = {}
    for r in rows:
        households_seen.setdefault(r["household_ref"], len(households_seen))
    batch = ImportBatch.objects.create(
        source=source[:60],
        file_name=file_name[:255],
        sha256=digest,
        rows=len(rows),
        households=len(households_seen),
        persons=len(rows),
        imported_by=audit.actor_label(actor)[:200],
        imported_at=timezone.now(),
    )
    first = {}
    for r in rows:
        first.setdefault(r["household_ref"], r)
    households = [
        Household(
            reference=f"I{batch.pk}-{index}",
            address=first[ref]["address"],
            region_id=first[ref]["region_id"],
            monthly_rent=first[ref]["monthly_rent"],
        )
        for ref, index in households_seen.items()
    ]
    Household.objects.bulk_create(households, batch_size=2000)
    household_by_ref = {ref: households[index] for ref, index in households_seen.items()}
    persons = [
        Person(
            national_id=r["national_id"],
            given_name=r["given_name"],
            family_name=r["family_name"],
            birth_date=r["birth_date"],
            sex=r["sex"],
            monthly_income=r["monthly_income"],
            pregnant=r["pregnant"],
        )
        for r in rows
    ]
    Person.objects.bulk_create(persons, batch_size=2000)
    Membership.objects.bulk_create(
        [
            Membership(household=household_by_ref[r["household_ref"]], person=p, role=r["role"])
            for r, p in zip(rows, persons, strict=True)
        ],
        batch_size=2000,
    )
    PersonIdentifier.objects.bulk_create(
        [
            PersonIdentifier(person=p, scheme=source, value=r["person_ref"], batch=batch)
            for r, p in zip(rows, persons, strict=True)
        ],
        batch_size=2000,
    )
    HouseholdIdentifier.objects.bulk_create(
        [
            HouseholdIdentifier(
                household=household_by_ref[ref], scheme=source, value=ref, batch=batch
            )
            for ref in households_seen
        ],
        batch_size=2000,
    )
    flagged = flag_similar(persons, found_during=f"import {file_name}"[:40])
    ImportBatch.objects.filter(pk=batch.pk).update(duplicates_flagged=flagged)
    batch.duplicates_flagged = flagged
    audit.record(
        actor=actor,
        action="registry:import:done",
        subject=batch,
        after={
            "file": file_name,
            "sha256": digest,
            "source": source,
            "households": len(households),
            "persons": len(persons),
            "duplicates_flagged": flagged,
        },
    )
    return ImportOutcome(batch, created=True, flagged=flagged)


def flag_similar(persons: list[Person], *, found_during: str) -> int:
    """Flag ``persons`` who look like someone else in the registry (or each other)."""
    if not persons:
        return 0
    new = [Someone(p.pk, p.given_name, p.family_name, p.birth_date) for p in persons]
    days = sorted({p.birth_date for p in persons})
    existing: list[Someone] = []
    for start in range(0, len(days), LOOKUP_CHUNK):
        existing.extend(
            Someone(pk, given, family, birth)
            for pk, given, family, birth in Person.objects.filter(
                birth_date__in=days[start : start + LOOKUP_CHUNK]
            ).values_list("pk", "given_name", "family_name", "birth_date")
        )
    pairs = {}
    for match in similar_pairs(new, existing):
        low, high = sorted((match.a, match.b))
        pairs[(low, high)] = max(match.score, pairs.get((low, high), 0))
    now = timezone.now()
    DuplicateFlag.objects.bulk_create(
        [
            DuplicateFlag(
                person_id=low,
                other_id=high,
                rule=DuplicateRule.NAME_AND_BIRTH,
                score=score,
                found_during=found_during,
                created_at=now,
            )
            for (low, high), score in pairs.items()
        ],
        batch_size=2000,
        ignore_conflicts=True,
    )
    return len(pairs)
