"""Errors the rules engine raises.

Every error carries enough context (file, line, column, variable, row) for a
one-line message that a programme author or an operator can act on. Callers
print ``str(error)``; no traceback is ever needed to understand what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Location:
    """A place in a programme file (1-based line and column)."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line and self.column:
            return f"{self.file}:{self.line}:{self.column}"
        if self.line:
            return f"{self.file}:{self.line}"
        return self.file


class RulesError(Exception):
    """Base class of every error the engine raises on purpose."""


class ProgrammeError(RulesError):
    """A programme folder cannot be loaded; ``problems`` lists every problem found."""

    def __init__(self, problems: list[tuple[Location | None, str]]) -> None:
        self.problems = problems
        super().__init__("\n".join(_format(loc, msg) for loc, msg in problems))

    @classmethod
    def single(cls, location: Location | None, message: str) -> ProgrammeError:
        return cls([(location, message)])


class ExpressionError(RulesError):
    """A formula or an expected value does not parse or does not type-check."""

    def __init__(self, message: str, offset: int = 0, length: int = 1) -> None:
        self.message = message
        self.offset = offset
        self.length = length
        super().__init__(message)


class EvaluationError(RulesError):
    """Rules that loaded cannot be computed for the requested date or data."""


class SituationError(RulesError):
    """A single situation (OpenFisca-style JSON or a YAML test input) is malformed."""


class InputDataError(RulesError):
    """Batch input columns are missing, mistyped or inconsistent."""


def _format(location: Location | None, message: str) -> str:
    return f"{location}: {message}" if location is not None else message
