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
from recon.language import N_, gettext_in, number, said
from recon.report import diff

USD = "#,##0;[Red]-#,##0"
PCT = "0.0000"
# (header, key, width, number format); a format of None writes text.
REGIONS = ((N_("Region"), "region", 44, None), (N_("Entries"), "entries", 9, "0"), (N_("Funded"), "funded", 9, "0"),
           (N_("Published total (USD)"), "published_total", 18, USD),
           (N_("Computed total (USD)"), "computed_total", 18, USD), (N_("Gap (USD)"), "gap", 14, USD),
           (N_("Errors"), "error", 8, "0"), (N_("Warnings"), "warning", 10, "0"), (N_("Info"), "info", 8, "0"))
FINDINGS = ((N_("Severity"), "severity", 10, None), (N_("Rule"), "rule", 26, None), (N_("Region"), "region", 30, None),
            (N_("Country"), "country", 22, None), (N_("Programmatic area"), "area", 30, None),
            (N_("Location"), "location", 44, None), (N_("Expected"), "expected", 16, None), (N_("Found"), "actual", 16, None),
            (N_("Finding"), "message", 70, None), (N_("Suggestion"), "suggestion", 50, None),
            (N_("USD at stake"), "usd_at_stake", 14, USD))
PIES = ((N_("Region"), "region", 30, None), (N_("Programmatic area"), "name_printed", 36, None),
        (N_("Published USD"), "published_usd", 16, USD), (N_("Computed USD"), "computed_usd", 16, USD),
        (N_("Printed %"), "published_text", 10, None), (N_("From USD %"), "computed_text", 11, None),
        (N_("Share of computed total %"), "computed_pct", 12, PCT), (N_("Mismatch"), "mismatch", 10, None),
        (N_("Worst finding"), "severity", 12, None), (N_("Printed % cell"), "location", 44, None))
INPUTS = ((N_("Workbook"), "file", 44, None), (N_("Region"), "region", 30, None), (N_("Office"), "office", 30, None),
          (N_("Revision"), "revision", 9, "0"), (N_("Rows read"), "rows_read", 10, "0"),
          (N_("Accepted"), "rows_accepted", 10, "0"), (N_("Rejected"), "rows_rejected", 10, "0"),
          (N_("Status"), "status", 20, None), (N_("SHA-256"), "sha256", 68, None))
CHANGES = ((N_("Kind"), "kind", 18, None), (N_("Region"), "region", 30, None), (N_("Country"), "country", 22, None),
           (N_("Programmatic area"), "area", 30, None), (N_("Change"), "text", 70, None), (N_("Old"), "old", 16, USD),
           (N_("New"), "new", 16, USD), (N_("Location (new)"), "location_new", 44, None),
           (N_("Location (old)"), "location_old", 44, None))


def _put(ws, row: int, col: int, value, fmt: str | None) -> None:
    cell = ws.cell(row=row, column=col)
    if value is None:
        return
    if isinstance(value, bool):
        value = N_("yes") if value else ""
    if isinstance(value, str):
        cell.value = inert.cell(value)
        cell.data_type = "s"  # never "f", whatever the text
        return
    cell.value = value
    if fmt:
        cell.number_format = fmt


def _table(wb: Workbook, title: str, columns: tuple, rows: list[dict], lang: str = "en") -> None:
    ws = wb.create_sheet(title)  # sheet names stay English in every language, as the annotated copy's do
    for c, (head, _key, width, _fmt) in enumerate(columns, start=1):
        _put(ws, 1, c, gettext_in(lang, head), None)
        ws.cell(row=1, column=c).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(c)].width = width
    for r, row in enumerate(rows, start=2):
        for c, (_head, key, _width, fmt) in enumerate(columns, start=1):
            _put(ws, r, c, row.get(key), fmt)
            if key in ("message", "suggestion", "text"):
                ws.cell(row=r, column=c).alignment = Alignment(wrap_text=True, vertical="top")
    last = get_column_letter(len(columns))
    # An Excel table needs a data row, even an empty one.
    # the English title: a table name is an identifier
    table = Table(displayName=title.replace(" ", ""), ref=f"A1:{last}{max(len(rows), 1) + 1}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(table)
    ws.freeze_panes = "A2"


def _about(wb: Workbook, record: dict, lang: str = "en") -> None:
    ws = wb.active
    ws.title = "About"
    lines = [(gettext_in(lang, "Validation report"), gettext_in(lang, "Migration Initiatives funding appeal")),
             (gettext_in(lang, "Generated (UTC)"), record["generated_at"]),
             (gettext_in(lang, "recon version"), record["recon_version"]),
             (gettext_in(lang, "Rules version"), record["rules"]["version"]),
             *((said("Rule suite {name}", name=s["name"]).said_in(lang),
                said("{count} expectations · sha256 {sha256}", count=number(s["expectations"], lang),
                     sha256=s["sha256"]).said_in(lang))
               for s in record["rules"]["suites"]),
             (gettext_in(lang, "Errors"), record["counts"]["error"]),
             (gettext_in(lang, "Warnings"), record["counts"]["warning"]),
             (gettext_in(lang, "Info"), record["counts"]["info"]), (gettext_in(lang, "Workbooks"), len(record["inputs"])),
             (gettext_in(lang, "Entries"), len(record["entries"]))]
    for r, (label, value) in enumerate(lines, start=1):
        _put(ws, r, 1, label, None)
        ws.cell(row=r, column=1).font = Font(bold=True)
        _put(ws, r, 2, value, "0")
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 100


def write(record: dict, path: Path) -> Path:
    lang = record.get("language", "en")  # set by recon.report.said_in; English without it
    wb = Workbook()
    _about(wb, record, lang)
    _table(wb, "Regions", REGIONS, record["regions"], lang)
    findings = [{**f, "severity": gettext_in(lang, f["severity"])} for f in record["findings"]]
    _table(wb, "Findings", FINDINGS, findings, lang)
    slices = [{**s, "region": p["region"], "mismatch": "≠" if s["marked"] else "",
               "severity": gettext_in(lang, s["severity"]) if s["severity"] else None}
              for p in record["pies"] for s in p["slices"]]
    _table(wb, "Pie charts", PIES, slices, lang)
    inputs = [{**i, "status": gettext_in(lang, i["status"]) if i.get("status") else None} for i in record["inputs"]]
    _table(wb, "Inputs", INPUTS, inputs, lang)
    if record.get("previous"):
        changes = [{**c, "text": diff.describe(c).said_in(lang), "kind": diff.kind_in(c["kind"], lang),
                    "old": c["old"] if not isinstance(c["old"], bool) else str(c["old"]),
                    "new": c["new"] if not isinstance(c["new"], bool) else str(c["new"])}
                   for c in record["previous"]["changes"]]
        _table(wb, "Changes", CHANGES, changes, lang)
    wb.save(path)
    return path
