"""Findings written back into a workbook: a Findings sheet, coloured cells and, in a copy, cell comments.

Shared by the xlwings check inside Excel (:mod:`recon.excel`) and ``recon check FILE --annotate OUT.xlsx``
(:func:`write_copy`), so both show the same sheet:

>>> findings_rows([Finding("ENTRY-AMOUNT-NEGATIVE", "error", location=Location("k.xlsx", "Entries", "C2"),
...                        message="amount is negative", suggestion="type the amount without a sign")])[1]
['error', 'ENTRY-AMOUNT-NEGATIVE', 'k.xlsx › Entries › C2', 'amount is negative', 'type the amount without a sign']

Checking again first clears the previous marks: the cells listed in the old Findings sheet get the template's
own fill back (:func:`base_fill`), so running a check twice leaves the same workbook.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.hyperlink import Hyperlink

from recon import inert
from recon.appeal.finding import Finding, Severity
from recon.appeal.location import SEPARATOR, Location, shown
from recon.appeal.vocabulary import name_key
from recon.errors import OutputError
from recon.inert import line
from recon.language import DEFAULT, LANGUAGES, N_, gettext_in, language
from recon.workbook import layout as L
from recon.workbook.words import any_language, is_hashtag_row

HEADER = [N_("Severity"), N_("Rule"), N_("Location"), N_("Message"), N_("Suggestion")]  # said in the copy's language
WIDTHS = (10, 30, 44, 90, 70)  # Findings sheet column widths (characters)
NO_FINDINGS = N_("No findings: every rule passed.")
# recon's sheet when the office already has a sheet of its own named "Findings" (kept, never replaced).
RECON_FINDINGS = "Findings (recon)"
# Cell fills by severity, #RRGGBB: the template's red, Excel's "neutral" amber, a light blue.
FILLS = {"error": "#FFC7CE", "warning": "#FFEB9C", "info": "#DDEBF7"}
INPUT_FILL = "#FFF2CC"  # the template's yellow input cells (recon.workbook.template.INPUT_FILL)
COMMENT_AUTHOR = "recon"
HYPERLINK_TEXT_MAX = 255  # Excel's limit for HYPERLINK's friendly name
_CELL = re.compile(r"^\$?([A-Z]{1,3})\$?([0-9]{1,7})$")
_FRIENDLY = re.compile(r'^=HYPERLINK\(".*?",\s*"(.*)"\)$', re.S)  # a Location cell read back as a formula


def findings_rows(findings: Sequence[Finding], lang: str = DEFAULT) -> list[list[str]]:
    """The Findings sheet, header first: severity, rule, location (``file › sheet › cell``), message,
    suggestion — in ``lang`` (the rule is a code, the same in every language). With no findings, one row
    says so."""
    rows = [header(lang)]
    for f in findings:
        message, suggestion = f.said_in(lang)
        rows.append([gettext_in(lang, f.severity), f.rule, shown(f.location), message, suggestion or ""])
    if not findings:
        rows.append(["", "", "", gettext_in(lang, NO_FINDINGS), ""])
    return rows


def header(lang: str = DEFAULT) -> list[str]:
    """The Findings sheet's header in ``lang``: ``["Gravité", "Règle", …]`` in French."""
    return [gettext_in(lang, h) for h in HEADER]


def meta_language(meta_rows: Iterable[Sequence] | None) -> str:
    """The workbook's language from its hidden _meta sheet's rows (``["lang", "fr"]``); English when
    the template predates languages or the sheet is missing."""
    found = DEFAULT
    for row in meta_rows or ():  # the last row with the key, as the reader takes it
        if len(row) >= 2 and isinstance(row[0], str) and row[0].strip() == L.META_LANGUAGE:
            found = language(str(row[1] or ""))
    return found


def cell_of(location: Location | None) -> tuple[str, str] | None:
    """``Location("k.xlsx", "Entries", "C12")`` → ``("Entries", "C12")``; ``None`` for a whole file or sheet, or
    a range (``A3:B4``)."""
    if location is None or not location.sheet or not location.cell or not (m := _CELL.match(location.cell.upper())):
        return None
    return location.sheet, f"{m.group(1)}{m.group(2)}"


def _marked_cell(text: object) -> tuple[str, str] | None:
    """A cell a previous check wrote in its Findings sheet, read back from the workbook: the shown
    ``k.xlsx › Entries › C12`` or its HYPERLINK formula → ``("Entries", "C12")``. Only for what an earlier
    run left in a workbook; findings carry their :class:`Location`'s parts."""
    if not isinstance(text, str):
        return None
    if m := _FRIENDLY.match(text.strip()):
        text = m.group(1).replace('""', '"')
    parts = [p.strip() for p in text.split(SEPARATOR.strip())]
    if len(parts) < 2:
        return None
    return cell_of(Location(parts[0], parts[-2], parts[-1]))


def internal_ref(sheet: str, cell: str) -> str:
    """``("Entries", "C12")`` → ``"'Entries'!C12"``, a reference inside the workbook."""
    return "'{}'!{}".format(sheet.replace("'", "''"), cell)


def hyperlink_formula(location: Location, text: str | None = None) -> str:
    """A clickable Location: ``=HYPERLINK("#'Entries'!C12","k.xlsx › Entries › C12")`` (Excel, LibreOffice);
    ``text`` is what it shows, when not the location as written."""
    text = str(location) if text is None else text
    target = cell_of(location)
    if target is None:
        return text
    label = text if len(text) <= HYPERLINK_TEXT_MAX else SEPARATOR.join(target)
    return '=HYPERLINK("#{}","{}")'.format(internal_ref(*target).replace('"', '""'), label.replace('"', '""'))


@dataclass(frozen=True)
class Mark:
    """One offending cell: the most severe finding's fill, and every finding's note for a comment."""

    sheet: str
    cell: str
    severity: str
    notes: tuple[str, ...] = field(default=())

    @property
    def fill(self) -> str:
        return FILLS[self.severity]

    @property
    def comment(self) -> str:
        return "\n".join(self.notes)


def marks(findings: Iterable[Finding], sheets: Iterable[str], lang: str = DEFAULT) -> list[Mark]:
    """Findings grouped by cell, on the workbook's own ``sheets`` only (in sheet, column, row order)."""
    known = set(sheets)
    by_cell: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        target = cell_of(f.location)
        if target and target[0] in known:
            by_cell.setdefault(target, []).append(f)
    out = []
    for (sheet, cell), group in by_cell.items():
        worst = min(group, key=lambda f: Severity[f.severity])
        notes = tuple(f"{gettext_in(lang, f.severity).upper()} {f.rule}: {m}" + (f" → {sg}" if sg else "")
                      for f in group for m, sg in [f.said_in(lang)])
        out.append(Mark(sheet, cell, worst.severity, notes))
    return sorted(out, key=lambda m: (m.sheet, _cell_key(m.cell)))


def _cell_key(cell: str) -> tuple[int, str]:
    m = _CELL.match(cell)
    return (int(m.group(2)), m.group(1)) if m else (0, cell)


def is_findings_sheet(first_row: Sequence | None) -> bool:
    """Is this sheet one recon wrote? Its first row is recon's header (an office's own sheet is not)."""
    head = ["" if v is None else str(v) for v in list(first_row or ())[:len(HEADER)]]
    return any(head == header(lang) for lang in LANGUAGES)  # a copy checked in any language


def findings_sheet(names: Sequence[str], first_row) -> tuple[str, bool]:
    """The sheet recon writes its findings to, and whether it holds a previous check to undo and replace.

    ``first_row(name)`` gives a sheet's first row. An office's own sheet named Findings is kept:
    ``(["Entries", "Findings"], office's header)`` → ``("Findings (recon)", False)``.
    """
    candidates = [L.FINDINGS, RECON_FINDINGS, *(f"Findings (recon {n})" for n in range(2, 100))]
    for name in candidates:
        if name not in names:
            return name, False
        if is_findings_sheet(first_row(name)):
            return name, True
    raise OutputError("the workbook already has 100 sheets named like Findings; rename some")


def previous_marks(findings_sheet_rows: Iterable[Sequence]) -> list[tuple[str, str]]:
    """Cells a previous check marked, from its Findings sheet's Location column (shown text or formula)."""
    loc = HEADER.index("Location")  # the same column in every language
    cells = {_marked_cell(row[loc]) for row in findings_sheet_rows if len(row) > loc}
    return sorted(c for c in cells if c is not None)


def base_fill(sheet: str, cell: str) -> str | None:
    """The fill the template gives ``cell``: findings point at published values on Summary (yellow input
    cells, columns A–C) or at Entries cells (no fill, the table style shows through)."""
    m = _CELL.match(cell)
    return INPUT_FILL if sheet == L.SUMMARY and m and m.group(1) in ("A", "B", "C") else None


# ---- The annotated copy (openpyxl) -------------------------------------------------------------------------


@dataclass
class AnnotatedCopy:
    path: Path
    marked: int  # cells coloured and commented
    lost: list[str] = field(default_factory=list)  # parts openpyxl could not carry over, e.g. "1 chart"
    sheet: str = L.FINDINGS  # "Findings (recon)" when the workbook has a Findings sheet of its own


def write_copy(source: str | Path, findings: Sequence[Finding], out: str | Path,
               lang: str | None = None) -> AnnotatedCopy:
    """Write ``out``: a copy of ``source`` with a Findings sheet, offending cells filled and commented, in
    ``lang`` — by default the workbook's own language (its _meta ``language``).

    ``source`` is only read. openpyxl keeps formulas, validations, conditional formats and the Entries table
    but drops charts, so the Summary pie chart is rebuilt with the template's own code; anything else it
    cannot carry over is listed in ``lost``.
    """
    from recon import output

    source, out = Path(source), Path(out)
    output.refuse_unsafe(out, [source], overwrite=False, what="annotated copy")
    refuse_copy(source)
    before = _parts(source)
    with warnings.catch_warnings(record=True) as caught:  # what openpyxl says it drops goes to `lost`
        warnings.simplefilter("always")
        try:
            wb = load_workbook(source)  # never saved back to source
        except Exception as exc:  # openpyxl fails in several ways on parts it cannot model
            raise OutputError(f"{line(source.name)}: cannot be opened to write an annotated copy "
                              f"({type(exc).__name__}: {line(exc)})") from exc
    missing = [n for n in before["sheet names"] if n not in wb.sheetnames]
    if missing:  # openpyxl read fewer sheets than the workbook has: a copy would lose them
        raise OutputError(f"{line(source.name)}: openpyxl could not read sheet(s) {line(', '.join(missing))}; "
                          "no annotated copy written — save the workbook again in Excel and run again")
    lost = list(dict.fromkeys(str(w.message).split(" <class")[0] for w in caught))
    sheet, again = findings_sheet(wb.sheetnames, lambda n: next(wb[n].iter_rows(max_row=1, values_only=True), ()))
    if again:  # an annotated copy annotated again: undo the previous marks first
        old = wb[sheet]
        for name, cell in previous_marks(old.iter_rows(values_only=True)):
            if name in wb.sheetnames and name != sheet:
                c = wb[name][cell]
                c.fill = _fill(base_fill(name, cell))
                if c.comment is not None and c.comment.author == COMMENT_AUTHOR:
                    c.comment = None
        index = wb.sheetnames.index(sheet)
        del wb[sheet]
    else:
        index = None

    if lang is None:
        lang = meta_language(wb[L.META].iter_rows(values_only=True) if L.META in wb.sheetnames else None)
    cell_marks = marks(findings, [n for n in wb.sheetnames if n != sheet], lang)
    for m in cell_marks:
        c = wb[m.sheet][m.cell]
        c.fill = _fill(m.fill)
        note = inert.text(m.comment)
        text = note if c.comment is None else f"{c.comment.text}\n\n{note}"
        comment = Comment(text, COMMENT_AUTHOR)
        comment.width, comment.height = 420, 40 + 40 * len(m.notes)
        c.comment = comment

    if L.ENTRIES in wb.sheetnames:  # rows the office typed below the template's table print too
        from recon.workbook.template import print_to_last_entry

        print_to_last_entry(wb[L.ENTRIES])
    ws = wb.create_sheet(sheet, index)
    where = [None, *(f.location for f in findings)]
    for r, row in enumerate(findings_rows(findings, lang), start=1):
        for col, value in enumerate(row, start=1):
            c = ws.cell(row=r, column=col, value=inert.cell(value))
            if isinstance(value, str):
                c.data_type = "s"  # text a finding quotes from a cell is never a formula here
        target = cell_of(where[r - 1]) if r - 1 < len(where) else None
        if target and target[0] in wb.sheetnames and target[0] != sheet:
            link = ws.cell(row=r, column=3)
            link.hyperlink = Hyperlink(ref=link.coordinate, location=internal_ref(*target))
            link.style = "Hyperlink"
        if r > 1 and findings:
            ws.cell(row=r, column=1).fill = _fill(FILLS[findings[r - 2].severity])
    for col, width in zip("ABCDE", WIDTHS, strict=True):
        ws.column_dimensions[col].width = width
    for c in ws[1]:
        c.font = Font(bold=True)
    from recon.workbook.template import print_setup, wrapped_height

    for row in ws.iter_rows(min_row=2, min_col=4, max_col=5):  # message and suggestion wrap, on paper too
        height = max(wrapped_height(c.value or "", WIDTHS[c.column - 1]) for c in row)
        for c in row:
            c.alignment = Alignment(wrap_text=True, vertical="top")
        if height > 15:
            ws.row_dimensions[row[0].row].height = height
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:E{ws.max_row}"
    print_setup(ws, title_rows="1:1")

    # openpyxl reads recon's pie chart back, but drops a chart it cannot parse: then rebuild it.
    if before["charts"] and L.SUMMARY in wb.sheetnames and not wb[L.SUMMARY]._charts:
        _rebuild_pie_chart(wb[L.SUMMARY])
        lost = [w for w in lost if not w.startswith("Unable to read chart")]
    output.write_file(out, wb.save, inputs=[source], overwrite=False, what="annotated copy")
    after = _parts(out)
    lost += [f"{before[k] - after[k]} {k}" for k in before if k != "sheet names" and before[k] > after[k]]
    return AnnotatedCopy(out, len(cell_marks), lost, sheet)


_STRICT = b"http://purl.oclc.org/ooxml/spreadsheetml/main"


def refuse_copy(source: Path) -> None:
    """Refuse, before any work, a workbook openpyxl cannot copy whole (Strict Open XML)."""
    if _strict_ooxml(Path(source)):
        raise OutputError(f"{line(Path(source).name)} is saved as Strict Open XML, which recon cannot copy (the "
                          "copy would hold only the Findings sheet); no annotated copy written — save it as "
                          "'Excel Workbook (.xlsx)' and run again")


def _strict_ooxml(path: Path) -> bool:
    """Is the workbook saved as Strict Open XML (ISO 29500 strict namespaces), which openpyxl reads as empty?"""
    try:
        with zipfile.ZipFile(path) as z:
            name = next((n for n in z.namelist() if n.lower() == "xl/workbook.xml"), None)
            return name is not None and _STRICT in z.read(name)[:4096]
    except (OSError, zipfile.BadZipFile):
        return False


def _fill(color: str | None) -> PatternFill:
    if color is None:
        return PatternFill(fill_type=None)
    rgb = color.lstrip("#")
    return PatternFill("solid", start_color=rgb, end_color=rgb)


def _rebuild_pie_chart(ws) -> None:
    from recon.workbook.template import add_pie_chart

    words = any_language()
    header = total = None
    for r in range(1, ws.max_row + 1):
        label = ws.cell(row=r, column=1).value
        if header is None and label in words.area_tables and ws.cell(row=r, column=2).value in words.published_usd:
            header = r
            if is_hashtag_row([ws.cell(row=r + 1, column=c).value for c in range(1, 10)]):
                header = r + 1  # the HXL row: data starts below it
        elif header is not None and isinstance(label, str) and name_key(label) in words.totals:
            total = r
            break
    if header is None or total is None:
        return
    last = max((r for r in range(header + 1, total) if ws.cell(row=r, column=1).value is not None),
               default=header + 1)
    add_pie_chart(ws, header, last)


def _sheet_names(z: zipfile.ZipFile) -> list[str]:
    """The sheet names ``xl/workbook.xml`` lists (the guard has already refused DTDs and entities)."""
    from defusedxml.ElementTree import fromstring

    try:
        root = fromstring(z.read("xl/workbook.xml"))
    except (KeyError, Exception):  # noqa: BLE001 — no list to compare with: nothing to report as lost
        return []
    return [e.get("name") for e in root.iter() if e.tag.rsplit("}", 1)[-1] == "sheet" and e.get("name")]


def _parts(path: Path) -> dict:
    """What openpyxl may silently drop, counted in the package: charts, images, shapes (text boxes),
    extension data validations (Excel writes cross-sheet lists there)."""
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        sheet_names = _sheet_names(z)
        sheets = [n for n in names if n.startswith("xl/worksheets/sheet")]
        x14 = sum(z.read(n).count(b"<x14:dataValidation ") for n in sheets)
        shapes = sum(z.read(n).count(b"<xdr:sp>") + z.read(n).count(b"<sp>") + z.read(n).count(b"<xdr:sp ")
                     + z.read(n).count(b"<sp ") for n in names if n.startswith("xl/drawings/drawing"))
    return {"sheet names": sheet_names,
            "charts": sum(n.startswith("xl/charts/chart") for n in names),
            "images": sum(n.startswith("xl/media/") for n in names),
            "shapes": shapes, "extension data validations": x14}
