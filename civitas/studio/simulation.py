"""A draft against the version in force (or against no programme) over the registry population,
with the rules engine's vectorised evaluator.

``compare`` is the pure part (polars frames in, a JSON-ready report out) that the benchmark runs
over a million households; ``simulate_version`` reads the registry and calls it.

``simulate_version`` reports progress through two optional callbacks: ``reading`` while the
registry is read (``(done, total)`` in rows of work, persons and households read and persons'
encrypted cells decrypted, see ``registry.frames.population_frames``), then ``progress`` while the
engine compares the versions (``(households done, households)``, after each of the engine's own
blocks, see ``rules.simulate``). Neither changes the report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from civitas import rules
from civitas.programs.assessment import REGION_ALIASES, rules_for
from civitas.programs.models import ProgramVersion, VersionStatus
from civitas.studio import selectors

NO_PROGRAMME = "no programme"
Progress = Callable[[int, int], None]  # (done, in all): rows of the read, households compared

# A programme that pays nobody: the baseline of a programme that does not exist yet.
_NOTHING = {
    "programme.yaml": "name: no-programme\nlabel: No programme\noutputs: [amount]\n",
    "variables.yaml": (
        "income:\n  entity: person\n  type: float\n  period: month\n"
        "amount:\n  entity: household\n  type: float\n  period: month\n  formula: 0\n"
    ),
}


class SimulationRefused(ValueError):
    """The simulation cannot run; the message says why."""


@dataclass
class Outcome:
    baseline_label: str
    report: dict


def nothing() -> rules.Programme:
    return rules.load_from_mapping(_NOTHING)


def prepare(persons: pl.DataFrame, households: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Registry frames as the rules read them: region codes by the rules' names."""
    if REGION_ALIASES and "region" in households.columns:
        households = households.with_columns(pl.col("region").replace(REGION_ALIASES))
    return persons, households


def compare(
    baseline: rules.Programme,
    reform: rules.Programme,
    period: str,
    persons: pl.DataFrame,
    households: pl.DataFrame,
    *,
    progress: Progress | None = None,
) -> dict:
    """The engine's comparison of ``reform`` with ``baseline`` as a JSON-ready dict; ``progress``
    is passed to the engine, which reports ``(households done, households)`` as it goes."""
    return rules.simulate(
        baseline, reform, period, persons, households, progress=progress
    ).to_dict()


def simulate_version(
    version: ProgramVersion,
    *,
    period: str,
    progress: Progress | None = None,
    reading: Progress | None = None,
) -> Outcome:
    """Read the registry and compare ``version`` with its baseline. ``reading`` is told
    ``(done, total)`` as the registry is read; ``progress`` is told ``(0, households)`` once it
    is read, then ``(households compared, households)`` as the engine goes."""
    from civitas.registry.frames import population_frames

    checked = selectors.validate_rules(dict(version.rules), name=version.program.slug)
    if not checked.ok:
        raise SimulationRefused("The rules do not load: fix the errors shown next to the files.")
    in_force = version.program.version_in_force()
    if in_force is not None and in_force.pk != version.pk:
        baseline = rules_for(in_force)
        label = f"v{in_force.number} ({VersionStatus.IN_FORCE.label})"
    else:
        baseline, label = nothing(), NO_PROGRAMME
    persons, households = prepare(*population_frames(progress=reading))
    if households.height == 0:
        raise SimulationRefused("The registry holds no households to simulate.")
    try:
        report = compare(
            baseline, checked.programme, period, persons, households, progress=progress
        )
    except rules.RulesError as exc:
        raise SimulationRefused(str(exc)) from None
    return Outcome(label, report)
