"""Fixture workbooks built in code with recon's own template, named by scenario.

``clean_region(tmp_path)`` is a correctly filled East and Horn of Africa workbook (no findings);
``clean_country(tmp_path)`` a correctly filled Kenya country-office workbook. Scenarios change one thing.
"""

from __future__ import annotations

import copy
from pathlib import Path

from recon.appeal.published import PublishedRow, PublishedSummary
from recon.workbook import template

REGION = "East and Horn of Africa"

# Kenya 1,500,000 + Burundi 2,000,000 = 3,500,000; Regional Programmes only a Funded line.
CLEAN_ENTRIES = [
    {"country": "Kenya", "area": "Migration Health", "amount": 1_000_000, "status": "Requirement",
     "populations": ["Migrants and vulnerable populations"], "source": "test"},
    {"country": "Kenya", "area": "Migrant Assistance", "amount": 500_000, "status": "Requirement"},
    {"country": "Burundi", "area": "Operations, Emergencies and Post-crisis", "amount": 2_000_000},
    {"country": "Regional Programmes", "area": "Migration Policy and Research", "status": "Funded"},
]
CLEAN_SUMMARY = PublishedSummary(
    "EAST AND HORN OF AFRICA",
    countries=[PublishedRow("Regional Programmes", "funded"), PublishedRow("Burundi", 2_000_000),
               PublishedRow("Kenya", 1_500_000)],
    # shares 28.571 %, 14.286 %, 57.143 % — printed at one decimal
    areas=[PublishedRow("Migration Health", 1_000_000, "28.6"), PublishedRow("Migrant Assistance", 500_000, "14.3"),
           PublishedRow("Operations, Emergencies and Post-crisis", 2_000_000, "57.1")],
    total=3_500_000,
)
KENYA_ENTRIES = [
    {"area": "Migration Health", "amount": 1_000_000},
    {"area": "Migrant Assistance", "amount": 500_000},
    {"area": "Migration Policy and Research", "status": "Funded"},
]

# Kenya's office workbook with one error (Migration Health: a requirement without an amount,
# ENTRY-AMOUNT-MISSING) and the same workbook fixed: the two uploads the web tests make of one office.
KENYA_MISSING_AMOUNT = [{"area": "Migration Health", "amount": None, "status": "Requirement"},
                        {"area": "Migrant Assistance", "amount": 500_000}]
KENYA_FIXED = [{"area": "Migration Health", "amount": 1_000_000},
               {"area": "Migrant Assistance", "amount": 500_000}]


def entries() -> list[dict]:
    return copy.deepcopy(CLEAN_ENTRIES)


def summary() -> PublishedSummary:
    return copy.deepcopy(CLEAN_SUMMARY)


def write(tmp_path: Path, name: str, entries: list[dict], summary: PublishedSummary | None = None,
          region: str = REGION, country: str | None = None, revision: int = 1, formulas: bool = False) -> Path:
    wb = template.build(region, country, entries=entries, summary=summary, revision=revision, formulas=formulas)
    return template.write(wb, tmp_path / f"{name}.xlsx")


def clean_region(tmp_path: Path, name: str = "clean-region") -> Path:
    return write(tmp_path, name, entries(), summary())


def clean_country(tmp_path: Path, name: str = "clean-kenya", rows: list[dict] | None = None) -> Path:
    return write(tmp_path, name, copy.deepcopy(rows if rows is not None else KENYA_ENTRIES), country="Kenya")
