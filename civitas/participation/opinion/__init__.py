"""Polis-style opinion maps: who agrees with whom, which statements divide and which unite.

Pure numpy, no Django: the web app stores votes and calls `compute_opinion_map`.
"""

from .opinion_map import OpinionMap, compute_opinion_map
from .polis_export import Comment, OpinionDataError, Votes, read_comments, read_votes

__all__ = [
    "Comment",
    "OpinionDataError",
    "OpinionMap",
    "Votes",
    "compute_opinion_map",
    "read_comments",
    "read_votes",
]
