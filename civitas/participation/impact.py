"""What a draft programme version would change: the rules engine over the registry's population.

The draft and the version in force are both run over every household in the registry for the same
month. The result is aggregates only — gainers, losers, cost, by income decile and by region — so it
can be shown to the public and published as open data. One household's own change (for the citizen
who asks about theirs) is computed the same way on that household alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl
from django.utils.translation import gettext as _

from civitas import rules
from civitas.programs.models import ProgramVersion, VersionStatus
from civitas.registry.models import Household, Membership, Region

EPSILON = 0.005  # changes smaller than half a cent are "no change"


class ImpactError(Exception):
    """The simulation cannot run; the message says why in words a policy author can act on."""


@dataclass(frozen=True)
class Rules:
    programme: object | None  # a loaded rules.Programme, or None when nothing is in force
    label: str


def _load(version: ProgramVersion | None, what: str) -> Rules:
    if version is None:
        return Rules(None, _("nothing in force"))
    if not version.rules:
        raise ImpactError(_("The %(what)s has no rules to simulate.") % {"what": what})
    try:
        programme = rules.load_programme_from_sources(
            version.rules, default_name=version.program.slug
        )
    except rules.RulesError as exc:
        raise ImpactError(
            _("The rules of the %(what)s cannot be loaded: %(error)s")
            % {"what": what, "error": str(exc).splitlines()[0]}
        ) from None
    return Rules(programme, f"{version.program.slug} v{version.number}")


def baseline_for(draft: ProgramVersion) -> ProgramVersion | None:
    return (
        ProgramVersion.objects.filter(program=draft.program, status=VersionStatus.IN_FORCE)
        .exclude(pk=draft.pk)
        .order_by("-number")
        .first()
    )


def period_for(draft: ProgramVersion, today: date) -> str:
    """The month to simulate: the draft's first month, or this month if that is past."""
    day = max(draft.effective_from, today)
    return f"{day.year:04d}-{day.month:02d}"


@dataclass
class Population:
    persons: pl.DataFrame
    households: pl.DataFrame
    income: np.ndarray  # monthly income of each household (members' incomes summed)
    size: np.ndarray  # members per household
    region: np.ndarray  # region code per household


def registry_population(*, household_ids: list[int] | None = None) -> Population:
    """Persons and households from the registry in the rules engine's input shape."""
    members = Membership.objects.all()
    homes = Household.objects.all()
    if household_ids is not None:
        members = members.filter(household_id__in=household_ids)
        homes = homes.filter(pk__in=household_ids)
    rows = list(
        members.order_by("household_id", "pk").values_list(
            "person_id",
            "household_id",
            "role",
            "person__birth_date",
            "person__sex",
            "person__monthly_income",
            "person__pregnant",
        )
    )
    home_rows = list(homes.order_by("pk").values_list("pk", "monthly_rent", "region__code"))
    persons = pl.DataFrame(
        {
            "person_id": [r[0] for r in rows],
            "household_id": [r[1] for r in rows],
            "role": [r[2] for r in rows],
            "birth": [r[3] for r in rows],
            "sex": [r[4] for r in rows],
            "income": [float(r[5]) for r in rows],
            "pregnant": [bool(r[6]) for r in rows],
        },
        schema={
            "person_id": pl.Int64,
            "household_id": pl.Int64,
            "role": pl.Utf8,
            "birth": pl.Date,
            "sex": pl.Utf8,
            "income": pl.Float64,
            "pregnant": pl.Boolean,
        },
    )
    households = pl.DataFrame(
        {
            "household_id": [h[0] for h in home_rows],
            "rent": [float(h[1]) for h in home_rows],
            "region": [h[2] for h in home_rows],
        },
        schema={"household_id": pl.Int64, "rent": pl.Float64, "region": pl.Utf8},
    )
    position = {h[0]: i for i, h in enumerate(home_rows)}
    income = np.zeros(len(home_rows))
    size = np.zeros(len(home_rows), dtype=np.int64)
    for r in rows:
        i = position[r[1]]
        income[i] += float(r[5])
        size[i] += 1
    region = np.array([h[2] for h in home_rows], dtype=object)
    return Population(persons, households, income, size, region)


def _amounts(rules_: Rules, population: Population, variable: str, period: str) -> np.ndarray:
    count = population.households.height
    if rules_.programme is None:
        return np.zeros(count)
    programme = rules_.programme
    var = programme.variables.get(variable)
    if var is None or var.entity != "household":
        raise ImpactError(
            _("The rules %(label)s have no household amount called “%(variable)s”.")
            % {"label": rules_.label, "variable": variable}
        )
    try:
        result = rules.evaluate_population(
            programme, period, population.persons, population.households, [variable]
        )
    except rules.RulesError as exc:
        raise ImpactError(str(exc).splitlines()[0]) from None
    values = result.households.get_column(variable).to_numpy().astype(float)
    return np.nan_to_num(values)


def _yearly_factor(rules_: Rules, variable: str) -> int:
    programme = rules_.programme
    if programme is None:
        return 12
    var = programme.variables.get(variable)
    return 12 if var is not None and var.period_unit == "month" else 1


def deciles(per_person_income: np.ndarray) -> np.ndarray:
    """Income decile (1 = poorest tenth) of each household, ties kept in registry order."""
    n = len(per_person_income)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.argsort(per_person_income, kind="stable")
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    return rank * 10 // n + 1


def _group(delta: np.ndarray, base: np.ndarray, new: np.ndarray, mask: np.ndarray) -> dict:
    d = delta[mask]
    return {
        "households": int(mask.sum()),
        "gainers": int((d > EPSILON).sum()),
        "losers": int((d < -EPSILON).sum()),
        "baseline_total": round(float(base[mask].sum()), 2),
        "draft_total": round(float(new[mask].sum()), 2),
        "change_total": round(float(d.sum()), 2),
        "change_mean": round(float(d.mean()), 2) if len(d) else 0.0,
    }


def simulate(draft: ProgramVersion, *, variable: str, today: date) -> dict:
    """Aggregates of the draft against the version in force over the whole registry.

    Uses the rules engine's ``simulate`` (both versions over the same population, compared by
    income decile and region). Households are ranked into deciles by monthly income per person.
    A draft with nothing in force before it is compared with zero.
    """
    baseline_version = baseline_for(draft)
    baseline = _load(baseline_version, _("version in force"))
    proposed = _load(draft, _("draft"))
    period = period_for(draft, today)
    population = registry_population()
    if population.households.height == 0:
        raise ImpactError(_("The registry has no households to simulate."))
    names = dict(Region.objects.values_list("code", "name"))
    factor = _yearly_factor(proposed, variable)
    if baseline.programme is None:
        result = _against_nothing(proposed, population, variable, period, names)
    else:
        households = population.households.with_columns(
            pl.Series("income_per_person", population.income / np.maximum(population.size, 1))
        )
        try:
            report = rules.simulate(
                baseline.programme,
                proposed.programme,
                period,
                population.persons,
                households,
                variable=variable,
                income="income_per_person",
                region="region",
            )
        except rules.RulesError as exc:
            raise ImpactError(str(exc).splitlines()[0]) from None
        result = {
            "summary": {
                "households": report.households,
                "gainers": report.gainers,
                "losers": report.losers,
                "unchanged": report.unchanged,
                "baseline_total": round(report.baseline_total, 2),
                "draft_total": round(report.reform_total, 2),
                "change_total": round(report.difference, 2),
                "change_mean": round(report.difference / max(report.households, 1), 2),
            },
            "by_decile": [
                {"decile": int(g.group), **_group_of(g)} for g in report.by_decile if g.households
            ],
            "by_region": sorted(
                (
                    {"region": g.group, "name": names.get(g.group, g.group), **_group_of(g)}
                    for g in report.by_region
                ),
                key=lambda r: r["name"],
            ),
        }
    result["summary"]["persons"] = population.persons.height
    result["summary"]["yearly_cost"] = round(result["summary"]["change_total"] * factor, 2)
    return {
        "period": period,
        "variable": variable,
        "baseline": baseline.label,
        "draft": proposed.label,
        "yearly_factor": factor,
        **result,
    }


def _group_of(g) -> dict:
    return {
        "households": g.households,
        "gainers": g.gainers,
        "losers": g.losers,
        "baseline_total": round(g.baseline_total, 2),
        "draft_total": round(g.reform_total, 2),
        "change_total": round(g.difference, 2),
        "change_mean": round(g.difference / g.households, 2) if g.households else 0.0,
    }


def _against_nothing(proposed: Rules, population, variable: str, period: str, names) -> dict:
    """A new programme: every amount it pays is a gain, grouped the same way."""
    new = _amounts(proposed, population, variable, period)
    base = np.zeros_like(new)
    delta = new - base
    decile = deciles(population.income / np.maximum(population.size, 1))
    everyone = np.ones(len(delta), dtype=bool)
    summary = _group(delta, base, new, everyone)
    summary["unchanged"] = summary["households"] - summary["gainers"] - summary["losers"]
    return {
        "summary": summary,
        "by_decile": [
            {"decile": d, **_group(delta, base, new, decile == d)}
            for d in range(1, 11)
            if (decile == d).any()
        ],
        "by_region": [
            {"region": code, "name": names.get(code, code), **_group(delta, base, new, mask)}
            for code in sorted(set(population.region.tolist()), key=lambda c: names.get(c, c))
            for mask in [population.region == code]
        ],
    }


def household_change(draft: ProgramVersion, *, household_id: int, variable: str, today: date):
    """What the draft would change for one household: (before, after) monthly amounts."""
    baseline = _load(baseline_for(draft), _("version in force"))
    proposed = _load(draft, _("draft"))
    period = period_for(draft, today)
    population = registry_population(household_ids=[household_id])
    if population.households.height == 0:
        return None
    before = float(_amounts(baseline, population, variable, period)[0])
    after = float(_amounts(proposed, population, variable, period)[0])
    return {"period": period, "before": round(before, 2), "after": round(after, 2)}
