"""Country-office and regional workbooks typed the way people type them, one realistic mistake per copy.

Each builder returns a path; the tests read them with recon and, recalculated by LibreOffice, check that the
workbook's own live checks say the same (tests/test_workbook_live_checks.py).
"""

from __future__ import annotations

from pathlib import Path

import fixtures as fx

from recon.workbook import layout as L
from recon.workbook import template

MH, MA, OPS = "Migration Health", "Migrant Assistance", "Operations, Emergencies and Post-crisis"
# The clean fixture's shares: 28.571 %, 14.286 %, 57.143 %.
PERCENT_FORMS = {
    "number": [(28.6, None), (14.3, None), (57.1, None)],
    "text": [("28.6", None), ("14.3", None), ("57.1", None)],
    "text-with-percent-sign": [("28.6%", None), ("14.3 %", None), ("57.1%", None)],
    "decimal-comma": [("28,6", None), ("14,3", None), ("57,1", None)],
    "percent-formatted": [(0.286, "0.0%"), (0.143, "0.0%"), (0.571, "0.0%")],
}


def area_rows(ws) -> dict[str, int]:
    """Area name → its row on the Summary sheet."""
    head = next(r for r in range(1, ws.max_row + 1) if ws[f"A{r}"].value == L.AREA_TABLE_LABEL)
    out = {}
    for r in range(head + 1, ws.max_row + 1):
        if ws[f"A{r}"].value in (None, L.TOTAL_LABEL):
            break
        out[ws[f"A{r}"].value] = r
    return out


def with_labels(tmp: Path, name: str, labels: list[tuple], summary=None, entries=None) -> Path:
    """The clean regional workbook with its three pie labels typed as ``labels``: (value, number format)."""
    wb = template.build(fx.REGION, entries=entries or fx.entries(), summary=summary or fx.summary())
    ws = wb[L.SUMMARY]
    for (value, fmt), row in zip(labels, area_rows(ws).values(), strict=True):
        ws[f"C{row}"] = value
        ws[f"C{row}"].number_format = fmt or ("@" if isinstance(value, str) else "General")
    return template.write(wb, tmp / f"{name}.xlsx")


def wrong_total(tmp: Path, name: str = "wrong-total") -> Path:
    s = fx.summary()
    s.total = 3_600_000
    return fx.write(tmp, name, fx.entries(), s)


def missing_country_row(tmp: Path, name: str = "missing-country-row") -> Path:
    s = fx.summary()
    s.countries = [r for r in s.countries if r.name != "Burundi"]
    return fx.write(tmp, name, fx.entries(), s)


def text_amount_in_regional_entries(tmp: Path, name: str = "regional-text-amount") -> Path:
    """Kenya's Migration Health amount typed as the text "1,000,000": recon reads it, Excel's SUMIFS skips it."""
    rows = fx.entries()
    rows[0]["amount"] = "1,000,000"
    return fx.write(tmp, name, rows, fx.summary())


def variants_in_published_tables(tmp: Path, name: str = "variants-in-tables") -> Path:
    """The country table prints "Tanzania" and the area table "Emergency, Operations and Post-crisis", while
    the entries use the canonical names: Excel's SUMIFS by the printed name finds nothing, recon resolves."""
    from recon.appeal.published import PublishedRow

    rows = fx.entries() + [{"country": "United Republic of Tanzania", "area": MH, "amount": 100}]
    s = fx.summary()
    s.countries = s.countries + [PublishedRow("Tanzania", 100)]
    s.areas = [PublishedRow(MH, 1_000_100, "28.6"), PublishedRow(MA, 500_000, "14.3"),
               PublishedRow("Emergency, Operations and Post-crisis", 2_000_000, "57.1")]
    s.total = 3_500_100
    return fx.write(tmp, name, rows, s)


def text_amount_left_out_of_published(tmp: Path, name: str = "text-amount-left-out", lang: str = "en",
                                      hashtags: bool | None = None) -> Path:
    """An extra Kenya line whose amount is typed as the text "300,000", which the published figures leave out:
    Excel's SUMIFS skips it, so Kenya, Operations and the total add up in Excel, while recon reads 300,000
    and finds all three 300,000 short. Entries row 5 (row 6 with the HXL row)."""
    rows = fx.entries()
    rows.insert(3, {"country": "Kenya", "area": OPS, "amount": "300,000", "status": "Requirement"})
    wb = template.build(fx.REGION, entries=rows, summary=fx.summary(), lang=lang, hashtags=hashtags)
    return template.write(wb, tmp / f"{name}.xlsx")
