"""`civitas pb`: JSON on standard output; bad input is one line on standard error, exit 2."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from civitas.participation.pb.cli import main

from .builders import DATA

SWIECIE = str(DATA / "Poland_Swiecie_2023.pb")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_tally_prints_the_selection_the_total_cost_and_the_rule():
    code, out, err = run(
        "tally", SWIECIE, "--rule", "mes", "--utility", "cost", "--completion", "add1"
    )
    result = json.loads(out)

    assert code == 0 and err == ""
    assert result["total_cost"] == 1040337
    assert len(result["selected"]) == 17
    assert result["matches_file_selection"] is True
    assert result["rule"]["pabulib_rule"] == "equalshares/add1"
    assert result["verification"]["equal_shares"]["rounds"][0]["project"] == result["selected"][0]


def test_the_rule_can_be_taken_from_the_file():
    code, out, _ = run("tally", SWIECIE, "--rule", "file", "--report", "none")
    assert code == 0
    assert json.loads(out)["matches_file_selection"] is True


def test_verify_confirms_a_full_report(tmp_path):
    _, out, _ = run(
        "tally", str(DATA / "Netherlands_Assen_2024.pb"), "--rule", "file", "--report", "full"
    )
    report = tmp_path / "report.json"
    report.write_text(out)
    code, out, _ = run("verify", str(DATA / "Netherlands_Assen_2024.pb"), str(report))
    assert code == 0
    assert json.loads(out) == {"ok": True, "problems": []}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["tally", "missing.pb", "--rule", "mes"], "missing.pb: cannot read the file"),
        (["tally", SWIECIE, "--rule", "borda"], "invalid choice: 'borda'"),
        (["tally", SWIECIE], "the following arguments are required: --rule"),
        (
            ["tally", SWIECIE, "--rule", "greedy", "--completion", "add1"],
            "apply to Equal Shares only",
        ),
        (["tally", SWIECIE, "--rule", "mes", "--exhaustive-stop"], "need --completion add1"),
        (
            ["tally", SWIECIE, "--rule", "mes", "--completion", "add1", "--increment", "x"],
            "--increment 'x'",
        ),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_exit_code_2(argv, message):
    code, out, err = run(*argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("civitas pb: ")
    assert message in err


def test_a_malformed_file_is_reported_with_its_line(tmp_path):
    bad = tmp_path / "bad.pb"
    bad.write_text(
        "META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;ten\nVOTES\nvoter_id;vote\n"
    )
    code, _, err = run("tally", str(bad), "--rule", "greedy")
    assert code == 2
    assert (
        err.strip()
        == f"civitas pb: {bad}, line 7, section PROJECTS: cost 'ten' of project 1 is not a number"
    )


def test_the_management_command_forwards_to_the_same_cli():
    out = io.StringIO()
    call_command("pb", "check", SWIECIE, stdout=out)
    assert json.loads(out.getvalue())["ballots"] == 2553
