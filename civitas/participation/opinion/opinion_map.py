"""The whole opinion map: who is in it, where they sit, which groups they form, and the
statements that characterise each group and those all groups share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .clustering import K_CHOICES, PARSIMONY, Clustering, choose_groups
from .pca import Projection, project
from .polis_export import Comment, OpinionDataError, Votes
from .statements import Z_90, StatementShare, consensus, representative
from .vote_matrix import VoteMatrix, build_vote_matrix


@dataclass(frozen=True)
class OpinionMap:
    matrix: VoteMatrix
    projection: Projection
    clustering: Clustering
    representative: list[list[StatementShare]]
    consensus: list[StatementShare]
    seed: int

    def to_dict(
        self, comments: dict[str, Comment] | None = None, *, points: bool = False
    ) -> dict[str, Any]:
        m = self.matrix
        labels = self.clustering.labels

        def statement(entry: StatementShare) -> dict[str, Any]:
            comment_id = m.comment_ids[entry.comment]
            out: dict[str, Any] = {"comment_id": comment_id}
            if comments is not None and comment_id in comments:
                out["text"] = comments[comment_id].text
            out["direction"] = entry.direction
            if entry.group_shares:
                out["share_by_group"] = [round(x, 4) for x in entry.group_shares]
            else:
                out["share_in_group"] = round(entry.share, 4)
                out["share_in_others"] = round(entry.others_share, 4)
                out["z"] = round(entry.z, 3)
            out["votes_seen"] = entry.seen
            return out

        groups = []
        for g in range(self.clustering.k):
            members = [m.voter_ids[i] for i in np.flatnonzero(labels == g)]
            groups.append(
                {
                    "id": g,
                    "size": len(members),
                    "center": [round(float(x), 6) for x in self.clustering.centers[g]],
                    "members": members,
                    "representative": [statement(e) for e in self.representative[g]],
                }
            )
        result: dict[str, Any] = {
            "participants": m.participants_total,
            "participants_in_map": len(m.voter_ids),
            "statements": len(m.comment_ids),
            "votes": int(m.value.size),
            "groups": groups,
            "consensus": [statement(e) for e in self.consensus],
            "method": {
                "min_votes": m.min_votes,
                "projection": "PCA (2 components) of the centred vote matrix, missing votes at the "
                "statement's mean, positions scaled by sqrt(statements / own votes)",
                "explained_variance_ratio": [
                    round(float(x), 6) for x in self.projection.explained_variance_ratio
                ],
                "clustering": f"k-means for k in {list(K_CHOICES)}; the fewest groups whose "
                f"mean silhouette is within {PARSIMONY} of the best",
                "silhouette_by_k": {
                    str(k): round(v, 6) for k, v in self.clustering.silhouettes.items()
                },
                "k": self.clustering.k,
                "representative": "majority of the group and more than the others "
                f"(one-sided z > {Z_90}), smoothed shares",
                "consensus": "every group leans the same way; ranked by the product of shares",
                "seed": self.seed,
            },
        }
        if points:
            result["points"] = [
                {"voter_id": v, "x": round(float(x), 6), "y": round(float(y), 6), "group": int(g)}
                for v, (x, y), g in zip(m.voter_ids, self.projection.points, labels, strict=True)
            ]
        return result


def compute_opinion_map(
    votes: Votes,
    comments: dict[str, Comment] | None = None,
    *,
    min_votes: int | None = None,
    seed: int = 0,
) -> OpinionMap:
    matrix = build_vote_matrix(votes, comments, min_votes=min_votes)
    if len(matrix.voter_ids) < 3:
        raise OpinionDataError(
            f"only {len(matrix.voter_ids)} participant(s) have at least {matrix.min_votes} "
            "votes; at least 3 are needed to form groups"
        )
    projection = project(matrix, seed=seed)
    clustering = choose_groups(projection.points, seed=seed)
    return OpinionMap(
        matrix=matrix,
        projection=projection,
        clustering=clustering,
        representative=representative(matrix, clustering.labels, clustering.k),
        consensus=consensus(matrix, clustering.labels, clustering.k),
        seed=seed,
    )
