"""Which statements characterise each group, and which ones every group shares.

Shares are smoothed (one agree and one disagree added to every count) so that a statement seen by
three people does not look unanimous. A statement represents a group when most of the group takes
that side, clearly more often than everyone else does (one-sided two-proportion z-test at 90 %).
A statement is consensus when every group leans the same way; statements are ranked by the
product of the groups' shares, so that no group is outvoted by a larger one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .vote_matrix import VoteMatrix

Z_90 = 1.2816  # one-sided 90 %
PER_GROUP = 5
CONSENSUS = 5


@dataclass(frozen=True)
class StatementShare:
    comment: int  # column in the vote matrix
    direction: str  # "agree" or "disagree"
    share: float  # smoothed share of the group (or, for consensus, the lowest group share)
    others_share: float  # the same share among everyone outside the group (nan for consensus)
    seen: int  # votes on the statement inside the group (all groups for consensus)
    z: float  # strength of the difference with the others (nan for consensus)
    group_shares: tuple[float, ...] = ()  # consensus only: each group's smoothed share


def _counts(matrix: VoteMatrix, labels: np.ndarray, k: int) -> tuple[np.ndarray, ...]:
    statements = matrix.shape[1]
    group = labels[matrix.row]
    key = group * statements + matrix.col
    size = k * statements
    agree = np.bincount(key[matrix.value > 0], minlength=size).reshape(k, statements)
    disagree = np.bincount(key[matrix.value < 0], minlength=size).reshape(k, statements)
    seen = np.bincount(key, minlength=size).reshape(k, statements)
    return agree, disagree, seen


def representative(matrix: VoteMatrix, labels: np.ndarray, k: int) -> list[list[StatementShare]]:
    agree, disagree, seen = _counts(matrix, labels, k)
    total_seen = seen.sum(axis=0)
    result: list[list[StatementShare]] = []
    for g in range(k):
        found: list[tuple[float, StatementShare]] = []
        out_seen = total_seen - seen[g]
        for direction, counts in (("agree", agree), ("disagree", disagree)):
            inside = counts[g]
            outside = counts.sum(axis=0) - inside
            share = (1 + inside) / (2 + seen[g])
            others = (1 + outside) / (2 + out_seen)
            z = _two_proportion_z(inside, seen[g], outside, out_seen)
            ok = (share > 0.5) & (z > Z_90) & (seen[g] > 0)
            for c in np.flatnonzero(ok):
                entry = StatementShare(
                    comment=int(c),
                    direction=direction,
                    share=float(share[c]),
                    others_share=float(others[c]),
                    seen=int(seen[g, c]),
                    z=float(z[c]),
                )
                found.append((float(share[c] / others[c] * share[c]), entry))
        found.sort(key=lambda item: (-item[0], item[1].comment))
        best: dict[int, StatementShare] = {}
        for _, entry in found:  # one direction per statement: the stronger
            best.setdefault(entry.comment, entry)
        result.append(list(best.values())[:PER_GROUP])
    return result


def consensus(matrix: VoteMatrix, labels: np.ndarray, k: int) -> list[StatementShare]:
    agree, disagree, seen = _counts(matrix, labels, k)
    found: list[tuple[float, StatementShare]] = []
    for direction, counts in (("agree", agree), ("disagree", disagree)):
        share = (1 + counts) / (2 + seen)  # (k, statements)
        every = (share > 0.5).all(axis=0) & (seen > 0).all(axis=0)
        score = share.prod(axis=0)
        for c in np.flatnonzero(every):
            found.append(
                (
                    float(score[c]),
                    StatementShare(
                        comment=int(c),
                        direction=direction,
                        share=float(share[:, c].min()),
                        others_share=float("nan"),
                        seen=int(seen[:, c].sum()),
                        z=float("nan"),
                        group_shares=tuple(float(x) for x in share[:, c]),
                    ),
                )
            )
    found.sort(key=lambda item: (-item[0], item[1].comment))
    return [entry for _, entry in found[:CONSENSUS]]


def _two_proportion_z(
    hits_a: np.ndarray, n_a: np.ndarray, hits_b: np.ndarray, n_b: np.ndarray
) -> np.ndarray:
    """z of (share in a) - (share in b) with a pooled variance; 0 where a side saw nothing."""
    with np.errstate(divide="ignore", invalid="ignore"):
        pa = hits_a / n_a
        pb = hits_b / n_b
        pooled = (hits_a + hits_b) / (n_a + n_b)
        spread = np.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
        z = (pa - pb) / spread
    return np.where((n_a > 0) & (n_b > 0) & (spread > 0), z, 0.0)
