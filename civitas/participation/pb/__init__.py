"""Participatory-budget tallies: Pabulib files, greedy by votes and the Method of Equal Shares.

Pure Python and numpy, no Django: the web app stores ballots and calls `tally`.
"""

from .ballot_rules import BallotRules
from .errors import BallotRejected, PabulibFormatError, PbError, TallyError
from .model import Ballot, BallotFormat, Election, Project
from .pabulib_reader import parse_pb, read_pb
from .pabulib_writer import format_pb, write_pb
from .profile import Utility
from .spec import Completion, Rule, RuleSpec
from .tally import TallyResult, tally
from .verify import verify_report

__all__ = [
    "Ballot",
    "BallotFormat",
    "BallotRejected",
    "BallotRules",
    "Completion",
    "Election",
    "PabulibFormatError",
    "PbError",
    "Project",
    "Rule",
    "RuleSpec",
    "TallyError",
    "TallyResult",
    "Utility",
    "format_pb",
    "parse_pb",
    "read_pb",
    "tally",
    "verify_report",
    "write_pb",
]
