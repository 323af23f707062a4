"""Errors that make an input unusable: one line for the user, naming where and what to do."""

from __future__ import annotations

from recon.appeal.location import Location


class UnusableInput(Exception):
    """A workbook recon cannot read at all, e.g. ``UnusableInput("x.xlsx", "not an xlsx file", "...")``.

    ``str()`` gives the one line the CLI prints: ``x.xlsx › Entries › A1: header 'Country' not found — use ...``
    """

    def __init__(self, file: str, problem: str, fix: str, sheet: str | None = None, cell: str | None = None):
        self.file, self.problem, self.fix, self.sheet, self.cell = file, problem, fix, sheet, cell
        super().__init__(str(self))

    def __reduce__(self):  # picklable, so parallel readers can hand it back
        return (type(self), (self.file, self.problem, self.fix, self.sheet, self.cell))

    @property
    def where(self) -> Location:
        return Location(self.file, self.sheet, self.cell)

    def __str__(self) -> str:
        return f"{self.where}: {self.problem} — {self.fix}"


class RulesError(Exception):
    """The rule suites in expectations/ are broken (an unknown expectation type, unreadable JSON)."""


class UsageError(ValueError):
    """The command line asks for something recon refuses, e.g. ``UsageError("--annotate takes exactly one
    workbook")``: one line, exit code 2. A ValueError, so library callers that caught ValueError still do."""


class OutputError(UsageError):
    """An output recon will not or cannot write, naming it and what to do, e.g.
    ``OutputError("subs/report.xlsx is one of the input workbooks; choose another --report-dir")`` or
    ``OutputError("out.csv: cannot write (No space left on device)")``."""
