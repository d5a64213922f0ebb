"""A small open data catalogue for the demo country: its ministries publish a few datasets, with
tables in the datastore, and the statistics from operations are published once.

``load_demo_catalogue()`` is idempotent: what exists already is left as it is. It is meant to be
called by ``civitas demo load`` after the demo country (regions, programmes, accounts) is loaded.
"""

from __future__ import annotations

from datetime import date

from civitas.opendata import services
from civitas.opendata.models import Capacity, Dataset

ACTOR = "demo-loader"

MINISTRIES = [
    (
        "ministry-of-social-protection",
        "Ministry of Social Protection",
        "Runs the benefit programmes: maternity care, child benefit, pensions, housing and food allowances.",
        "data@social.civitas.example",
    ),
    (
        "ministry-of-health",
        "Ministry of Health",
        "Hospitals, clinics and public health.",
        "data@health.civitas.example",
    ),
    (
        "ministry-of-finance",
        "Ministry of Finance",
        "The state budget and public spending.",
        "data@finance.civitas.example",
    ),
    (
        "ministry-of-education",
        "Ministry of Education",
        "Schools, teachers and pupils.",
        "data@education.civitas.example",
    ),
    (
        "national-statistics-office",
        "National Statistics Office",
        "Official statistics of the Republic of Civitas.",
        "info@statistics.civitas.example",
    ),
]
GROUPS = [
    ("social-protection", "Social protection", "Benefits, pensions and the people they reach."),
    ("public-finance", "Public finance", "What the state raises and spends."),
]
# demo staff who publish, and for which ministry
PUBLISHERS = [("policy@demo.civitas.example", "ministry-of-social-protection", Capacity.EDITOR)]

REGIONS = [
    ("Capital District", 612_400, 8),
    ("Northern Highlands", 301_950, 3),
    ("Southern Coast", 405_300, 5),
    ("Eastern Plains", 398_750, 4),
    ("Western Valleys", 297_600, 3),
]


def _text(field: str, kind: str, title: str, description: str) -> dict:
    return {"name": field, "type": kind, "title": title, "description": description}


DATASETS = [
    {
        "owner_org": "national-statistics-office",
        "name": "population-by-region",
        "title": "Population by region, 2026",
        "notes": "Resident population of each region of the Republic of Civitas on 1 January 2026, "
        "from the population register, rounded to the nearest 50 people.",
        "tags": ["population", "regions", "census"],
        "theme": ["SOCI", "REGI"],
        "frequency": "ANNUAL",
        "temporal_start": "2026-01-01",
        "temporal_end": "2026-01-01",
        "groups": [{"name": "social-protection"}],
        "table": {
            "name": "Population by region",
            "fields": [
                _text("region", "string", "Region", "Name of the region"),
                _text("population", "integer", "Population", "Residents on 1 January 2026"),
            ],
            "records": [{"region": r, "population": p} for r, p, _ in REGIONS],
        },
    },
    {
        "owner_org": "ministry-of-health",
        "name": "hospitals-by-region",
        "title": "Public hospitals by region",
        "notes": "Number of public hospitals in each region and the beds they hold, counted by the "
        "Ministry of Health on 1 March 2026.",
        "tags": ["health", "hospitals"],
        "theme": ["HEAL"],
        "frequency": "ANNUAL",
        "temporal_start": "2026-03-01",
        "table": {
            "name": "Hospitals and beds",
            "fields": [
                _text("region", "string", "Region", "Name of the region"),
                _text("hospitals", "integer", "Hospitals", "Public hospitals in the region"),
                _text("beds", "integer", "Beds", "Hospital beds available"),
            ],
            "records": [
                {"region": r, "hospitals": h, "beds": h * 140 + p // 5000} for r, p, h in REGIONS
            ],
        },
    },
    {
        "owner_org": "ministry-of-finance",
        "name": "state-budget-2026",
        "title": "State budget 2026 by ministry",
        "notes": "Spending voted by Parliament for 2026, by ministry, in millions of CVT, from the "
        "Budget Act 2026.",
        "tags": ["budget", "public spending"],
        "theme": ["ECON", "GOVE"],
        "frequency": "ANNUAL",
        "temporal_start": "2026-01-01",
        "temporal_end": "2026-12-31",
        "groups": [{"name": "public-finance"}],
        "table": {
            "name": "Budget by ministry",
            "fields": [
                _text("ministry", "string", "Ministry", "Spending ministry"),
                _text("million_cvt", "number", "Million CVT", "Voted spending, millions of CVT"),
            ],
            "records": [
                {"ministry": "Social Protection", "million_cvt": 1840.5},
                {"ministry": "Health", "million_cvt": 1215.0},
                {"ministry": "Education", "million_cvt": 1390.25},
                {"ministry": "Finance", "million_cvt": 310.0},
                {"ministry": "Other", "million_cvt": 905.75},
            ],
        },
    },
    {
        "owner_org": "ministry-of-education",
        "name": "schools-by-region",
        "title": "Schools and pupils by region",
        "notes": "Public primary and secondary schools in each region and the pupils enrolled at "
        "the start of the 2025/26 school year.",
        "tags": ["education", "schools"],
        "theme": ["EDUC"],
        "frequency": "ANNUAL",
        "temporal_start": "2025-09-01",
        "temporal_end": "2026-07-31",
        "table": {
            "name": "Schools and pupils",
            "fields": [
                _text("region", "string", "Region", "Name of the region"),
                _text("schools", "integer", "Schools", "Public schools"),
                _text("pupils", "integer", "Pupils", "Pupils enrolled"),
            ],
            "records": [
                {"region": r, "schools": p // 2500, "pupils": p // 6} for r, p, _ in REGIONS
            ],
        },
    },
    {
        "owner_org": "ministry-of-social-protection",
        "name": "payment-reconciliation-notes",
        "title": "Payment reconciliation notes (internal)",
        "notes": "Working notes of the payments team. Private: only the ministry's staff see it.",
        "tags": ["payments"],
        "private": True,
    },
]


def _programmes_table() -> dict | None:
    from civitas.programs.models import Program

    rows = [
        {"programme": p.name, "summary": p.summary, "how_long": p.how_long}
        for p in Program.objects.filter(is_published=True).order_by("display_order")
    ]
    if not rows:
        return None
    return {
        "owner_org": "ministry-of-social-protection",
        "name": "benefit-programmes",
        "title": "Benefit programmes",
        "notes": "The benefit programmes citizens can apply for online, with what each one gives "
        "and how long a decision takes.",
        "tags": ["benefits", "social protection"],
        "theme": ["SOCI", "GOVE"],
        "frequency": "IRREG",
        "temporal_start": date(2024, 1, 1).isoformat(),
        "groups": [{"name": "social-protection"}],
        "table": {
            "name": "Programmes",
            "fields": [
                _text("programme", "string", "Programme", "Name of the programme"),
                _text("summary", "string", "Summary", "What the programme gives"),
                _text("how_long", "string", "Decision time", "How long a decision usually takes"),
            ],
            "records": rows,
        },
    }


def load_demo_catalogue(*, publish_statistics: bool = True) -> dict[str, int]:
    from civitas.accounts.models import User

    organizations = {
        name: services.ensure_organization(
            actor=ACTOR, name=name, title=title, description=description, email=email
        )
        for name, title, description, email in MINISTRIES
    }
    for name, title, description in GROUPS:
        services.ensure_group(actor=ACTOR, name=name, title=title, description=description)
    for email, org_name, capacity in PUBLISHERS:
        user = User.objects.filter(email=email).first()
        if user is not None:
            services.add_member(
                actor=ACTOR, organization=organizations[org_name], user=user, capacity=capacity
            )
    specs = list(DATASETS)
    programmes = _programmes_table()
    if programmes:
        specs.append(programmes)
    created = 0
    for spec in specs:
        if Dataset.objects.filter(name=spec["name"]).exists():
            continue
        spec = dict(spec)
        table = spec.pop("table", None)
        spec.setdefault("license_id", "cc-by")
        dataset = services.create_dataset(access=services.PIPELINE, data=spec).dataset
        if table is not None:
            services.datastore_create(
                access=services.PIPELINE,
                resource=None,
                new_resource_in=dataset,
                new_resource={"name": table["name"], "description": spec["notes"]},
                fields=table["fields"],
                records=table["records"],
            )
        created += 1
    outcome = ""
    if publish_statistics:
        outcome = services.publish_statistics().outcome
    return {"datasets_created": created, "statistics": outcome}
