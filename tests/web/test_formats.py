"""Amounts and dates follow the reader's language."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from civitas.web.templatetags.design import long_date, money


@pytest.mark.parametrize(
    ("language", "amount", "expected"),
    [
        ("en", Decimal("1250.5"), "1,250.50\u00a0CVT"),
        ("fr", Decimal("1250.5"), "1\u00a0250,50\u00a0CVT"),
        ("en", 55, "55\u00a0CVT"),
        ("fr", "55.00", "55\u00a0CVT"),
    ],
)
def test_money_is_written_the_local_way(language, amount, expected, settings):
    settings.CIVITAS_CURRENCY = "CVT"
    with translation.override(language):
        assert money(amount) == expected


def test_money_leaves_what_is_not_a_number():
    assert money(None) == "" and money("n/a") == "n/a"


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "April 12, 1991"), ("fr", "12 avril 1991"), ("ar", "12 إبريل، 1991")],
)
def test_dates_are_written_the_local_way(language, expected):
    with translation.override(language):
        assert long_date(date(1991, 4, 12)) == expected
