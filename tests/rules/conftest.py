"""Shared fixtures for the rules engine tests (plain pytest; no Django needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from civitas.rules import Programme, load_programme, load_programme_from_sources

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "civitas" / "rules" / "examples" / "country_template"
DEMO = ROOT / "civitas" / "demo" / "programmes"
DEMO_SLUGS = [
    "maternity-care",
    "child-benefit",
    "old-age-pension",
    "housing-allowance",
    "food-allowance",
]

# A small programme that uses every construct of the formula language, so the
# evaluators can be compared on all of them.
SAMPLER = {
    "programme.yaml": """
name: sampler
version: "1"
outputs: [allowance, flag]
""",
    "parameters/p.yaml": """
rate:
  values:
    2020-01-01: {value: 0.25, reference: Sampler Act s.1}
    2023-01-01: {value: 0.3, reference: Sampler Act s.1 as amended}
floor_amount:
  values:
    2020-01-01: 40
limit:
  values:
    2020-01-01: 1000.5
tax:
  brackets:
    - threshold: {2020-01-01: 0}
      rate: {2020-01-01: 0.1}
    - threshold: {2020-01-01: 500}
      rate: {2020-01-01: 0.2}
    - threshold: {2020-01-01: 2000}
      rate: {2020-01-01: 0.35}
bands:
  metadata: {type: single_amount}
  brackets:
    - threshold: {2020-01-01: 0}
      amount: {2020-01-01: 5}
    - threshold: {2020-01-01: 300}
      amount: {2020-01-01: 2.5}
    - threshold: {2020-01-01: 900}
      amount: {2020-01-01: 0}
steps:
  metadata: {type: marginal_amount}
  brackets:
    - threshold: {2020-01-01: 0}
      amount: {2020-01-01: 1}
    - threshold: {2020-01-01: 100}
      amount: {2020-01-01: 1.5}
average:
  brackets:
    - threshold: {2020-01-01: 0}
      average_rate: {2020-01-01: 0.05}
    - threshold: {2020-01-01: 800}
      average_rate: {2020-01-01: 0.15}
    - threshold: {2020-01-01: 1500}
      average_rate: {2020-01-01: 0.3}
""",
    "variables/inputs.yaml": """
birth: {entity: person, type: date, period: eternity, default: 1980-01-01}
income: {entity: person, type: float, period: month}
hours: {entity: person, type: int, period: month}
student: {entity: person, type: bool, period: month}
sex: {entity: person, type: enum, values: [female, male], period: eternity}
rent: {entity: household, type: float, period: month}
region: {entity: household, type: str, period: eternity, default: north}
tenure: {entity: household, type: enum, values: [owner, tenant, other], period: month}
""",
    "variables/formulas.yaml": """
age: {entity: person, type: int, period: month, formula: "years_between(birth, period.start)"}
months_old:
  entity: person
  type: int
  period: month
  formula: months_between(birth, period.end)
taxed:
  entity: person
  type: float
  period: month
  formula: |
    scale(p.tax, income) + scale(p.bands, income) + scale(p.steps, income)
    + scale(p.average, income - 100)
share:
  entity: person
  type: float
  period: month
  formula: |
    if age < 18 then 0
    elif student and hours > 10 then round(income * p.rate, 2)
    elif sex == 'female' then floor(income / (hours + 1)) - ceil(income / 7)
    else abs(income - p.limit) / hours
lead:
  entity: person
  type: bool
  period: month
  formula: role == 'adult' and household.rent > 100 or sex in ['male']
contrast:
  entity: person
  type: float
  period: month
  # negation of a temporary (written over), of stored values (never written over)
  formula: -(income * 2) + -share - -taxed
quiet:
  entity: person
  type: bool
  period: month
  formula: not lead and not (hours > 30)
total_income:
  entity: household
  type: float
  period: month
  formula: sum(income) + sum(income, role == 'child') * 0.5
members: {entity: household, type: int, period: month, formula: count()}
adults: {entity: household, type: int, period: month, formula: "count(role == 'adult')"}
flag:
  entity: household
  type: bool
  period: month
  formula: (any(student) or all(age >= 18)) and not region == 'south'
allowance:
  entity: household
  type: float
  period: month
  formulas:
    2020-01-01: max(p.floor_amount, min(rent, total_income) * p.rate) - sum(taxed) / members
    2024-01-01: |
      if tenure in ['owner', 'other'] then 0
      else round(max(p.floor_amount, rent * p.rate - sum(share) + count(lead) * 3), 1)
""",
}


@pytest.fixture(scope="session")
def template() -> Programme:
    return load_programme(TEMPLATE)


@pytest.fixture(scope="session")
def sampler() -> Programme:
    return load_programme_from_sources(SAMPLER, default_name="sampler")


@pytest.fixture(scope="session")
def demo() -> dict[str, Programme]:
    return {slug: load_programme(DEMO / slug) for slug in DEMO_SLUGS}
