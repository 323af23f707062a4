"""A Submission: one office's workbook as recon understood it.

``entries`` is a DataFrame, one row per accepted entry (columns in :data:`ENTRY_COLUMNS`), each carrying the
file, sheet and Excel row it came from; ``countries`` and ``areas`` are the published summary tables with
their cells; ``findings`` are what reading noticed (text amounts, rejected rows, unusable parts).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from recon.finding import Finding

ENTRY_COLUMNS = (
    "file", "row", "region", "office", "country", "country_printed", "country_kind",
    "country_suggestion", "area", "area_printed", "area_kind", "area_suggestion", "amount", "amount_given",
    "status", "populations", "source", "notes", "duplicate_ok",
)
# Published summary tables: one row per printed row, with the cells it came from.
TABLE_COLUMNS = ("region", "name_printed", "name", "kind", "suggestion", "published_usd", "published_funded",
                 "published_text", "percent_text", "cell_name", "cell_usd", "cell_percent")


@dataclass
class Submission:
    path: Path
    region: str
    office: str  # the region for a regional office, the country for a country office
    revision: int
    meta: dict
    entries: pd.DataFrame
    columns: dict[str, str]  # entry field → column letter, e.g. {"amount": "C"}
    countries: pd.DataFrame | None = None
    areas: pd.DataFrame | None = None
    total: float | None = None
    total_cell: str | None = None
    title: str | None = None
    findings: list[Finding] = field(default_factory=list)
    rows_read: int = 0
    rows_rejected: int = 0
    sha256: str = ""
    edition: int = 0  # the edition year from _meta, e.g. 2015

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def has_summary(self) -> bool:
        return self.countries is not None

    @property
    def rows_accepted(self) -> int:
        return len(self.entries)

    def location(self, field_name: str, row: int) -> str:
        return f"{self.name} › Entries › {self.columns.get(field_name, '?')}{row}"
