"""report.xlsx: the report's tables for budget staff — filterable, frozen header, USD formats.

No value from a workbook can become a formula: text goes through :func:`recon.inert.cell` (control characters
escaped, a leading apostrophe before ``= + - @``, as in CSV exports) *and* every text cell is stored as an
explicit string, because openpyxl otherwise writes any ``str`` starting with ``=`` as a formula.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo

from recon import inert
from recon.report import diff

USD = "#,##0;[Red]-#,##0"
PCT = "0.0000"
# (header, key, width, number format); a format of None writes text.
REGIONS = (("Region", "region", 44, None), ("Entries", "entries", 9, "0"), ("Funded", "funded", 9, "0"),
           ("Published total (USD)", "published_total", 18, USD),
           ("Computed total (USD)", "computed_total", 18, USD), ("Gap (USD)", "gap", 14, USD),
           ("Errors", "error", 8, "0"), ("Warnings", "warning", 10, "0"), ("Info", "info", 8, "0"))
FINDINGS = (("Severity", "severity", 10, None), ("Rule", "rule", 26, None), ("Region", "region", 30, None),
            ("Country", "country", 22, None), ("Programmatic area", "area", 30, None),
            ("Location", "location", 44, None), ("Expected", "expected", 16, None), ("Found", "actual", 16, None),
            ("Finding", "message", 70, None), ("Suggestion", "suggestion", 50, None),
            ("USD at stake", "usd_at_stake", 14, USD))
PIES = (("Region", "region", 30, None), ("Programmatic area", "name_printed", 36, None),
        ("Published USD", "published_usd", 16, USD), ("Computed USD", "computed_usd", 16, USD),
        ("Printed %", "published_text", 10, None), ("From USD %", "computed_text", 11, None),
        ("Share of computed total %", "computed_pct", 12, PCT), ("Mismatch", "mismatch", 10, None),
        ("Worst finding", "severity", 12, None), ("Printed % cell", "location", 44, None))
INPUTS = (("Workbook", "file", 44, None), ("Region", "region", 30, None), ("Office", "office", 30, None),
          ("Revision", "revision", 9, "0"), ("Rows read", "rows_read", 10, "0"),
          ("Accepted", "rows_accepted", 10, "0"), ("Rejected", "rows_rejected", 10, "0"),
          ("Status", "status", 20, None), ("SHA-256", "sha256", 68, None))
CHANGES = (("Kind", "kind", 18, None), ("Region", "region", 30, None), ("Country", "country", 22, None),
           ("Programmatic area", "area", 30, None), ("Change", "text", 70, None), ("Old", "old", 16, USD),
           ("New", "new", 16, USD), ("Location (new)", "location_new", 44, None),
           ("Location (old)", "location_old", 44, None))


def _put(ws, row: int, col: int, value, fmt: str | None) -> None:
    cell = ws.cell(row=row, column=col)
    if value is None:
        return
    if isinstance(value, bool):
        value = "yes" if value else ""
    if isinstance(value, str):
        cell.value = inert.cell(value)
        cell.data_type = "s"  # never "f", whatever the text
        return
    cell.value = value
    if fmt:
        cell.number_format = fmt


def _table(wb: Workbook, title: str, columns: tuple, rows: list[dict]) -> None:
    ws = wb.create_sheet(title)
    for c, (head, _key, width, _fmt) in enumerate(columns, start=1):
        _put(ws, 1, c, head, None)
        ws.cell(row=1, column=c).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(c)].width = width
    for r, row in enumerate(rows, start=2):
        for c, (_head, key, _width, fmt) in enumerate(columns, start=1):
            _put(ws, r, c, row.get(key), fmt)
            if key in ("message", "suggestion", "text"):
                ws.cell(row=r, column=c).alignment = Alignment(wrap_text=True, vertical="top")
    last = get_column_letter(len(columns))
    # An Excel table needs a data row, even an empty one.
    table = Table(displayName=title.replace(" ", ""), ref=f"A1:{last}{max(len(rows), 1) + 1}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(table)
    ws.freeze_panes = "A2"


def _about(wb: Workbook, record: dict) -> None:
    ws = wb.active
    ws.title = "About"
    lines = [("Validation report", "Migration Initiatives funding appeal"),
             ("Generated (UTC)", record["generated_at"]), ("recon version", record["recon_version"]),
             ("Rules version", record["rules"]["version"]),
             *((f"Rule suite {s['name']}", f"{s['expectations']} expectations · sha256 {s['sha256']}")
               for s in record["rules"]["suites"]),
             ("Errors", record["counts"]["error"]), ("Warnings", record["counts"]["warning"]),
             ("Info", record["counts"]["info"]), ("Workbooks", len(record["inputs"])),
             ("Entries", len(record["entries"]))]
    for r, (label, value) in enumerate(lines, start=1):
        _put(ws, r, 1, label, None)
        ws.cell(row=r, column=1).font = Font(bold=True)
        _put(ws, r, 2, value, "0")
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 100


def write(record: dict, path: Path) -> Path:
    wb = Workbook()
    _about(wb, record)
    _table(wb, "Regions", REGIONS, record["regions"])
    _table(wb, "Findings", FINDINGS, record["findings"])
    slices = [{**s, "region": p["region"], "mismatch": "≠" if s["marked"] else ""}
              for p in record["pies"] for s in p["slices"]]
    _table(wb, "Pie charts", PIES, slices)
    _table(wb, "Inputs", INPUTS, record["inputs"])
    if record.get("previous"):
        changes = [{**c, "text": diff.describe(c),
                    "old": c["old"] if not isinstance(c["old"], bool) else str(c["old"]),
                    "new": c["new"] if not isinstance(c["new"], bool) else str(c["new"])}
                   for c in record["previous"]["changes"]]
        _table(wb, "Changes", CHANGES, changes)
    wb.save(path)
    return path
