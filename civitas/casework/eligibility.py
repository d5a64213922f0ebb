"""The rules engine seen from the back office.

One application is assessed with the programmes app's bridge (registry household overridden by
the answers, explained in plain sentences with legal references). A whole population — payment
cycles, proactive enrolment — goes through the vectorised engine with Polars frames read from the
registry. The demo programmes, and any programme written for Civitas, expose the household-level
outputs ``eligible`` and ``amount``.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import polars as pl
from django.utils.translation import gettext as _

from civitas import rules
from civitas.casework.errors import ActionRefused
from civitas.programs.assessment import REGION_ALIASES, pre_assess, rules_for

CENT = Decimal("0.01")
_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_period(text: str) -> str:
    """A month written YYYY-MM, or ActionRefused saying how to write it."""
    value = (text or "").strip()
    if not _PERIOD.match(value):
        raise ActionRefused(
            _("The period must be a month written YYYY-MM, like 2026-03 (got %(value)r).")
            % {"value": value}
        )
    return value


def period_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def money(value: Any) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def programme_of(version):
    return rules_for(version)


def assess_application(application, *, person=None) -> dict | None:
    """The rules' view of ``application`` today (None when it cannot be computed)."""
    return pre_assess(
        version=application.program_version,
        person=person if person is not None else application.person,
        answers=application.answers,
    )


def evaluate_frames(
    version, *, period: str, persons: pl.DataFrame, households: pl.DataFrame, progress=None
) -> pl.DataFrame:
    """``household_id, eligible, amount`` for every household, with the vectorised engine."""
    if households.height == 0:
        return pl.DataFrame(
            schema={"household_id": pl.Int64, "eligible": pl.Boolean, "amount": pl.Float64}
        )
    households = households.with_columns(pl.col("region").replace(REGION_ALIASES))
    result = rules.evaluate_population(
        programme_of(version),
        period,
        persons,
        households,
        ["eligible", "amount"],
        progress=progress,
    )
    return result.households.select(
        pl.col("household_id").cast(pl.Int64),
        pl.col("eligible").cast(pl.Boolean),
        pl.col("amount").cast(pl.Float64).round(2),
    )
