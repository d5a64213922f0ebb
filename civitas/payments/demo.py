"""Demo beneficiaries, for ``civitas demo load`` (never in a real deployment).

Every demo programme gets the synthetic households that qualify this month enrolled, with a
made-up bank account (IBAN-shaped) or mobile-money number, so a finance officer can run a whole
payment cycle in the demo. Households of people who have a demo account are left alone, so the
demo journeys (applying, deciding) still start from scratch.
"""

from __future__ import annotations

from datetime import date

import polars as pl
from django.utils import timezone

from civitas.casework.eligibility import evaluate_frames, period_of
from civitas.casework.models import EnrolmentSource
from civitas.casework.services.enrolment import bulk_enrol
from civitas.programs.models import Program
from civitas.registry.frames import population_frames
from civitas.registry.models import Membership

ACTOR = "demo-loader"


def demo_account(household_id: int) -> str:
    if household_id % 5 < 3:  # three in five are paid into a bank account
        return f"CV{10 + household_id % 89:02d}{household_id:021d}"
    return f"+2389{household_id % 1_000_000:06d}"


def enrol_demo_beneficiaries(*, today: date | None = None) -> dict[str, int]:
    """Enrol, in each programme, the demo households that qualify now. Idempotent."""
    today = today or timezone.localdate()
    period = period_of(today)
    persons, households = population_frames()
    with_accounts = set(
        Membership.objects.filter(household__memberships__person__account__isnull=False)
        .values_list("household_id", flat=True)
        .distinct()
    )
    if with_accounts:
        keep = ~pl.col("household_id").is_in(list(with_accounts))
        persons, households = persons.filter(keep), households.filter(keep)
    first_adult = (
        persons.filter(pl.col("role") == "adult")
        .sort("household_id", "person_id")
        .group_by("household_id", maintain_order=True)
        .first()
        .select("household_id", "person_id")
    )
    enrolled: dict[str, int] = {}
    for program in Program.objects.order_by("display_order"):
        version = program.version_in_force()
        if version is None or not version.rules:
            continue
        results = evaluate_frames(version, period=period, persons=persons, households=households)
        qualifying = results.filter(pl.col("eligible") & (pl.col("amount") > 0)).join(
            first_adult, on="household_id"
        )
        rows = [
            (person_id, household_id, demo_account(household_id))
            for household_id, person_id in qualifying.select(
                "household_id", "person_id"
            ).iter_rows()
        ]
        enrolled[program.slug] = bulk_enrol(
            program=program,
            rows=rows,
            source=EnrolmentSource.DEMO,
            actor=ACTOR,
            started_on=today.replace(day=1),
        )
    return enrolled
