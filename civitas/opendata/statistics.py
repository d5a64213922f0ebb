"""Statistics from the benefits system, ready for publication: read from operations, counted,
and protected by disclosure control. Nothing here writes; ``services.publish_statistics`` does.

Tables (all applications submitted in the period):

- applications by programme, region, month submitted and status;
- applicants by programme, sex, age band (at submission) and status - the approved ones are the
  beneficiaries;
- decisions by programme, month decided and outcome;
- processing times (median and mean days from submission to decision) by programme and month
  decided, only where at least ``threshold`` decisions stand behind the figure;
- payments confirmed paid, and the amounts paid, by programme, region and month.

Only counts and sums leave this module; no identifier, name, account, date of birth or free text
is read into the output.
"""

from __future__ import annotations

import hashlib
import json
import statistics as stats
from dataclasses import dataclass
from datetime import date, datetime

import pyarrow as pa
from django.conf import settings
from django.utils import timezone

from civitas.applications.lifecycle import Status
from civitas.applications.models import Application
from civitas.opendata.disclosure.cube import TOTAL, Cube, build, link_margin
from civitas.opendata.disclosure.protect import Method, Protected, protect, rows
from civitas.programs.models import Program
from civitas.registry.models import Region

UNKNOWN = "Unknown"
AGE_BANDS = ["0-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+"]
DECIDED = [Status.APPROVED.value, Status.REJECTED.value]


@dataclass
class Table:
    name: str
    title: str
    description: str
    fields: list[dict]  # Table Schema fields
    data: pa.Table


@dataclass
class Publication:
    tables: list[Table]
    method: dict
    period_start: date | None
    period_end: date | None
    content_hash: str
    applications: int


def age_band(birth: date | None, on: datetime) -> str:
    if birth is None:
        return UNKNOWN
    day = on.date() if isinstance(on, datetime) else on
    age = day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
    for band in AGE_BANDS[:-1]:
        low, high = (int(x) for x in band.split("-"))
        if low <= age <= high:
            return band
    return AGE_BANDS[-1]


def _month(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return (
        timezone.localtime(moment).strftime("%Y-%m")
        if timezone.is_aware(moment)
        else moment.strftime("%Y-%m")
    )


def method_from_settings() -> Method:
    return Method(
        name=settings.OPENDATA_DISCLOSURE_METHOD,
        threshold=int(settings.OPENDATA_DISCLOSURE_THRESHOLD),
        base=int(settings.OPENDATA_ROUNDING_BASE),
    )


def collect(*, since: date | None = None) -> list[dict]:
    """One plain record per application: only the categories the tables count by."""
    found = Application.objects.all()
    if since is not None:
        found = found.filter(submitted_at__date__gte=since)
    records = []
    for program, status, submitted, decided, sex, birth, region in found.values_list(
        "program__name",
        "status",
        "submitted_at",
        "decided_at",
        "person__sex",
        "person__birth_date",
        "person__memberships__household__region__name",
    ).iterator(chunk_size=5000):
        records.append(
            {
                "programme": program,
                "status": status,
                "month": _month(submitted),
                "decision_month": _month(decided) if status in DECIDED else None,
                "sex": sex or UNKNOWN,
                "age_band": age_band(birth, submitted),
                "region": region or UNKNOWN,
                "days": (decided - submitted).total_seconds() / 86400
                if decided and status in DECIDED
                else None,
            }
        )
    return records


def _months(values: set[str]) -> list[str]:
    if not values:
        return []
    first, last = min(values), max(values)
    year, month = (int(x) for x in first.split("-"))
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return out


def _status_key(labels: dict) -> tuple | None:
    return ("applications", labels["programme"], labels["status"])


def _outcome_key(labels: dict) -> tuple | None:
    if labels["outcome"] == TOTAL:
        return None
    return ("applications", labels["programme"], labels["outcome"])


FIELD_TEXT = {
    "programme": ("Programme", "The benefit programme applied for; Total for all programmes."),
    "region": ("Region", "Region of the applicant's household; Total for all regions."),
    "month": (
        "Month",
        "Month the application was submitted, or the payment's month (YYYY-MM); Total for all.",
    ),
    "decision_month": ("Month decided", "Month of the decision (YYYY-MM); Total for all."),
    "status": (
        "Status",
        "Where the application stands: submitted, under_review, information_requested, approved (beneficiaries), rejected or withdrawn; Total for all.",
    ),
    "outcome": ("Outcome", "approved or rejected; Total for both."),
    "sex": ("Sex", "Sex of the applicant as recorded in the social registry; Total for all."),
    "age_band": ("Age band", "Age of the applicant when applying, in years; Total for all."),
    "count": (
        "Count",
        "Number of applications. Empty where the figure is not published to protect the people behind it.",
    ),
    "payments": (
        "Payments",
        "Number of payments made. Empty where not published to protect the people behind it.",
    ),
    "amount": (
        "Amount",
        "Total amount paid. Empty where not published to protect the people behind it.",
    ),
    "median_days": ("Median days", "Median number of days from submission to decision."),
    "mean_days": ("Mean days", "Average number of days from submission to decision."),
}


def _fields(names: list[str], types: dict[str, str]) -> list[dict]:
    return [
        {
            "name": name,
            "type": types.get(name, "string"),
            "title": FIELD_TEXT[name][0],
            "description": FIELD_TEXT[name][1],
        }
        for name in names
    ]


def _count_table(item: Protected, *, title: str, description: str) -> Table:
    cube = item.cube
    published = rows(item)
    names = [*cube.dimensions, "count"]
    data = pa.table(
        {
            **{d: pa.array([r[d] for r in published], type=pa.string()) for d in cube.dimensions},
            "count": pa.array([r["count"] for r in published], type=pa.int64()),
        }
    )
    return Table(
        name=cube.name,
        title=title,
        description=description,
        fields=_fields(names, {"count": "integer"}),
        data=data,
    )


def _processing_table(
    records: list[dict], *, programmes: list[str], months: list[str], threshold: int
) -> Table:
    groups: dict[tuple[str, str], list[float]] = {}
    for record in records:
        if record["days"] is None or record["decision_month"] is None:
            continue
        for programme in (record["programme"], TOTAL):
            for month in (record["decision_month"], TOTAL):
                groups.setdefault((programme, month), []).append(record["days"])
    # The number of decisions is not shown: it is a cell of the decisions table, which may be
    # hidden there.
    out = {"programme": [], "decision_month": [], "median_days": [], "mean_days": []}
    for programme in [*programmes, TOTAL]:
        for month in [*months, TOTAL]:
            values = groups.get((programme, month), [])
            enough = len(values) >= threshold
            out["programme"].append(programme)
            out["decision_month"].append(month)
            out["median_days"].append(round(stats.median(values), 1) if enough else None)
            out["mean_days"].append(round(stats.fmean(values), 1) if enough else None)
    data = pa.table(
        {
            "programme": pa.array(out["programme"], type=pa.string()),
            "decision_month": pa.array(out["decision_month"], type=pa.string()),
            "median_days": pa.array(out["median_days"], type=pa.float64()),
            "mean_days": pa.array(out["mean_days"], type=pa.float64()),
        }
    )
    return Table(
        name="processing-times",
        title="Processing times by programme and month decided",
        description=(
            "Median and average days from submission to decision. Shown only where at least "
            f"{threshold} decisions stand behind the figures."
        ),
        fields=_fields(
            ["programme", "decision_month", "median_days", "mean_days"],
            {"median_days": "number", "mean_days": "number"},
        ),
        data=data,
    )


def collect_payments(*, since: date | None = None) -> list[tuple]:
    """Payments confirmed paid: (programme, region, month, amount) - nothing else is read."""
    from civitas.payments.lifecycles import PaymentStatus
    from civitas.payments.models import Payment

    found = Payment.objects.filter(status=PaymentStatus.PAID)
    if since is not None:
        found = found.filter(period__gte=since.strftime("%Y-%m"))
    return [
        (program, region or UNKNOWN, period, float(amount))
        for program, region, period, amount in found.values_list(
            "program__name", "person__memberships__household__region__name", "period", "amount"
        ).iterator(chunk_size=5000)
    ]


def _payments_table(payments: list[tuple], *, programmes, regions, method: Method) -> Table | None:
    """Payments made and amounts paid by programme, region and month. The amounts are hidden
    wherever the counts' suppression pattern hides a count (whatever the method), so no hidden
    amount can be worked out from the amount totals either."""
    from civitas.opendata.disclosure.protect import suppress

    if not payments:
        return None
    regions = list(regions) + (
        [UNKNOWN] if any(p[1] == UNKNOWN for p in payments) and UNKNOWN not in regions else []
    )
    months = _months({p[2] for p in payments})
    categories = [programmes, regions, months]
    dims = ["programme", "region", "month"]
    keys = [(p[0], p[1], p[2]) for p in payments]
    counts = build("payments", keys, dimensions=dims, categories=categories)
    sums = build(
        "payments", keys, dimensions=dims, categories=categories, weights=[p[3] for p in payments]
    )
    [protected] = protect([counts], method)
    [amount_hidden] = suppress([counts], threshold=method.threshold)
    published = rows(protected)
    flat_sums = sums.counts.reshape(-1)
    flat_hidden = amount_hidden.reshape(-1)
    data = pa.table(
        {
            **{d: pa.array([r[d] for r in published], type=pa.string()) for d in dims},
            "payments": pa.array([r["count"] for r in published], type=pa.int64()),
            "amount": pa.array(
                [
                    None if flat_hidden[i] else round(float(flat_sums[i]), 2)
                    for i in range(len(published))
                ],
                type=pa.float64(),
            ),
        }
    )
    return Table(
        name="payments",
        title="Payments by programme, region and month",
        description=f"Benefit payments confirmed paid, and the amounts paid in {settings.CIVITAS_CURRENCY}.",
        fields=_fields([*dims, "payments", "amount"], {"payments": "integer", "amount": "number"}),
        data=data,
    )


def prepare(*, method: Method | None = None, since: date | None = None) -> Publication:
    method = method or method_from_settings()
    records = collect(since=since)
    programmes = list(
        Program.objects.order_by("display_order", "name").values_list("name", flat=True)
    )
    programmes += sorted({r["programme"] for r in records} - set(programmes))
    regions = list(Region.objects.order_by("name").values_list("name", flat=True))
    if any(r["region"] == UNKNOWN for r in records):
        regions.append(UNKNOWN)
    statuses = [s.value for s in Status]
    months = _months({r["month"] for r in records if r["month"]})
    decision_months = _months({r["decision_month"] for r in records if r["decision_month"]})
    sexes = ["female", "male"] + ([UNKNOWN] if any(r["sex"] == UNKNOWN for r in records) else [])
    bands = AGE_BANDS + ([UNKNOWN] if any(r["age_band"] == UNKNOWN for r in records) else [])
    applications = build(
        "applications",
        [(r["programme"], r["region"], r["month"], r["status"]) for r in records],
        dimensions=["programme", "region", "month", "status"],
        categories=[programmes, regions, months, statuses],
    )
    applicants = build(
        "applicants",
        [(r["programme"], r["sex"], r["age_band"], r["status"]) for r in records],
        dimensions=["programme", "sex", "age_band", "status"],
        categories=[programmes, sexes, bands, statuses],
    )
    decided = [r for r in records if r["decision_month"]]
    decisions = build(
        "decisions",
        [(r["programme"], r["decision_month"], r["status"]) for r in decided],
        dimensions=["programme", "decision_month", "outcome"],
        categories=[programmes, decision_months, DECIDED],
    )
    link_margin(applications, keep=["programme", "status"], key_of=_status_key)
    link_margin(applicants, keep=["programme", "status"], key_of=_status_key)
    link_margin(decisions, keep=["programme", "outcome"], key_of=_outcome_key)
    cubes: list[Cube] = [applications, applicants, decisions]
    protected = protect(cubes, method)
    tables = [
        _count_table(
            protected[0],
            title="Applications by programme, region, month and status",
            description="Applications submitted, by programme, the applicant's region, month submitted and current status.",
        ),
        _count_table(
            protected[1],
            title="Applicants and beneficiaries by programme, sex and age band",
            description="Applications by the applicant's sex and age band and by status; approved applications are the programme's beneficiaries.",
        ),
        _count_table(
            protected[2],
            title="Decisions by programme, month and outcome",
            description="Applications approved or rejected, by the month of the decision.",
        ),
        _processing_table(
            records, programmes=programmes, months=decision_months, threshold=method.threshold
        ),
    ]
    payments = _payments_table(
        collect_payments(since=since), programmes=programmes, regions=regions, method=method
    )
    if payments is not None:
        tables.append(payments)
    digest = hashlib.sha256()
    digest.update(json.dumps(method.describe(), sort_keys=True).encode())
    for table in tables:
        digest.update(table.name.encode())
        digest.update(json.dumps(table.data.to_pylist(), sort_keys=True, default=str).encode())
    submitted = [r["month"] for r in records if r["month"]]
    return Publication(
        tables=tables,
        method=method.describe(),
        period_start=date.fromisoformat(min(submitted) + "-01") if submitted else None,
        period_end=_month_end(max(submitted)) if submitted else None,
        content_hash=digest.hexdigest(),
        applications=len(records),
    )


def _month_end(month: str) -> date:
    year, number = (int(x) for x in month.split("-"))
    following = date(year + (number == 12), number % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)
