"""Errors a participatory-budget file or tally can raise, each one readable by a person."""

from __future__ import annotations


class PbError(ValueError):
    """Base class: the message is meant for the person who supplied the input."""


class PabulibFormatError(PbError):
    """A `.pb` file that does not follow the Pabulib format, located by section and line."""

    def __init__(
        self, message: str, *, line: int | None, section: str | None, source: str = ""
    ) -> None:
        self.reason = message
        self.line = line
        self.section = section
        self.source = source
        where = []
        if source:
            where.append(source)
        if line is not None:
            where.append(f"line {line}")
        if section:
            where.append(f"section {section}")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class BallotRejected(PbError):
    """A ballot that breaks the election's rules (too many projects, over budget, ...)."""


class TallyError(PbError):
    """A tally that cannot be carried out as specified (unknown rule, unsupported ballots, ...)."""
