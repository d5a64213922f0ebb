"""Civitas rules engine: programmes as dated, referenced, tested rules.

Pure Python (numpy, polars, pyarrow, pyyaml); imports nothing from Django or
other Civitas apps. ``README.md`` in this folder describes the format and API.

    programme = load("civitas/demo/programmes/child-benefit")   # or load_from_mapping({...})
    result = explain(programme, situation, "2025-03")           # values + explanation tree
    batch = evaluate_population(programme, "2025-03", persons, households)
    report = simulate(baseline, reform, "2025-03", persons, households)
"""

from civitas.rules.api import Determination, calculate_response, evaluate, explain
from civitas.rules.batch import PopulationResult, evaluate_population
from civitas.rules.errors import (
    EvaluationError,
    InputDataError,
    ProgrammeError,
    RulesError,
    SituationError,
)
from civitas.rules.explanation import Explanation
from civitas.rules.loader import load_programme, load_programme_from_sources
from civitas.rules.model import Parameter, Programme, Scale, Variable
from civitas.rules.simulate import GroupImpact, SimulationReport, simulate
from civitas.rules.yamltests import TestOutcome, programme_tests, run_path, run_test

load = load_programme
load_from_mapping = load_programme_from_sources

__all__ = [
    "Determination",
    "EvaluationError",
    "Explanation",
    "GroupImpact",
    "InputDataError",
    "Parameter",
    "PopulationResult",
    "Programme",
    "ProgrammeError",
    "RulesError",
    "Scale",
    "SimulationReport",
    "SituationError",
    "TestOutcome",
    "Variable",
    "calculate_response",
    "evaluate",
    "evaluate_population",
    "explain",
    "load",
    "load_from_mapping",
    "load_programme",
    "load_programme_from_sources",
    "programme_tests",
    "run_path",
    "run_test",
    "simulate",
]
