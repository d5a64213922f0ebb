"""Read the Polis export files: `votes.csv` and, optionally, `comments.csv`.

votes.csv has the columns `comment-id`, `voter-id` and `vote` (1 agree, -1 disagree, 0 pass),
usually with `timestamp` and `datetime` too. When a participant voted on a statement more than
once, the latest vote counts (by `timestamp` when present, otherwise the later row).
comments.csv has `comment-id`, `comment-body` and `moderated` (-1 = moderated out).

A file that does not follow this is refused with an OpinionDataError naming file, line and column.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np

VOTE_COLUMNS = ("comment-id", "voter-id", "vote")


class OpinionDataError(ValueError):
    """Input the opinion map cannot use; the message says where and why."""


@dataclass(frozen=True)
class Votes:
    """One row per (voter, statement): the latest vote. Ids are the strings in the file."""

    voter_ids: tuple[str, ...]  # in order of first appearance
    comment_ids: tuple[str, ...]
    voter: np.ndarray  # int64 index into voter_ids, per row
    comment: np.ndarray  # int64 index into comment_ids, per row
    value: np.ndarray  # int8: 1 agree, -1 disagree, 0 pass
    rows_read: int  # data rows in the file, before keeping one vote per (voter, statement)

    def __len__(self) -> int:
        return int(self.value.size)


@dataclass(frozen=True)
class Comment:
    comment_id: str
    text: str
    moderated_out: bool


def read_votes(path: str | Path) -> Votes:
    path = Path(path)
    with _open(path) as handle:
        reader = csv.reader(handle)
        try:
            return _parse_votes(reader, path)
        except UnicodeDecodeError:
            raise OpinionDataError(f"{path}: line {reader.line_num + 1}: not UTF-8 text") from None
        except csv.Error as exc:
            raise OpinionDataError(f"{path}: line {reader.line_num}: {exc}") from None


def _parse_votes(reader: Any, path: Path) -> Votes:
    header = next(reader, None)
    if header is None:
        raise OpinionDataError(f"{path}: the file is empty")
    columns = [name.strip().lower() for name in header]
    missing = [name for name in VOTE_COLUMNS if name not in columns]
    if missing:
        raise OpinionDataError(f"{path}: line 1: missing column {missing[0]!r}")
    at_voter = columns.index("voter-id")
    at_comment = columns.index("comment-id")
    at_vote = columns.index("vote")
    at_time = columns.index("timestamp") if "timestamp" in columns else None
    width = max(at_voter, at_comment, at_vote, -1 if at_time is None else at_time) + 1
    # Column by column with list comprehensions: several times faster than row by row for
    # exports of a million votes. A bad row is then located again to name its line.
    rows = [row for row in reader if _is_data(row, width)]
    short = next((i for i, row in enumerate(rows) if len(row) < width), None)
    if short is not None:
        raise OpinionDataError(
            f"{path}: line {_line_of(path, short, width)}: expected {len(columns)} columns, "
            f"found {len(rows[short])}"
        )
    if not rows:
        raise OpinionDataError(f"{path}: no votes")
    voters = [row[at_voter].strip() for row in rows]
    comments = [row[at_comment].strip() for row in rows]
    raw_votes = [row[at_vote].strip() for row in rows]
    allowed = {"1": 1, "-1": -1, "0": 0, "1.0": 1, "-1.0": -1, "0.0": 0}
    values = [allowed.get(raw) for raw in raw_votes]
    for column, bad in (
        ("voter-id", voters.index("") if "" in voters else None),
        ("comment-id", comments.index("") if "" in comments else None),
    ):
        if bad is not None:
            raise OpinionDataError(
                f"{path}: line {_line_of(path, bad, width)}, column {column}: empty"
            )
    if None in values:
        bad = values.index(None)
        raise OpinionDataError(
            f"{path}: line {_line_of(path, bad, width)}, column vote: {raw_votes[bad]!r} is not 1, -1 or 0"
        )
    stamp_arr = None
    if at_time is not None:
        texts = [row[at_time].strip() for row in rows]
        try:
            stamp_arr = np.array(texts, dtype=np.float64)
        except ValueError:
            bad = next(i for i, text in enumerate(texts) if not _is_number(text))
            raise OpinionDataError(
                f"{path}: line {_line_of(path, bad, width)}, column timestamp: "
                f"{texts[bad]!r} is not a number"
            ) from None
    voter_codes: dict[str, int] = {}
    comment_codes: dict[str, int] = {}
    voter_arr = np.array([voter_codes.setdefault(v, len(voter_codes)) for v in voters], np.int64)
    comment_arr = np.array(
        [comment_codes.setdefault(c, len(comment_codes)) for c in comments], np.int64
    )
    value_arr = np.array(values, dtype=np.int8)
    keep = _latest(voter_arr, comment_arr, len(comment_codes), stamp_arr)
    return Votes(
        voter_ids=tuple(voter_codes),
        comment_ids=tuple(comment_codes),
        voter=voter_arr[keep],
        comment=comment_arr[keep],
        value=value_arr[keep],
        rows_read=len(values),
    )


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _is_data(row: list[str], width: int) -> bool:
    """False for a blank line (which is skipped), true for any row that must be checked."""
    return bool(row) and (len(row) >= width or any(cell.strip() for cell in row))


def _line_of(path: Path, index: int, width: int) -> int:
    """The line on which data row `index` (0 = first row after the header) starts."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        seen = -1
        previous_end = reader.line_num
        for row in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if _is_data(row, width):
                seen += 1
                if seen == index:
                    return start
    return previous_end


def _latest(
    voter: np.ndarray, comment: np.ndarray, num_comments: int, stamps: np.ndarray | None
) -> np.ndarray:
    """Rows to keep: for each (voter, statement), the latest vote (the later row on a tie)."""
    order = np.arange(voter.size)
    key = voter * max(num_comments, 1) + comment
    sort = np.lexsort((order, stamps if stamps is not None else order, key))
    key_sorted = key[sort]
    last = np.ones(key_sorted.size, dtype=bool)
    last[:-1] = key_sorted[1:] != key_sorted[:-1]
    return np.sort(sort[last])


def read_comments(path: str | Path) -> dict[str, Comment]:
    path = Path(path)
    with _open(path) as handle:
        reader = csv.reader(handle)
        try:
            return _parse_comments(reader, path)
        except UnicodeDecodeError:
            raise OpinionDataError(f"{path}: line {reader.line_num + 1}: not UTF-8 text") from None
        except csv.Error as exc:
            raise OpinionDataError(f"{path}: line {reader.line_num}: {exc}") from None


def _parse_comments(reader: Any, path: Path) -> dict[str, Comment]:
    header = next(reader, None)
    if header is None:
        raise OpinionDataError(f"{path}: the file is empty")
    columns = [name.strip().lower() for name in header]
    if "comment-id" not in columns:
        raise OpinionDataError(f"{path}: line 1: missing column 'comment-id'")
    at_id = columns.index("comment-id")
    at_text = columns.index("comment-body") if "comment-body" in columns else None
    at_mod = columns.index("moderated") if "moderated" in columns else None
    comments: dict[str, Comment] = {}
    for row in reader:
        if not row or not any(cell.strip() for cell in row):
            continue
        line = reader.line_num
        if len(row) < len(columns):
            raise OpinionDataError(
                f"{path}: line {line}: expected {len(columns)} columns, found {len(row)}"
            )
        comment_id = row[at_id].strip()
        if not comment_id:
            raise OpinionDataError(f"{path}: line {line}, column comment-id: empty")
        if comment_id in comments:
            raise OpinionDataError(
                f"{path}: line {line}, column comment-id: {comment_id} appears twice"
            )
        moderated = row[at_mod].strip() if at_mod is not None else ""
        if moderated not in ("", "1", "0", "-1"):
            raise OpinionDataError(
                f"{path}: line {line}, column moderated: {moderated!r} is not 1, 0 or -1"
            )
        comments[comment_id] = Comment(
            comment_id=comment_id,
            text=row[at_text].strip() if at_text is not None else "",
            moderated_out=moderated == "-1",
        )
    return comments


def _open(path: Path) -> IO[str]:
    try:
        return path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise OpinionDataError(f"{path}: cannot read the file ({exc.strerror})") from None
