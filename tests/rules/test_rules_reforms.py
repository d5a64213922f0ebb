"""Reforms: a folder of files laid over a programme (variables and parameters replaced or
added), loaded from a reform folder, named by a YAML test, or given inline in a test."""

from __future__ import annotations

import io
import json

import pytest

from civitas.rules import ProgrammeError, evaluate, load_programme, load_programme_from_sources
from civitas.rules.cli import main
from civitas.rules.yamltests import read_tests, run_test

from .conftest import TEMPLATE
from .test_rules_cli import write_population

SSC_REFORM = TEMPLATE / "reforms" / "modify_social_security_taxation"
BASE = {
    "programme.yaml": "name: t\nversion: '1'\n",
    "variables/v.yaml": """
salary: {entity: person, type: float, period: month}
tax:
  entity: person
  type: float
  period: month
  formula: salary * rate
""",
    "parameters/rate.yaml": "values: {2020-01-01: 0.1}\n",
}


def tax_of(programme, salary=1000.0):
    situation = {"persons": {"p": {"salary": salary}}}
    return evaluate(programme, situation, "2024-01", ["tax"]).value("tax", "p")


def test_a_reform_replaces_variables_and_parameters_and_adds_new_ones():
    reform = {
        "reform.yaml": "label: Flat tax plus a levy\nversion: '1-reform'\n",
        "parameters/rate.yaml": "values: {2020-01-01: 0.2}\n",
        "variables/levy.yaml": """
tax:
  entity: person
  type: float
  period: month
  formula: salary * rate + levy
levy: {entity: person, type: float, period: month, formula: '5'}
""",
    }
    base = load_programme_from_sources(BASE)
    reformed = load_programme_from_sources(BASE, reform=reform)
    assert tax_of(base) == 100.0
    assert tax_of(reformed) == 205.0
    assert reformed.version == "1-reform" and reformed.label == "Flat tax plus a levy"
    assert reformed.name == "t" and "levy" not in base.variables


def test_a_reform_is_checked_with_the_programme_and_errors_name_its_files():
    with pytest.raises(ProgrammeError) as caught:
        load_programme_from_sources(
            BASE,
            reform={
                "variables/a.yaml": "tax: {entity: person, type: float, period: month, "
                "formula: 'salary * nope'}\n",
                "variables/b.yaml": "tax: {entity: person, type: float, period: month}\n",
                "programme.yaml": "name: other\n",
                "reform.yaml": "colour: red\n",
            },
            reform_root="my-reform",
        )
    text = str(caught.value)
    assert "my-reform/variables/a.yaml" in text and "nope" in text
    assert "variable tax is defined twice" in text
    assert "my-reform/programme.yaml: not a reform file" in text
    assert "unknown reform setting 'colour'" in text


def test_a_reform_folder_loads_over_its_base():
    reformed = load_programme(SSC_REFORM)
    base = load_programme(TEMPLATE)
    assert reformed.label == "Country template, social security contribution reformed"
    scale = reformed.parameters["taxes.social_security_contribution"]
    assert len(scale.brackets) == 3 and len(base.parameters[scale.path].brackets) == 3
    situation = {"persons": {"p": {"salary": 15000.0}}}
    with_reform = evaluate(reformed, situation, "2017-01", ["social_security_contribution"])
    without = evaluate(base, situation, "2017-01", ["social_security_contribution"])
    assert with_reform.value("social_security_contribution", "p") == 1336.0
    assert without.value("social_security_contribution", "p") == 816.0  # 120 + 384 + 312


def test_a_reform_folder_needs_its_base(tmp_path):
    (tmp_path / "reform.yaml").write_text("label: lost\n")
    with pytest.raises(ProgrammeError, match="needs base"):
        load_programme(tmp_path)


def test_yaml_tests_name_reforms_and_give_parameters_inline(template):
    tests = read_tests(
        """
- name: reform folder
  reforms: reforms/add_new_tax
  period: 2017-01
  input: {salary: 1000}
  output: {new_tax: 250}
- name: inline parameters
  period: 2015-01
  parameters:
    taxes:
      income_tax_rate:
        values: {2010-01-01: {value: 0.5}}
  input: {salary: 1000}
  output: {income_tax: 500}
- name: no such reform
  reforms: reforms/nothing_here
  period: 2017-01
  output: {income_tax: 0}
- name: the programme itself is unchanged
  period: 2015-01
  input: {salary: 1000}
  output: {income_tax: 150}
""",
        "inline.yaml",
    )
    outcomes = [run_test(template, t) for t in tests]
    assert [o.passed for o in outcomes] == [True, True, False, True]
    assert "reform 'reforms/nothing_here': no such folder" in outcomes[2].error
    assert "new_tax" not in template.variables


def test_simulate_a_reform_folder_against_its_base(tmp_path):
    write_population(tmp_path, fmt="parquet")
    out, err = io.StringIO(), io.StringIO()
    code = main(
        [
            "simulate",
            "--program",
            str(TEMPLATE),
            "--reform",
            "reforms/modify_social_security_taxation",
            "--period",
            "2017-01",
            "--population",
            str(tmp_path),
            "--variable",
            "total_taxes",
            "--income",
            "salary",
            "--output",
            str(tmp_path / "r.json"),
        ],
        stdout=out,
        stderr=err,
    )
    assert code == 0, err.getvalue()
    report = json.loads((tmp_path / "r.json").read_text())
    # the only salary, 1000 a month, paid 2% (20) and is now below the first threshold
    assert report["difference"] == pytest.approx(-20.0)
    assert report["losers"] == 1 and report["gainers"] == 0  # total_taxes went down
