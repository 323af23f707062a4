"""A Submission: one office's workbook as recon understood it.

The reader keeps entries column by column (:class:`EntryTable`): text as distinct values plus a code per row,
numbers as ``array``\\s. That is what a reader process sends back (a 1,000-row workbook pickles to a few KB)
and what the merge concatenates into one entries frame (:func:`recon.reconciliation.reconcile.reconcile`, columns in
:data:`ENTRY_COLUMNS`); nothing here needs pandas, so reader processes never import it. The published
``countries`` and ``areas`` tables with their cells are DataFrames built when first asked for. ``findings``
are what reading noticed (text amounts, rejected rows, unusable parts).
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from recon.appeal.finding import Finding
from recon.appeal.vocabulary import Match

ENTRY_COLUMNS = (
    "file", "row", "region", "office", "country", "country_printed", "country_kind",
    "country_suggestion", "area", "area_printed", "area_kind", "area_suggestion", "amount", "amount_given",
    "status", "populations", "source", "notes", "duplicate_ok",
)
# Published summary tables: one row per printed row, with the cells it came from.
TABLE_COLUMNS = ("region", "name_printed", "name", "kind", "suggestion", "published_usd", "published_funded",
                 "published_text", "percent_text", "cell_name", "cell_usd", "cell_percent")


@dataclass
class Coded:
    """A text column as its distinct values and one code per row.

    >>> c = Coded.encode(["Kenya", "Kenya", "Uganda"])
    >>> c.values, list(c.codes), c.tolist()
    (['Kenya', 'Uganda'], [0, 0, 1], ['Kenya', 'Kenya', 'Uganda'])
    """

    values: list[str]
    codes: array  # "i"

    @classmethod
    def encode(cls, column: list[str]) -> Coded:
        index = {v: i for i, v in enumerate(dict.fromkeys(column))}  # first-seen order: repeatable
        return cls(list(index), array("i", map(index.__getitem__, column)))

    def __len__(self) -> int:
        return len(self.codes)

    def mapped(self, fn) -> Coded:
        """Each distinct value through ``fn``, merging values that become equal:
        ``Coded(["funded", "Funded"], [0, 1]).mapped(str.title)`` → ``Coded(["Funded"], [0, 0])``."""
        new = [fn(v) for v in self.values]
        index = {v: i for i, v in enumerate(dict.fromkeys(new))}
        if len(index) == len(new):
            return Coded(new, self.codes)
        remap = [index[v] for v in new]
        return Coded(list(index), array("i", map(remap.__getitem__, self.codes)))

    def tolist(self) -> list[str]:
        return list(map(self.values.__getitem__, self.codes))


@dataclass
class EntryTable:
    """One workbook's accepted entries, column by column.

    ``country`` and ``area`` hold the names as printed (a blank country in a country office's workbook is
    that country); ``country_match[i]`` / ``area_match[i]`` say how ``values[i]`` matched the vocabulary.
    ``amount`` is NaN where there is no number; ``amount_given`` is 1 where the amount cell was not blank.
    """

    row: array  # "i": Excel row numbers, e.g. array("i", [2, 3, 5])
    country: Coded
    area: Coded
    status: Coded  # "Requirement", "Funded", or whatever else was typed
    amount: array  # "d"
    amount_given: array  # "b"
    duplicate_ok: array  # "b"
    populations: Coded  # few distinct values, repeated
    source: list[str]  # usually one per row
    notes: Coded
    country_match: list[Match]
    area_match: list[Match]

    def __len__(self) -> int:
        return len(self.row)


@dataclass
class Submission:
    path: Path
    region: str
    office: str  # the region for a regional office, the country for a country office
    revision: int
    meta: dict
    table: EntryTable
    columns: dict[str, str]  # entry field → column letter, e.g. {"amount": "C"}
    country_rows: list[dict] | None = None  # published country table: TABLE_COLUMNS per printed row
    area_rows: list[dict] | None = None
    total: float | None = None
    total_cell: str | None = None
    title: str | None = None
    findings: list[Finding] = field(default_factory=list)
    rows_read: int = 0
    rows_rejected: int = 0
    sha256: str = ""
    edition: int = 0  # the edition year from _meta, e.g. 2015

    def __getstate__(self) -> dict:
        # The DataFrame views are rebuilt on demand: a reader process never sends them.
        return {k: v for k, v in self.__dict__.items() if k not in ("countries", "areas")}

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def has_summary(self) -> bool:
        return self.country_rows is not None

    @property
    def rows_accepted(self) -> int:
        return len(self.table)

    @cached_property
    def countries(self):
        return _table_frame(self.country_rows)

    @cached_property
    def areas(self):
        return _table_frame(self.area_rows)


def _table_frame(rows: list[dict] | None):
    if rows is None:
        return None
    import pandas as pd

    return pd.DataFrame(rows, columns=list(TABLE_COLUMNS))
