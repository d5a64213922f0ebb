"""Loading programmes: every problem names file, line and cause; nothing loads half-way."""

from __future__ import annotations

import pytest

from civitas.rules import ProgrammeError, load_programme, load_programme_from_sources

from .conftest import SAMPLER, TEMPLATE

INPUTS = """
salary: {entity: person, type: float, period: month}
rent: {entity: household, type: float, period: month}
"""


def load(**files: str):
    sources = {"programme.yaml": "name: t\n", "variables/inputs.yaml": INPUTS}
    sources.update({k.replace("__", "/").replace("_yaml", ".yaml"): v for k, v in files.items()})
    return load_programme_from_sources(sources)


def error_of(**files: str) -> ProgrammeError:
    with pytest.raises(ProgrammeError) as caught:
        load(**files)
    return caught.value


def test_a_folder_and_the_same_files_in_memory_load_to_the_same_programme():
    from_disk = load_programme(TEMPLATE)
    in_memory = load_programme_from_sources(from_disk.sources)
    assert set(in_memory.variables) == set(from_disk.variables)
    assert set(in_memory.parameters) == set(from_disk.parameters)
    assert in_memory.settings.float_storage == "float32"


def test_an_unknown_variable_in_a_block_formula_names_its_line_and_column():
    error = error_of(
        variables__f_yaml="""
tax:
  entity: person
  type: float
  period: month
  formula: |
    salary * 0.1
    + bonus
"""
    )
    assert str(error) == "variables/f.yaml:8:7: tax: unknown variable 'bonus'"


def test_a_misspelt_name_gets_a_suggestion():
    error = error_of(variables__f_yaml="tax: {entity: person, type: float, formula: salry * 2}\n")
    assert "did you mean 'salary'?" in str(error)
    assert str(error).startswith("variables/f.yaml:1:45:")


def test_type_mismatch_between_branches_is_reported():
    error = error_of(
        variables__f_yaml=(
            'x: {entity: person, type: float, formula: "if salary > 0 then 1 else true"}\n'
        )
    )
    assert "'then' gives int but 'else' gives bool" in str(error)


def test_a_formula_result_must_match_the_declared_type():
    error = error_of(variables__f_yaml="x: {entity: person, type: int, formula: salary / 2}\n")
    assert "gives a float value but x is declared int (use round, floor or ceil)" in str(error)


def test_cycles_between_formulas_are_reported_with_the_path():
    error = error_of(
        variables__f_yaml="""
a: {entity: person, type: float, formula: b + 1}
b: {entity: person, type: float, formula: c * 2}
c: {entity: person, type: float, formula: a - salary}
"""
    )
    assert "cycle between formulas: a -> b -> c -> a" in str(error)


def test_period_mismatch_suggests_a_selector():
    error = error_of(
        variables__f_yaml=("y: {entity: person, type: float, period: year, formula: salary * 12}\n")
    )
    assert (
        "period mismatch: salary is defined by month but y by year; write "
        "salary[first_month]" in str(error)
    )
    error = error_of(
        variables__f_yaml=(
            "y: {entity: person, type: float, period: month, formula: 'salary[this_year]'}\n"
        )
    )
    assert "period mismatch: salary is defined by month but [this_year] selects a year" in str(
        error
    )


def test_entities_do_not_mix_without_aggregation_or_projection():
    error = error_of(
        variables__f_yaml=("h: {entity: household, type: float, formula: rent + salary}\n")
    )
    assert "salary is defined for each person; in a household formula aggregate it" in str(error)
    error = error_of(variables__f_yaml="p: {entity: person, type: float, formula: rent}\n")
    assert "write household.rent" in str(error)
    error = error_of(variables__f_yaml="p: {entity: person, type: float, formula: sum(salary)}\n")
    assert "use it in a household (group) formula" in str(error)


def test_booleans_are_not_numbers():
    error = error_of(
        variables__f_yaml=("p: {entity: person, type: float, formula: (salary > 0) * 10}\n")
    )
    assert "'*' needs numbers but this is bool (write: if <condition> then <amount> else 0)" in str(
        error
    )


def test_enum_literals_must_be_one_of_the_choices():
    error = error_of(
        variables__f_yaml="""
status: {entity: household, type: enum, values: [owner, tenant]}
h: {entity: household, type: bool, formula: status == 'renter'}
"""
    )
    assert "'renter' is not one of owner, tenant" in str(error)


def test_every_problem_is_reported_and_nothing_loads():
    error = error_of(
        variables__f_yaml="""
a: {entity: person, type: float, formula: nope}
b: {entity: people, type: float}
c: {entity: person, type: decimal}
d: {entity: person, type: float, colour: red}
"""
    )
    text = str(error)
    assert len(error.problems) == 4
    assert "unknown variable 'nope'" in text
    assert "entity must be one of household, person" in text
    assert "type must be one of" in text
    assert "unknown key 'colour'" in text


def test_yaml_syntax_errors_name_the_line():
    error = error_of(variables__f_yaml="a: {entity: person\nb: [\n")
    assert str(error).startswith("variables/f.yaml:")
    assert "YAML syntax" in str(error)


def test_parameters_need_dated_numeric_values():
    error = error_of(
        parameters__p_yaml="""
rate:
  values:
    2020-13-01: 0.1
    2021-01-01: lots
"""
    )
    text = str(error)
    assert "parameters/p.yaml:4:5: p.rate: '2020-13-01' is not a start date YYYY-MM-DD" in text
    assert "parameters/p.yaml:5:17: p.rate: value 'lots' is not a number or true/false" in text


def test_a_programme_can_require_a_legal_reference_for_every_value():
    sources = {
        "programme.yaml": "require_references: true\n",
        "variables/inputs.yaml": INPUTS,
        "parameters/p.yaml": "rate:\n  values:\n    2020-01-01: 0.1\n",
    }
    with pytest.raises(
        ProgrammeError,
        match=r"p\.rate: the value from 2020-01-01 has no legal "
        "reference",
    ):
        load_programme_from_sources(sources)


def test_parameter_values_can_end_and_placeholders_are_ignored(sampler):
    programme = load(
        parameters__p_yaml="""
rate:
  values:
    2020-01-01: {value: 0.1, end: 2020-12-31, reference: Act s.1}
    2022-01-01: expected
"""
    )
    from datetime import date

    param = programme.parameters["p.rate"]
    assert param.entry_at(date(2020, 6, 1)).value == 0.1
    assert param.entry_at(date(2021, 6, 1)) is None
    assert param.entry_at(date(2023, 1, 1)) is None


def test_dated_formula_versions_are_sorted_and_chosen_by_date(sampler):
    from datetime import date

    allowance = sampler.variables["allowance"]
    assert [v.start for v in allowance.formulas] == [date(2020, 1, 1), date(2024, 1, 1)]
    assert allowance.formula_at(date(2019, 12, 1)) is None
    assert allowance.formula_at(date(2023, 5, 1)).start == date(2020, 1, 1)
    assert allowance.formula_at(date(2024, 1, 1)).start == date(2024, 1, 1)


def test_unknown_files_in_a_programme_are_refused():
    with pytest.raises(ProgrammeError, match=r"notes\.yaml: not a programme file"):
        load(notes_yaml="a: 1\n")


def test_the_sampler_fixture_loads():
    assert load_programme_from_sources(SAMPLER).outputs == ("allowance", "flag")


def test_average_rate_scales_load_from_openfiscas_shape_and_compute_as_it_does():
    """Brackets with average_rate: the rate goes linearly from one threshold's to the next
    one's and applies to the whole base; below the first and from the last threshold on the
    result is 0, as OpenFisca's LinearAverageRateTaxScale gives (checked against it)."""
    import polars as pl

    from civitas.rules import evaluate
    from civitas.rules.batch import evaluate_population

    programme = load(
        parameters__levy_scale_yaml="""
brackets:
  - threshold: {2020-01-01: 0}
    average_rate: {2020-01-01: 0.0}
  - threshold: {2020-01-01: 10000}
    average_rate: {2020-01-01: 0.1}
  - threshold: {2020-01-01: 20000}
    average_rate: {2020-01-01: 0.2}
""",
        variables__levy_yaml="""
levy: {entity: person, type: float, period: month, formula: "scale(levy_scale, salary)"}
""",
    )
    assert programme.parameters["levy_scale"].kind == "linear_average_rate"
    salaries = [-5.0, 0.0, 5000.0, 15000.0, 25000.0]
    expected = [-0.0, 0.0, 250.0, 2250.0, 0.0]  # 15000 * (0.1 + 5000 * 0.1 / 10000)
    situation = {"persons": {f"p{i}": {"salary": s} for i, s in enumerate(salaries)}}
    single = evaluate(programme, situation, "2024-01", ["levy"])
    values = [single.value("levy", f"p{i}") for i in range(len(salaries))]
    assert values == pytest.approx(expected, abs=1e-9)
    persons = pl.DataFrame(
        {
            "person_id": list(range(len(salaries))),
            "household_id": list(range(len(salaries))),
            "role": ["adult"] * len(salaries),
            "salary": salaries,
        }
    )
    households = pl.DataFrame({"household_id": list(range(len(salaries))), "rent": [0.0] * 5})
    batch = evaluate_population(programme, "2024-01", persons, households, ["levy"])
    assert batch.persons["levy"].to_list() == values  # the same operations, bit for bit
