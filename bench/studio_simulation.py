"""The programme studio's simulation over 1,000,000 households, against the issue's budget.

Issue 9: "the simulation itself under 10 s on this machine". The studio compares a draft with the
version in force (or with no programme) using the rules engine's vectorised evaluator. There is no
open-source peer that simulates a benefit change from a browser on one small machine, so the
reference is the budget: the script prints each figure beside it and the ratio.

Population: synthetic persons and households built directly as Polars frames (the shape
``registry.frames.population_frames`` returns), with the demo country's regions and shares, 1-2
adults and 0-4 children per household, log-normal incomes and a third of households without
rent — drawn with numpy from a fixed seed, so every run sees the same people. Building the frames
is timed apart; reading them from the registry is measured by ``bench/payment_cycle.py``.

With ``--registry`` the population is instead read from the configured database
(``DATABASE_URL`` or ``CIVITAS_VAR_DIR``) exactly as the studio's simulation page reads it
(``registry.frames.population_frames`` then ``simulation.prepare``), and that read is timed and
counted: it is what a policy officer waits for, beside the engine.

Two comparisons, each timed end to end (``studio.simulation.compare``: both versions evaluated,
gainers/losers, totals, by income decile and region):

1. a flat emergency payment (studio template) against no programme;
2. a child-benefit top-up (studio template) against child benefit as the demo country has it.

Each line gives the engine's time and the time a person waits (frames + engine), each as wall
time and as CPU time (this process and the registry reader's process together: on a shared
machine the CPU time is the steadier figure). The machine's load average is printed before and
after, since other work on the machine changes the figures.

With ``--progress`` each step is run as the studio's background task runs it: with a progress
callback (the registry read's and the engine's), which here only counts its calls, so the line
shows what reporting progress costs.

    python bench/studio_simulation.py                   # 1,000,000 households, built in memory
    python bench/studio_simulation.py --households 200000 --progress
    CIVITAS_VAR_DIR=/srv/civitas python bench/studio_simulation.py --registry [--progress]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BUDGET_SECONDS = 10.0
PERIOD = "2026-12"


def population(households: int, seed: int = 2026):
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(seed)
    regions = np.array(["capital", "north", "south", "east", "west"])
    region = regions[rng.choice(5, households, p=[0.30, 0.15, 0.20, 0.20, 0.15])]
    rent = np.where(rng.random(households) < 0.35, 0.0, rng.integers(30, 190, households) * 5.0)
    adults = rng.choice([1, 2, 2, 2], households)
    children = rng.choice([0, 0, 1, 1, 2, 2, 3, 4], households)
    sizes = adults + children
    household_id = np.repeat(np.arange(1, households + 1, dtype=np.int64), sizes)
    start = np.repeat(np.cumsum(sizes) - sizes, sizes)
    position = np.arange(len(household_id)) - start
    is_adult = position < np.repeat(adults, sizes)
    n = len(household_id)
    today = np.datetime64("2026-01-01")
    adult_age = rng.integers(19 * 365, 80 * 365, n)
    child_age = rng.integers(0, 18 * 365, n)
    birth = today - np.where(is_adult, adult_age, child_age).astype("timedelta64[D]")
    working = is_adult & (rng.random(n) < 0.8)
    income = np.where(working, np.round(rng.lognormal(6.6, 0.6, n), 2), 0.0)
    persons = pl.DataFrame(
        {
            "person_id": np.arange(1, n + 1, dtype=np.int64),
            "household_id": household_id,
            "role": np.where(is_adult, "adult", "child"),
            "birth": birth.astype("datetime64[D]"),
            "sex": np.where(rng.random(n) < 0.5, "female", "male"),
            "income": income,
            "pregnant": is_adult & (rng.random(n) < 0.01),
        }
    ).with_columns(pl.col("birth").cast(pl.Date))
    frame = pl.DataFrame(
        {
            "household_id": np.arange(1, households + 1, dtype=np.int64),
            "rent": rent,
            "region": region,
        }
    )
    return persons, frame


def _cpu() -> float:
    """CPU seconds of this process and of the children it waited for (the registry reader)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


class Calls:
    """A progress callback that counts its calls and keeps the last one."""

    def __init__(self) -> None:
        self.count = 0
        self.last: tuple[int, int] | None = None

    def __call__(self, done: int, total: int) -> None:
        self.count += 1
        self.last = (done, total)

    def __str__(self) -> str:
        return f", {self.count} progress calls, last {self.last}"


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} CPUs"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument(
        "--registry",
        action="store_true",
        help="read the population from the configured database, as the studio does",
    )
    parser.add_argument(
        "--progress",
        action="store_true",
        help="with progress callbacks, as the studio's background task runs it",
    )
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civitas.config.settings")
    os.environ.setdefault("CIVITAS_ENV", "test")
    import django

    django.setup()
    from civitas import rules
    from civitas.studio import emergency, simulation

    print(_load())
    started, cpu = time.perf_counter(), _cpu()
    read_calls = Calls() if args.progress else None
    if args.registry:
        import inspect

        from civitas.registry.frames import population_frames

        hook = "progress" in inspect.signature(population_frames).parameters
        read = population_frames(progress=read_calls) if hook and read_calls else None
        persons, households = simulation.prepare(*(read or population_frames()))
        source = "read from the registry"
    else:
        persons, households = simulation.prepare(*population(args.households))
        source = "built in memory"
    frames, frames_cpu = time.perf_counter() - started, _cpu() - cpu
    print(
        f"population: {households.height:,} households, {persons.height:,} persons "
        f"({source} in {frames:.2f} s, CPU {frames_cpu:.2f} s"
        f"{read_calls if read_calls and read_calls.count else ''})"
    )

    child_benefit = {
        str(p.relative_to(ROOT / "civitas/demo/programmes/child-benefit")): p.read_text()
        for p in sorted((ROOT / "civitas/demo/programmes/child-benefit").rglob("*.yaml"))
    }
    flat = emergency.flat_payment(
        slug="flood-relief",
        label="Flood relief",
        start=date(2026, 12, 1),
        end=date(2027, 2, 28),
        reference="Flood Emergency Decree 2026, art. 2",
    )
    top_up = emergency.top_up(
        base=child_benefit,
        start=date(2026, 12, 1),
        end=date(2027, 1, 31),
        reference="Cost of Living Decree 2026, art. 1",
    )
    cases = [
        ("flat emergency payment vs no programme", simulation.nothing(), flat),
        ("child-benefit top-up vs child benefit", rules.load_from_mapping(child_benefit), top_up),
    ]
    for label, baseline, files in cases:
        reform = rules.load_from_mapping(files)
        calls = Calls() if args.progress else None
        started, cpu = time.perf_counter(), _cpu()
        report = simulation.compare(baseline, reform, PERIOD, persons, households, progress=calls)
        seconds, seconds_cpu = time.perf_counter() - started, _cpu() - cpu
        waited = frames + seconds
        print(
            f"{label}: engine {seconds:.2f} s (CPU {seconds_cpu:.2f} s{calls or ''}), with the "
            f"frames {waited:.2f} s (budget {BUDGET_SECONDS:.0f} s, {waited / BUDGET_SECONDS:.2f} "
            f"of it) — gainers {report['gainers']:,}, losers {report['losers']:,}, monthly cost "
            f"{report['baseline_total']:,.0f} → {report['reform_total']:,.0f} CVT"
        )
    print(_load())


if __name__ == "__main__":
    main()
