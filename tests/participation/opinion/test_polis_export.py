"""Reading the Polis export: the latest vote counts, and bad rows are named by line and column."""

from __future__ import annotations

import pytest

from civitas.participation.opinion import OpinionDataError, read_comments, read_votes

HEADER = "timestamp,datetime,comment-id,voter-id,vote\n"


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_latest_vote_on_a_statement_replaces_earlier_ones(tmp_path):
    path = write(
        tmp_path,
        "votes.csv",
        HEADER + "300,x,0,7,1\n100,x,0,7,-1\n200,x,1,7,0\n150,x,0,8,-1\n",
    )
    votes = read_votes(path)

    assert votes.rows_read == 4
    got = {
        (votes.voter_ids[v], votes.comment_ids[c]): int(x)
        for v, c, x in zip(votes.voter, votes.comment, votes.value, strict=True)
    }
    assert got == {("7", "0"): 1, ("7", "1"): 0, ("8", "0"): -1}


def test_without_timestamps_the_later_row_wins(tmp_path):
    path = write(tmp_path, "votes.csv", "voter-id,comment-id,vote\n1,5,1\n1,5,-1\n")
    votes = read_votes(path)
    assert votes.value.tolist() == [-1]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("voter-id,vote\n1,1\n", "line 1: missing column 'comment-id'"),
        (HEADER + "1,x,0,7,1\n2,x,0,8,yes\n", "line 3, column vote: 'yes' is not 1, -1 or 0"),
        (HEADER + "1,x,0,,1\n", "line 2, column voter-id: empty"),
        (HEADER + "soon,x,0,7,1\n", "line 2, column timestamp: 'soon' is not a number"),
        (HEADER + "1,x,0\n", "line 2: expected 5 columns, found 3"),
        (HEADER, "no votes"),
    ],
)
def test_a_bad_votes_file_is_refused_with_file_line_and_column(tmp_path, text, message):
    path = write(tmp_path, "votes.csv", text)
    with pytest.raises(OpinionDataError) as caught:
        read_votes(path)
    assert str(caught.value) == f"{path}: {message}"


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(OpinionDataError, match="cannot read the file"):
        read_votes(tmp_path / "nowhere.csv")


def test_comments_carry_text_and_moderation(tmp_path):
    path = write(
        tmp_path,
        "comments.csv",
        "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"
        '1,x,0,3,5,1,1,"Parks, not parking"\n2,x,1,4,0,9,-1,spam\n',
    )
    comments = read_comments(path)
    assert comments["0"].text == "Parks, not parking"
    assert not comments["0"].moderated_out
    assert comments["1"].moderated_out


def test_a_repeated_comment_id_is_refused(tmp_path):
    path = write(tmp_path, "comments.csv", "comment-id,comment-body\n1,a\n1,b\n")
    with pytest.raises(OpinionDataError, match="line 3, column comment-id: 1 appears twice"):
        read_comments(path)
