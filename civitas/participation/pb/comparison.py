"""The comparison step used in elections run with equalshares.net (e.g. Wieliczka 2023).

After Equal Shares, the outcome of the greedy rule (by votes) is computed too. Every voter
prefers the outcome that funds more of the projects they voted for (on a points ballot: more of
their points). If strictly more voters prefer the greedy outcome, it is adopted; otherwise, and
on a draw, the Equal Shares outcome stands.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .greedy import greedy
from .profile import Profile, Utility


@dataclass(frozen=True)
class Comparison:
    greedy_selected: list[int]
    prefer_equal_shares: int
    prefer_greedy: int
    indifferent: int

    @property
    def keeps_equal_shares(self) -> bool:
        return self.prefer_greedy <= self.prefer_equal_shares


def compare_with_greedy(profile: Profile, equal_shares_selected: list[int]) -> Comparison:
    greedy_selected, _ = greedy(profile, Utility.COST)  # the official greedy: by votes
    mes = profile.cardinal_satisfaction(equal_shares_selected)
    grd = profile.cardinal_satisfaction(greedy_selected)
    prefer_mes = int(np.count_nonzero(mes > grd))
    prefer_greedy = int(np.count_nonzero(grd > mes))
    return Comparison(
        greedy_selected=greedy_selected,
        prefer_equal_shares=prefer_mes,
        prefer_greedy=prefer_greedy,
        indifferent=profile.num_voters - prefer_mes - prefer_greedy,
    )
