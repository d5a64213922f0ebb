"""Compare two versions of a programme over one population.

Reports how many households gain, lose or see no change, the total cost of each
version, and the difference by income decile and by region, for one output
variable (by default ``amount``, the monthly amount every Civitas programme
exposes).

With a ``progress`` callback, ``simulate`` reports ``(done, households)`` as the evaluator
finishes each of its blocks (about 30,000 persons each), so a long run can show how far it
has got; without one it does nothing more.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import polars as pl

from civitas.rules.batch import evaluate_arrays
from civitas.rules.errors import InputDataError
from civitas.rules.model import Programme
from civitas.rules.periods import Period, parse_period, period_for_unit
from civitas.rules.population import build_population

UNCHANGED_WITHIN = 0.005  # differences below half a cent count as no change
Progress = Callable[[int, int], None]  # (households done, households in all)


@dataclass
class GroupImpact:
    group: str  # decile number ("1" = lowest income) or region code
    households: int
    baseline_total: float
    reform_total: float
    difference: float
    gainers: int
    losers: int


@dataclass
class SimulationReport:
    period: str
    variable: str
    baseline: str
    reform: str
    households: int
    gainers: int
    losers: int
    unchanged: int
    baseline_total: float
    reform_total: float
    by_decile: list[GroupImpact]
    by_region: list[GroupImpact]

    @property
    def difference(self) -> float:
        return self.reform_total - self.baseline_total

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["difference"] = self.difference
        return out


def simulate(
    baseline: Programme,
    reform: Programme,
    period: str | Period,
    persons: pl.DataFrame,
    households: pl.DataFrame,
    *,
    variable: str = "amount",
    income: str = "income",
    region: str | None = "region",
    progress: Progress | None = None,
) -> SimulationReport:
    """Evaluate ``variable`` under both versions for every household and compare.

    ``income`` ranks households into deciles: a households column, a persons column
    (added up per household) or a household variable of the baseline. ``region``
    names a households column; None (or a missing column) skips the regional view.

    ``progress`` is called with ``(done, households)``: ``(0, households)`` first, then
    after each block of the evaluator, ``done`` rising, and ``(households, households)``
    last, once the report is made. Each evaluation of the population (baseline, reform
    and, when income is a variable, income) and the ranking and grouping after them
    count for an equal share of ``households``. The report is the same with or without it.
    """
    per = period if isinstance(period, Period) else _period(period)
    tables = {"person": persons, "household": households}
    # evaluations of the population, then ranking and grouping (each an equal share)
    passes = 2 if income in households.columns or income in persons.columns else 3
    steps = _Steps(progress, households.height, passes + 1) if progress is not None else None
    if steps is not None:
        steps(0, households.height)
    before = _household_values(baseline, per, tables, variable, _stage(steps, 0))
    after = _household_values(reform, per, tables, variable, _stage(steps, 1))
    pop = build_population(baseline, tables, [])
    incomes = _incomes(baseline, per, tables, pop, income, _stage(steps, 2))
    diff = after - before
    gain = diff > UNCHANGED_WITHIN
    lose = diff < -UNCHANGED_WITHIN
    n = len(before)
    order = np.argsort(incomes, kind="stable")
    decile = np.empty(n, dtype=np.int64)
    decile[order] = np.arange(n) * 10 // max(n, 1)
    by_decile = _groups(decile, [str(d + 1) for d in range(10)], before, after, gain, lose)
    by_region: list[GroupImpact] = []
    if region and region in households.columns:
        codes = households[region].cast(pl.String).fill_null("(none)")
        names = sorted(codes.unique().to_list())
        region_codes = codes.cast(pl.Enum(names)).to_physical().to_numpy().astype(np.int64)
        by_region = _groups(region_codes, names, before, after, gain, lose)
    report = SimulationReport(
        period=str(per),
        variable=variable,
        baseline=f"{baseline.name} {baseline.version}".strip(),
        reform=f"{reform.name} {reform.version}".strip(),
        households=n,
        gainers=int(gain.sum()),
        losers=int(lose.sum()),
        unchanged=int(n - gain.sum() - lose.sum()),
        baseline_total=float(before.sum()),
        reform_total=float(after.sum()),
        by_decile=by_decile,
        by_region=by_region,
    )
    if steps is not None:
        steps(n, n)
    return report


class _Steps:
    """Progress over several stages, as one count of households: stage ``k`` of ``passes``
    covers ``[k * households / passes, (k + 1) * households / passes]``. Repeated counts are
    told once."""

    def __init__(self, progress: Progress, households: int, passes: int) -> None:
        self.progress = progress
        self.households = households
        self.passes = passes
        self.told = -1

    def __call__(self, done: int, total: int) -> None:
        if done > self.told:
            self.told = done
            self.progress(done, total)

    def stage(self, k: int) -> Progress:
        n, passes = self.households, self.passes

        def block(done: int, total: int) -> None:
            part = done * n // total if total > 0 else n
            self((k * n + min(part, n)) // passes, n)

        return block


def _stage(steps: _Steps | None, k: int) -> Progress | None:
    return steps.stage(k) if steps is not None else None


def _period(text: str) -> Period:
    try:
        return parse_period(text)
    except ValueError as exc:
        raise InputDataError(str(exc)) from None


def _household_values(
    programme: Programme,
    per: Period,
    tables: dict[str, pl.DataFrame],
    variable: str,
    progress: Progress | None = None,
) -> np.ndarray:
    var = programme.variables.get(variable)
    if var is None:
        raise InputDataError(f"{programme.name} has no variable {variable!r}")
    if var.value_type.kind not in ("float", "int", "bool"):
        raise InputDataError(f"{variable} is not a number, so it has no total")
    needed = [v for v in programme.dependencies([variable]) if programme.variables[v].is_input]
    pop = build_population(programme, tables, needed)
    values = evaluate_arrays(programme, per, pop, [variable], progress=progress)[variable]
    values = values.astype(np.float64)
    if var.entity == "household":
        return values
    if programme.entities[var.entity].is_person:
        return np.bincount(
            pop.links["household"].index, weights=values, minlength=pop.counts["household"]
        )
    raise InputDataError(f"{variable} is a {var.entity} variable; compare household values")


def _incomes(
    programme: Programme,
    per: Period,
    tables: dict[str, pl.DataFrame],
    pop: Any,
    income: str,
    progress: Progress | None = None,
) -> np.ndarray:
    households, persons = tables["household"], tables["person"]
    if income in households.columns:
        return households[income].cast(pl.Float64).fill_null(0).to_numpy()
    if income in persons.columns:
        values = persons[income].cast(pl.Float64).fill_null(0).to_numpy()
        return np.bincount(
            pop.links["household"].index, weights=values, minlength=pop.counts["household"]
        )
    var = programme.variables.get(income)
    if var is not None and var.entity == "household":
        needed = [v for v in programme.dependencies([income]) if programme.variables[v].is_input]
        full = build_population(programme, tables, needed)
        p = period_for_unit(per, var.period_unit)
        values = evaluate_arrays(programme, p, full, [income], progress=progress)[income]
        return values.astype(np.float64)
    raise InputDataError(
        f"income {income!r} is neither a households or persons column nor a "
        "household variable; it is needed to rank households into deciles"
    )


def _groups(
    codes: np.ndarray,
    names: list[str],
    before: np.ndarray,
    after: np.ndarray,
    gain: np.ndarray,
    lose: np.ndarray,
) -> list[GroupImpact]:
    k = len(names)
    count = np.bincount(codes, minlength=k)
    b = np.bincount(codes, weights=before, minlength=k)
    a = np.bincount(codes, weights=after, minlength=k)
    g = np.bincount(codes, weights=gain.astype(np.float64), minlength=k)
    lo = np.bincount(codes, weights=lose.astype(np.float64), minlength=k)
    return [
        GroupImpact(
            names[i],
            int(count[i]),
            float(b[i]),
            float(a[i]),
            float(a[i] - b[i]),
            int(g[i]),
            int(lo[i]),
        )
        for i in range(k)
    ]
