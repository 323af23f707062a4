"""Where a finding points in the workbooks: one file, maybe a sheet, maybe a cell.

>>> where = Location("ehoa.xlsx", "Summary", "E19")
>>> str(where)
'ehoa.xlsx › Summary › E19'
>>> where.sheet, where.cell
('Summary', 'E19')
>>> str(Location("ehoa.xlsx", "_meta"))
'ehoa.xlsx › _meta'

``str()`` is the one place the ``file › sheet › cell`` form is written (report.json, the terminal, the Findings
sheet); nothing reads it back — whoever needs the sheet or the cell takes ``.sheet`` and ``.cell``.
"""

from __future__ import annotations

from dataclasses import dataclass

SEPARATOR = " › "


@dataclass(frozen=True, slots=True)
class Location:
    """``Location("kenya.xlsx", "Entries", "C12")``; ``sheet`` and ``cell`` are None when a finding is about a
    whole file or sheet. ``file`` is the workbook's name as given (or, for a region that sent no workbook,
    the region's name)."""

    file: str
    sheet: str | None = None
    cell: str | None = None

    def __str__(self) -> str:
        return SEPARATOR.join(p for p in (self.file, self.sheet, self.cell) if p)


def shown(where: Location | str | None) -> str:
    """The text of a location, ``""`` for none: ``shown(Location("k.xlsx", "Entries", "C2"))`` → ``'k.xlsx ›
    Entries › C2'``."""
    return str(where) if where else ""
