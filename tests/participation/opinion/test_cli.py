"""`civitas opinion-map`: JSON on standard output; bad input is one line on stderr, exit 2."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from civitas.participation.opinion.cli import main

SEATTLE = Path(__file__).resolve().parents[1] / "data" / "polis" / "15-per-hour-seattle"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def seattle():
    return SEATTLE


def test_the_map_lists_groups_with_members_and_statements_and_the_consensus(seattle):
    code, out, err = run(
        "--votes", str(seattle / "votes.csv"), "--comments", str(seattle / "comments.csv")
    )
    result = json.loads(out)

    assert code == 0 and err == ""
    assert len(result["groups"]) == 2
    for group in result["groups"]:
        assert group["members"] and group["size"] == len(group["members"])
        assert all(
            "text" in s and s["direction"] in {"agree", "disagree"} for s in group["representative"]
        )
    assert isinstance(result["consensus"], list)


def test_points_are_included_on_request(seattle):
    _, out, _ = run("--votes", str(seattle / "votes.csv"), "--points")
    result = json.loads(out)
    assert len(result["points"]) == result["participants_in_map"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--votes", "/nowhere/votes.csv"], "/nowhere/votes.csv: cannot read the file"),
        ([], "the following arguments are required: --votes"),
        (["--votes", "x.csv", "--min-votes", "0"], "--min-votes must be at least 1"),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_exit_code_2(argv, message):
    code, out, err = run(*argv)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and err.startswith("civitas opinion-map: ")
    assert message in err


def test_a_bad_vote_is_reported_with_file_line_and_column(tmp_path):
    votes = tmp_path / "votes.csv"
    votes.write_text("comment-id,voter-id,vote\n1,2,1\n1,3,maybe\n")
    code, _, err = run("--votes", str(votes))
    assert code == 2
    assert (
        err.strip()
        == f"civitas opinion-map: {votes}: line 3, column vote: 'maybe' is not 1, -1 or 0"
    )


def test_the_management_command_forwards_to_the_same_cli(seattle):
    out = io.StringIO()
    call_command("opinion_map", "--votes", str(seattle / "votes.csv"), stdout=out)
    assert len(json.loads(out.getvalue())["groups"]) == 2
