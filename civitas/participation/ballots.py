"""Ballot formats and their rules, checked before anything is stored.

approval    a list of projects, between ``min_projects`` and ``max_projects`` of them
knapsack    a list of projects whose costs add up to no more than the district's amount
cumulative  points given to projects, at most ``points`` in total, on ``min``..``max`` projects

A ballot is stored in a canonical form (sorted codes, or codes to points without zeros), so two
identical ballots look identical and the form says nothing about the order the voter clicked.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from civitas.participation.models import Budget, District, Project
from civitas.participation.models.budgets import BallotFormat
from civitas.participation.pb import BallotFormat as PbFormat
from civitas.participation.pb import BallotRejected, BallotRules


class BallotRefused(ValueError):
    """The ballot breaks the rules of this budget; the message says which and by how much."""


def _count_limits(budget: Budget, count: int) -> None:
    if count < budget.min_projects:
        raise BallotRefused(
            ngettext(
                "Choose at least %(n)s project.",
                "Choose at least %(n)s projects.",
                budget.min_projects,
            )
            % {"n": budget.min_projects}
        )
    if budget.max_projects is not None and count > budget.max_projects:
        raise BallotRefused(
            ngettext(
                "You chose %(count)s projects: choose at most %(n)s project.",
                "You chose %(count)s projects: choose at most %(n)s projects.",
                budget.max_projects,
            )
            % {"count": count, "n": budget.max_projects}
        )


def normalise(budget: Budget, district: District, raw: Any, projects: dict[str, Project]):
    """The canonical ballot, or ``BallotRefused`` with the reason.

    Our own checks give the reason in the voter's language; the algorithm core's ballot rules
    (the ones a Pabulib import applies) then check the same ballot again, so a ballot the web
    accepts is always one the tally accepts.
    """
    canonical = _normalise(budget, district, raw, projects)
    _core_check(budget, district, canonical, projects)
    return canonical


def _core_check(budget: Budget, district: District, canonical, projects) -> None:
    pb_format = PbFormat(budget.ballot_format)
    rules = BallotRules(
        ballot_format=pb_format,
        min_length=budget.min_projects or None,
        max_length=budget.max_projects,
        max_sum_cost=Fraction(district.amount) if pb_format is PbFormat.KNAPSACK else None,
        max_sum_points=Fraction(budget.points) if budget.points else None,
    )
    codes = list(canonical)
    points = [Fraction(v) for v in canonical.values()] if isinstance(canonical, dict) else None
    try:
        rules.check(codes, points, {c: Fraction(p.cost) for c, p in projects.items()})
    except BallotRejected as exc:
        raise BallotRefused(str(exc)) from None


def _normalise(budget: Budget, district: District, raw: Any, projects: dict[str, Project]):
    if budget.ballot_format == BallotFormat.CUMULATIVE:
        return _cumulative(budget, raw, projects)
    codes = [str(c) for c in (raw or [])]
    if len(set(codes)) != len(codes):
        raise BallotRefused(_("Each project can be chosen only once."))
    unknown = [c for c in codes if c not in projects]
    if unknown:
        raise BallotRefused(_("Some chosen projects are not on this district's list."))
    _count_limits(budget, len(codes))
    if budget.ballot_format == BallotFormat.KNAPSACK:
        total = sum((projects[c].cost for c in codes), Decimal(0))
        if total > district.amount:
            raise BallotRefused(
                _(
                    "Your projects cost %(total)s %(currency)s together, which is %(over)s over "
                    "the district's budget of %(amount)s: remove a project."
                )
                % {
                    "total": f"{total:,.0f}",
                    "over": f"{total - district.amount:,.0f}",
                    "amount": f"{district.amount:,.0f}",
                    "currency": budget.currency,
                }
            )
    return sorted(codes)


def _cumulative(budget: Budget, raw: Any, projects: dict[str, Project]) -> dict[str, int]:
    given: dict[str, int] = {}
    for code, value in dict(raw or {}).items():
        code = str(code)
        if code not in projects:
            raise BallotRefused(_("Some chosen projects are not on this district's list."))
        try:
            points = int(value or 0)
        except (TypeError, ValueError):
            raise BallotRefused(_("Give points as whole numbers.")) from None
        if points < 0:
            raise BallotRefused(_("Points cannot be negative."))
        if points:
            given[code] = points
    total = sum(given.values())
    allowed = budget.points or 0
    if total > allowed:
        raise BallotRefused(
            _("You gave %(total)s points: you have %(allowed)s to share. Remove %(over)s.")
            % {"total": total, "allowed": allowed, "over": total - allowed}
        )
    _count_limits(budget, len(given))
    return dict(sorted(given.items()))
