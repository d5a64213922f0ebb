"""What is wrong with an input file, row by row and column by column.

Imports are all or nothing: when any row is wrong, nothing is written and the person gets every
problem at once (row numbers count the header as row 1, as a spreadsheet shows them).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    row: int  # 0: the file as a whole
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row else "file"
        return f"{where}, {self.column or '-'}: {self.reason}"


class FileRefused(Exception):
    """The file was refused and nothing was written; ``problems`` says why."""

    def __init__(self, problems: list[Problem], *, what: str = "file"):
        self.problems = sorted(problems, key=lambda p: (p.row, p.column))
        super().__init__(
            f"{what} refused: {len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}"
        )

    def report_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["row", "column", "reason"])
        for problem in self.problems:
            writer.writerow([problem.row, problem.column, problem.reason])
        return out.getvalue()

    def summary(self, limit: int = 20) -> str:
        lines = [str(p) for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"... and {len(self.problems) - limit} more")
        return "\n".join(lines)
