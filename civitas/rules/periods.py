"""Periods: a month, a year, or eternity.

A period is a small immutable tuple so it can key caches cheaply. Formulas run
at the period unit of their variable; selectors such as ``first_month`` or
``this_year`` move a read to another period.
"""

from __future__ import annotations

import functools
import re
from datetime import date
from typing import NamedTuple

MONTH = "month"
YEAR = "year"
ETERNITY = "eternity"
UNITS = (MONTH, YEAR, ETERNITY)

# Selectors a formula may put in brackets after a variable: name -> resulting unit.
SELECTORS = {
    "first_month": MONTH,
    "last_month": MONTH,
    "this_year": YEAR,
    "last_year": YEAR,
}

_PERIOD_RE = re.compile(r"^(\d{4})(?:-(\d{2}))?$")


class Period(NamedTuple):
    """``unit`` is month, year or eternity; ``month`` is 0 for years and eternity."""

    unit: str
    year: int
    month: int

    @property
    def start(self) -> date:
        if self.unit == ETERNITY:
            return date.min
        return date(self.year, self.month or 1, 1)

    @property
    def end(self) -> date:
        if self.unit == ETERNITY:
            return date.max
        if self.unit == YEAR:
            return date(self.year, 12, 31)
        nxt = date(self.year + (self.month == 12), self.month % 12 + 1, 1)
        return date.fromordinal(nxt.toordinal() - 1)

    def select(self, selector: str) -> Period:
        """The period a bracket selector designates, relative to this one."""
        if selector == "first_month":
            return Period(MONTH, self.year, self.month or 1)
        if selector == "this_year":
            return Period(YEAR, self.year, 0)
        if selector == "last_year":
            return Period(YEAR, self.year - 1, 0)
        if selector == "last_month":
            m = self.month or 1
            return Period(MONTH, self.year - (m == 1), 12 if m == 1 else m - 1)
        raise ValueError(f"unknown period selector {selector!r}")

    def months(self) -> list[Period]:
        if self.unit == MONTH:
            return [self]
        return [Period(MONTH, self.year, m) for m in range(1, 13)]

    def __str__(self) -> str:
        return _period_text(self)

    def text(self) -> str:
        if self.unit == ETERNITY:
            return "ETERNITY"
        if self.unit == YEAR:
            return f"{self.year:04d}"
        return f"{self.year:04d}-{self.month:02d}"


@functools.lru_cache(maxsize=4096)
def _period_text(period: Period) -> str:
    return period.text()


ETERNAL = Period(ETERNITY, 0, 0)


def month(year: int, month_: int) -> Period:
    return Period(MONTH, year, month_)


def parse_period(text: object) -> Period:
    """Parse ``YYYY-MM``, ``YYYY`` or ``ETERNITY``; raise ``ValueError`` with a plain message."""
    if type(text) is str:
        return _parse_text(text)
    return _parse(text)


@functools.lru_cache(maxsize=4096)
def _parse_text(text: str) -> Period:
    return _parse(text)


def _parse(text: object) -> Period:
    if isinstance(text, int) and not isinstance(text, bool) and 1000 <= text <= 9999:
        return Period(YEAR, text, 0)
    if isinstance(text, date):
        raise ValueError(f"period {text.isoformat()!r} is a day; use YYYY-MM or YYYY")
    if not isinstance(text, str):
        raise ValueError(f"period {text!r} is not of the form YYYY-MM, YYYY or ETERNITY")
    cleaned = text.strip()
    if cleaned.upper() == "ETERNITY":
        return ETERNAL
    m = _PERIOD_RE.match(cleaned)
    if not m:
        raise ValueError(f"period {text!r} is not of the form YYYY-MM, YYYY or ETERNITY")
    year = int(m.group(1))
    if m.group(2) is None:
        return Period(YEAR, year, 0)
    mo = int(m.group(2))
    if not 1 <= mo <= 12:
        raise ValueError(f"period {text!r} has month {mo}; months run from 01 to 12")
    return Period(MONTH, year, mo)


def period_for_unit(requested: Period, unit: str) -> Period:
    """The period of ``unit`` a request for ``requested`` designates (its start's month/year)."""
    if unit == ETERNITY:
        return ETERNAL
    if unit == requested.unit:
        return requested
    if unit == YEAR:
        return Period(YEAR, requested.year, 0)
    return Period(MONTH, requested.year, requested.month or 1)
