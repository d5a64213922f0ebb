"""Reading and writing Pabulib .pb files: round trips, and refusals that name section and line."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civitas.participation.pb import (
    BallotFormat,
    PabulibFormatError,
    format_pb,
    parse_pb,
    read_pb,
    write_pb,
)
from civitas.participation.pb.model import Ballot, Election, Project, format_number

from .builders import DATA

GOOD = """META
key;value
description;"Test ""PB""; with a quoted ; inside"
budget;1000
vote_type;approval
num_projects;3
num_votes;3
max_length;2
PROJECTS
project_id;cost;name;selected
1;600;"Park; phase 1";1
2;400;Library;1
3;250.5;Bench;0
VOTES
voter_id;vote;age
a;1,2;34
b;2;51
c;;40
"""


def test_a_file_is_read_with_its_sections_and_columns():
    el = parse_pb(GOOD)

    assert el.budget == 1000
    assert el.ballot_format is BallotFormat.APPROVAL
    assert el.meta["description"] == 'Test "PB"; with a quoted ; inside'
    assert [p.project_id for p in el.projects] == ["1", "2", "3"]
    assert el.projects[0].name == "Park; phase 1"
    assert el.projects[2].cost == Fraction(501, 2)
    assert el.ballots[0].projects == ("1", "2")
    assert el.ballots[2].projects == ()
    assert el.ballots[1].extra == {"age": "51"}
    assert el.official_selection() == ("1", "2")


def test_windows_line_ends_and_a_byte_order_mark_are_accepted():
    el = parse_pb("\ufeff" + GOOD.replace("\n", "\r\n"))
    assert len(el.ballots) == 3


def _refusal(text: str) -> PabulibFormatError:
    with pytest.raises(PabulibFormatError) as caught:
        parse_pb(text, source="x.pb")
    return caught.value


@pytest.mark.parametrize(
    ("change", "line", "section", "words"),
    [
        (("3;250.5;Bench;0", "3;cheap;Bench;0"), 13, "PROJECTS", "cost 'cheap' of project 3"),
        (("a;1,2;34", "a;1,9;34"), 16, "VOTES", "unknown project 9"),
        (("b;2;51", "b;2"), 17, "VOTES", "expected 3 fields"),
        (("2;400;Library;1", "1;400;Library;1"), 12, "PROJECTS", "project 1 appears twice"),
        (("c;;40", "a;;40"), 18, "VOTES", "voter a has a second ballot"),
        (("vote_type;approval", "vote_type;ordinal"), 5, "META", "'ordinal' is not supported"),
        (("num_votes;3", "num_votes;4"), 7, "META", "num_votes says 4 but the file has 3"),
        (("budget;1000", "budget;lots"), 4, "META", "budget 'lots' is not a number"),
        (
            ("project_id;cost;name;selected", "id;cost;name;selected"),
            10,
            "PROJECTS",
            "no project_id",
        ),
        (("c;;40", "c;1,2,3;40"), 18, "VOTES", "at most 2 allowed"),
        (("a;1,2;34", "a;1,1;34"), 16, "VOTES", "more than once"),
    ],
)
def test_a_malformed_file_is_refused_with_section_and_line(change, line, section, words):
    error = _refusal(GOOD.replace(*change))

    assert error.line == line
    assert error.section == section
    assert words in str(error)
    assert str(error).startswith(f"x.pb, line {line}, section {section}: ")


def test_sections_out_of_order_are_refused_where_the_wrong_one_starts():
    text = GOOD.replace("PROJECTS\n", "TEMP\n").replace("VOTES\n", "PROJECTS\n")
    text = text.replace("TEMP\n", "VOTES\n")
    error = _refusal(text)
    assert (error.line, error.section) == (9, "VOTES")


def test_a_file_without_the_votes_section_is_refused():
    error = _refusal(GOOD.split("VOTES")[0])
    assert error.section == "VOTES"
    assert "ends without a VOTES section" in str(error)


def test_text_before_meta_is_refused_on_line_one():
    error = _refusal("hello\n" + GOOD)
    assert error.line == 1
    assert "must start with the line META" in str(error)


def test_a_knapsack_ballot_over_the_limit_is_refused():
    text = GOOD.replace("max_length;2", "max_sum_cost;900")
    el = parse_pb(text.replace("a;1,2;34", "a;1;34"))
    assert el.ballot_format is BallotFormat.KNAPSACK
    error = _refusal(text)  # a chose 1 and 2: 600 + 400 = 1000 > 900
    assert error.line == 16
    assert "cost 1000, more than the limit of 900" in str(error)


def test_lenient_reading_counts_ballots_that_break_the_limits():
    text = GOOD.replace("c;;40", "c;1,2,3;40")
    assert len(parse_pb(text, check_ballots=False).ballots) == 3


CUMULATIVE = """META
key;value
budget;100
vote_type;cumulative
max_sum_points;5
PROJECTS
project_id;cost
A;60
B;40
VOTES
voter_id;vote;points
1;A,B;3,2
2;B;5
"""


def test_points_ballots_are_read_and_checked():
    el = parse_pb(CUMULATIVE)
    assert el.ballots[0].points == (3, 2)
    error = _refusal(CUMULATIVE.replace("2;B;5", "2;B;6"))
    assert error.line == 13
    assert "6 points given, at most 5 allowed" in str(error)
    error = _refusal(CUMULATIVE.replace("1;A,B;3,2", "1;A,B;3"))
    assert "2 project(s) but 1 number(s) of points" in str(error)


def test_a_file_that_is_not_utf8_is_refused_with_its_line(tmp_path):
    path = tmp_path / "latin1.pb"
    path.write_bytes(GOOD.replace("Library", "Biblioth\u00e8que").encode("latin-1"))
    with pytest.raises(PabulibFormatError) as caught:
        read_pb(path)
    assert caught.value.line == 12


@pytest.mark.parametrize("path", sorted(DATA.glob("*.pb")), ids=lambda p: p.stem)
def test_real_files_survive_a_round_trip(path, tmp_path):
    el = read_pb(path)
    out = tmp_path / path.name
    write_pb(el, out)
    assert read_pb(out) == el


def test_an_election_built_in_code_is_written_with_the_keys_a_reader_needs():
    el = Election(
        meta={},
        projects=(Project("x", Fraction(10)),),
        ballots=(Ballot("v", ("x",), (Fraction(3),)),),
        ballot_format=BallotFormat.CUMULATIVE,
        budget=Fraction(10),
    )
    back = parse_pb(format_pb(el))
    assert back.ballot_format is BallotFormat.CUMULATIVE
    assert back.ballots[0].points == (3,)
    assert back.meta["vote_type"] == "cumulative"
    assert back.budget == 10


def test_a_result_is_exported_in_the_selected_column():
    el = parse_pb(GOOD).with_selection(["3"])
    back = parse_pb(format_pb(el))
    assert back.official_selection() == ("3",)
    assert [p.extra["selected"] for p in back.projects] == ["0", "0", "1"]


def test_numbers_are_written_exactly():
    assert format_number(Fraction(5000)) == "5000"
    assert format_number(Fraction(3, 8)) == "0.375"
    assert format_number(Fraction(-1, 4)) == "-0.25"
    assert format_number(Fraction(1, 3)) == repr(1 / 3)


_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff"),
    max_size=12,
).map(str.strip)
_ids = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_-", min_size=1, max_size=6)


@st.composite
def elections(draw):
    ids = draw(st.lists(_ids, min_size=1, max_size=5, unique=True))
    projects = tuple(
        Project(pid, Fraction(draw(st.integers(0, 10**6))), draw(_text), {}) for pid in ids
    )
    voters = draw(st.lists(_ids, max_size=6, unique=True))
    ballots = tuple(
        Ballot(
            v, tuple(draw(st.lists(st.sampled_from(ids), unique=True))), None, {"note": draw(_text)}
        )
        for v in voters
    )
    meta = {"description": draw(_text), "budget": "1000", "vote_type": "approval"}
    return Election(
        meta=meta,
        projects=projects,
        ballots=ballots,
        ballot_format=BallotFormat.APPROVAL,
        budget=Fraction(1000),
        project_columns=("project_id", "cost", "name"),
        vote_columns=("voter_id", "vote", "note"),
    )


@settings(max_examples=60, deadline=None)
@given(elections())
def test_any_election_is_read_back_as_written(el):
    assert parse_pb(format_pb(el)) == el
