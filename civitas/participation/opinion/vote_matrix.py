"""The participants-by-statements vote matrix the map is computed from.

Statements moderated out are left out. Participants with fewer than `min_votes` votes are left
out of the map (Polis uses 7, or every statement when there are fewer than 7): a handful of
votes says too little about where someone stands.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .polis_export import Comment, OpinionDataError, Votes

POLIS_MIN_VOTES = 7


@dataclass(frozen=True)
class VoteMatrix:
    voter_ids: tuple[str, ...]  # rows: participants in the map
    comment_ids: tuple[str, ...]  # columns: statements in the map
    row: np.ndarray  # int64, one entry per vote
    col: np.ndarray  # int64
    value: np.ndarray  # float64: 1 agree, -1 disagree, 0 pass
    participants_total: int  # everyone who voted, including those left out
    min_votes: int

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.voter_ids), len(self.comment_ids)

    def dense(self, dtype: type = np.float64) -> np.ndarray:
        """Votes as a matrix with NaN where a participant did not vote."""
        matrix = np.full(self.shape, np.nan, dtype=dtype)
        matrix[self.row, self.col] = self.value
        return matrix


def build_vote_matrix(
    votes: Votes, comments: dict[str, Comment] | None = None, *, min_votes: int | None = None
) -> VoteMatrix:
    keep_comment = np.ones(len(votes.comment_ids), dtype=bool)
    if comments is not None:
        for index, comment_id in enumerate(votes.comment_ids):
            comment = comments.get(comment_id)
            if comment is not None and comment.moderated_out:
                keep_comment[index] = False
    in_comments = keep_comment[votes.comment]
    voter = votes.voter[in_comments]
    comment = votes.comment[in_comments]
    value = votes.value[in_comments]

    statements = int(keep_comment.sum())
    threshold = min(POLIS_MIN_VOTES, statements) if min_votes is None else min_votes
    per_voter = np.bincount(voter, minlength=len(votes.voter_ids))
    keep_voter = per_voter >= max(threshold, 1)
    if not keep_voter.any():
        raise OpinionDataError(
            f"no participant has at least {threshold} votes, so there is nobody to map"
        )
    in_voters = keep_voter[voter]
    voter_map = np.cumsum(keep_voter) - 1
    comment_map = np.cumsum(keep_comment) - 1
    return VoteMatrix(
        voter_ids=tuple(v for v, k in zip(votes.voter_ids, keep_voter, strict=True) if k),
        comment_ids=tuple(c for c, k in zip(votes.comment_ids, keep_comment, strict=True) if k),
        row=voter_map[voter[in_voters]],
        col=comment_map[comment[in_voters]],
        value=value[in_voters].astype(np.float64),
        participants_total=len(votes.voter_ids),
        min_votes=threshold,
    )
