"""The five demo programmes keep the contract the platform relies on."""

from __future__ import annotations

import subprocess
import sys

import pytest

from civitas.rules import Parameter

from .conftest import DEMO_SLUGS, ROOT


@pytest.mark.parametrize("slug", DEMO_SLUGS)
def test_programme_exposes_eligible_and_amount_per_household(demo, slug):
    programme = demo[slug]
    assert programme.name == slug
    assert programme.settings.currency == "CVT"
    assert programme.outputs == ("eligible", "amount")
    eligible, amount = programme.variables["eligible"], programme.variables["amount"]
    assert (eligible.entity, eligible.value_type.kind, eligible.period_unit) == (
        "household",
        "bool",
        "month",
    )
    assert (amount.entity, amount.value_type.kind, amount.period_unit) == (
        "household",
        "float",
        "month",
    )


@pytest.mark.parametrize("slug", DEMO_SLUGS)
def test_every_parameter_value_is_dated_and_referenced(demo, slug):
    for param in demo[slug].parameters.values():
        assert isinstance(param, Parameter)
        for value in param.values:
            assert value.reference or param.reference, f"{param.path} from {value.start}"


@pytest.mark.parametrize("slug", DEMO_SLUGS)
def test_programme_takes_the_shared_demo_inputs(demo, slug):
    inputs = {v.name for v in demo[slug].input_variables()}
    assert inputs == {"birth", "sex", "income", "pregnant", "rent", "region"}


def test_the_engine_imports_nothing_from_django_or_other_apps():
    code = (
        "import sys, civitas.rules, civitas.rules.cli, civitas.rules.batch, "
        "civitas.rules.simulate; "
        "bad = [m for m in sys.modules if m.startswith('django') or (m.startswith('civitas.')"
        " and not m.startswith('civitas.rules'))]; print(bad)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    ).stdout.strip()
    assert out == "[]"
