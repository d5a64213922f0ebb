"""A deterministic synthetic population: the same seed always gives the same people.

Plain records (no Django) so the same generator feeds the database, Parquet files for the rules
engine and the benchmarks.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from civitas.demo.country import FAMILY_NAMES, GIVEN_NAMES, REGIONS, STREETS
from civitas.registry.national_id import make_national_id


@dataclass
class PersonRecord:
    national_id: str
    given_name: str
    family_name: str
    birth_date: date
    sex: str
    monthly_income: float
    pregnant: bool
    role: str  # "adult" or "child"


@dataclass
class HouseholdRecord:
    reference: str
    address: str
    region: str
    monthly_rent: float
    members: list[PersonRecord] = field(default_factory=list)


def _birth(rng: random.Random, today: date, min_age: int, max_age: int) -> date:
    days = rng.randint(min_age * 365 + 1, max_age * 365 + 364)
    return today - timedelta(days=days)


def first_serial_for(seed: int) -> int:
    """Where the national IDs of the population made with ``seed`` start (seeds do not overlap)."""
    return 100_000_001 + (seed % 80) * 10_000_000


def generate(
    *, households: int, seed: int, first_serial: int = 100_000_001, today: date | None = None
) -> Iterator[HouseholdRecord]:
    """Yield ``households`` households; national IDs are consecutive from ``first_serial``."""
    rng = random.Random(seed)
    today = today or date(2026, 1, 1)
    codes = [code for code, _, _ in REGIONS]
    weights = [share for _, _, share in REGIONS]
    serial = first_serial
    for index in range(households):
        family = rng.choice(FAMILY_NAMES)
        region = rng.choices(codes, weights)[0]
        household = HouseholdRecord(
            reference=f"H{seed:03d}{index:08d}",
            address=f"{rng.randint(1, 240)} {rng.choice(STREETS)}",
            region=region,
            monthly_rent=0.0 if rng.random() < 0.35 else float(rng.randrange(150, 950, 5)),
        )
        kind = rng.random()
        if kind < 0.15:  # older person or couple
            adults = [(_birth(rng, today, 65, 92), None) for _ in range(rng.choice([1, 2]))]
            children = 0
        else:
            adults = [(_birth(rng, today, 19, 60), None) for _ in range(rng.choice([1, 2, 2, 2]))]
            children = rng.choice([0, 0, 1, 1, 2, 2, 3, 4])
        for position, (birth, _) in enumerate(adults):
            sex = "female" if position == 0 else rng.choice(["male", "female", "male"])
            age = (today - birth).days // 365
            working = 18 <= age < 65 and rng.random() < 0.8
            income = round(rng.lognormvariate(6.6, 0.6), 2) if working else 0.0
            if age >= 65:
                income = round(rng.uniform(0, 400), 2)
            household.members.append(
                PersonRecord(
                    national_id=make_national_id(serial),
                    given_name=rng.choice(GIVEN_NAMES[sex]),
                    family_name=family,
                    birth_date=birth,
                    sex=sex,
                    monthly_income=income,
                    pregnant=sex == "female" and 18 <= age <= 42 and rng.random() < 0.06,
                    role="adult",
                )
            )
            serial += 1
        for _ in range(children):
            sex = rng.choice(["female", "male"])
            household.members.append(
                PersonRecord(
                    national_id=make_national_id(serial),
                    given_name=rng.choice(GIVEN_NAMES[sex]),
                    family_name=family,
                    birth_date=_birth(rng, today, 0, 17),
                    sex=sex,
                    monthly_income=0.0,
                    pregnant=False,
                    role="child",
                )
            )
            serial += 1
        yield household
