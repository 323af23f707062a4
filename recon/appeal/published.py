"""What a regional office publishes: the country table, the area table with pie-chart %, the total.

>>> s = PublishedSummary("EAST AND HORN OF AFRICA", countries=[PublishedRow("Kenya", 12_350_000)],
...                      areas=[PublishedRow("Migration Health", 12_800_000, "9")], total=142_550_000)
>>> s.areas[0].percent
'9'
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class PublishedRow:
    """One row of a published table: ``name`` as printed, ``value`` as printed (a number, ``"funded"``, or
    ``None`` when the cell is empty) and, for area rows, the pie-chart label as printed (``"10.68"``)."""

    name: str
    value: float | str | None
    percent: str | None = None


@dataclass
class PublishedSummary:
    title: str  # the region as printed, e.g. "European Union, Switzerland and Norway"
    countries: list[PublishedRow] = field(default_factory=list)
    areas: list[PublishedRow] = field(default_factory=list)
    total: float | str | None = None
