"""The YAML tests of the country template and of the demo programmes, run by pytest."""

from __future__ import annotations

import pytest

from civitas.rules import load_programme
from civitas.rules.yamltests import programme_tests, run_test

from .conftest import DEMO, DEMO_SLUGS, TEMPLATE

FOLDERS = [TEMPLATE] + [DEMO / slug for slug in DEMO_SLUGS]
CASES = [
    pytest.param(folder, index, id=f"{folder.name}:{test.location.file}:{test.name}")
    for folder in FOLDERS
    for index, test in enumerate(programme_tests(load_programme(folder)))
]


@pytest.mark.parametrize(("folder", "index"), CASES)
def test_yaml_case(folder, index):
    programme = load_programme(folder)
    test = programme_tests(programme)[index]
    outcome = run_test(programme, test)
    assert outcome.passed, f"{test.location}: {outcome.error or outcome.failures}"


def test_every_programme_has_tests():
    counts = {folder.name: len(programme_tests(load_programme(folder))) for folder in FOLDERS}
    assert counts["country_template"] == 38  # the 31 of the template and its 7 reform tests
    assert all(counts[slug] >= 3 for slug in DEMO_SLUGS)


def test_a_failing_expectation_is_reported_with_values(template):
    from civitas.rules.yamltests import read_tests

    [test] = read_tests(
        """
- name: wrong on purpose
  period: 2017-01
  input: {salary: 10000}
  output: {income_tax: 1000}
""",
        "inline.yaml",
    )
    outcome = run_test(template, test)
    assert not outcome.passed
    assert outcome.failures == [
        "income_tax@2017-01 for p0: got 1500.0, expected 1000.0 (difference 500 > 0)"
    ]
