"""Opinion maps on the two real Polis conversations, and on small made-up ones."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from civitas.participation.opinion import OpinionDataError, compute_opinion_map
from civitas.participation.opinion.polis_export import Votes, read_comments, read_votes

POLIS = Path(__file__).resolve().parents[1] / "data" / "polis"
CONVERSATIONS = ["15-per-hour-seattle", "brexit-consensus"]


def _conversation(name: str):
    folder = POLIS / name
    return folder, read_votes(folder / "votes.csv"), read_comments(folder / "comments.csv")


@pytest.mark.parametrize("name", CONVERSATIONS)
def test_the_number_of_groups_is_the_one_polis_published(name):
    folder, votes, comments = _conversation(name)
    with (folder / "summary.csv").open(encoding="utf-8") as handle:
        published = {row[0]: row[1] for row in csv.reader(handle)}

    result = compute_opinion_map(votes, comments).to_dict(comments)

    assert len(result["groups"]) == int(published["groups"])


@pytest.mark.parametrize("name", CONVERSATIONS)
def test_participants_land_in_the_groups_polis_published(name):
    """At least 90 % of the participants both maps place fall in matching groups."""
    folder, votes, comments = _conversation(name)
    with (folder / "participants-votes.csv").open(encoding="utf-8") as handle:
        published = {row["participant"]: row["group-id"] for row in csv.DictReader(handle)}

    result = compute_opinion_map(votes, comments).to_dict(comments)
    pairs = Counter(
        (group["id"], published[member])
        for group in result["groups"]
        for member in group["members"]
        if published.get(member, "") != ""
    )
    # Match each of our groups to the published group it shares most members with.
    matched = sum(
        max(n for (ours, _), n in pairs.items() if ours == g["id"]) for g in result["groups"]
    )
    assert matched / sum(pairs.values()) >= 0.9


def test_seattle_maps_exactly_the_participants_with_seven_votes_or_more():
    """Polis's map of this conversation holds the 138 participants with at least 7 votes."""
    _, votes, comments = _conversation("15-per-hour-seattle")
    result = compute_opinion_map(votes, comments).to_dict(comments)

    assert result["participants"] == 339
    assert result["participants_in_map"] == 138
    assert sum(g["size"] for g in result["groups"]) == 138


def test_the_same_votes_give_the_same_map():
    _, votes, comments = _conversation("brexit-consensus")
    first = compute_opinion_map(votes, comments).to_dict(comments, points=True)
    second = compute_opinion_map(votes, comments).to_dict(comments, points=True)
    assert first == second


def _votes(table: dict[str, dict[str, int]]) -> Votes:
    voters = tuple(table)
    comments = tuple(sorted({c for row in table.values() for c in row}))
    rows = [
        (voters.index(v), comments.index(c), x) for v, row in table.items() for c, x in row.items()
    ]
    voter, comment, value = (np.array(col) for col in zip(*rows, strict=True))
    return Votes(voters, comments, voter, comment, value.astype(np.int8), len(rows))


def _two_camps() -> Votes:
    """Twelve people, seven statements. Camp A (a0..a5) agrees with s0..s2 and disagrees with
    s3..s5; camp B (b0..b5) does the opposite, except that each person passes on one of them.
    Everybody agrees with s6."""
    table: dict[str, dict[str, int]] = {}
    for camp, sign in (("a", 1), ("b", -1)):
        for i in range(6):
            row = {f"s{j}": sign for j in range(3)}
            row.update({f"s{j}": -sign for j in range(3, 6)})
            row[f"s{i}"] = 0
            row["s6"] = 1
            table[f"{camp}{i}"] = row
    return _votes(table)


def test_two_camps_are_found_with_the_statements_that_define_them():
    result = compute_opinion_map(_two_camps()).to_dict()

    groups = sorted(result["groups"], key=lambda g: g["members"][0])
    assert [sorted(g["members"]) for g in groups] == [
        [f"a{i}" for i in range(6)],
        [f"b{i}" for i in range(6)],
    ]
    camp_a = {(s["comment_id"], s["direction"]) for s in groups[0]["representative"]}
    assert camp_a <= {
        ("s0", "agree"),
        ("s1", "agree"),
        ("s2", "agree"),
        ("s3", "disagree"),
        ("s4", "disagree"),
        ("s5", "disagree"),
    }
    assert len(camp_a) >= 3
    assert [(s["comment_id"], s["direction"]) for s in result["consensus"]] == [("s6", "agree")]


def test_people_with_too_few_votes_are_left_off_the_map():
    table = {f"p{i}": {f"s{j}": (1 if (i + j) % 2 else -1) for j in range(8)} for i in range(6)}
    table["shy"] = {"s0": 1, "s1": 1}
    result = compute_opinion_map(_votes(table)).to_dict()

    members = {m for g in result["groups"] for m in g["members"]}
    assert "shy" not in members
    assert result["participants"] == 7
    assert result["participants_in_map"] == 6
    assert result["method"]["min_votes"] == 7


def test_with_fewer_statements_than_seven_voting_on_all_of_them_is_enough():
    table = {f"p{i}": {f"s{j}": (1 if (i * j) % 3 else -1) for j in range(3)} for i in range(5)}
    table["partial"] = {"s0": 1}
    result = compute_opinion_map(_votes(table)).to_dict()
    assert result["method"]["min_votes"] == 3
    assert result["participants_in_map"] == 5


def test_a_map_needs_enough_participants():
    with pytest.raises(OpinionDataError, match="at least 3 are needed"):
        compute_opinion_map(_votes({"x": {"s0": 1}, "y": {"s0": -1}}))
